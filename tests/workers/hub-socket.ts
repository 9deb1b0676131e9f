/** Test helper: a device socket on a user's hub, collecting server frames in order. */
import { env } from "cloudflare:workers";
import { ServerFrame, type ClientFrame } from "../../client/sdk/protocol/index.ts";

export interface TestDevice {
  ws: WebSocket;
  frames: ServerFrame[];
  send(frame: ClientFrame | string): void;
  /** Resolves with the first frame (from `from` on) matching `pred`. */
  next<T extends ServerFrame>(pred: (f: ServerFrame) => f is T, timeoutMs?: number): Promise<T>;
  until(pred: (frames: ServerFrame[]) => boolean, timeoutMs?: number): Promise<void>;
}

export async function openDevice(userId: string): Promise<TestDevice> {
  const res = await env.USER_HUB.getByName(userId).fetch("http://hub/", {
    headers: { upgrade: "websocket", "x-user-id": userId, "sec-websocket-protocol": "messenger.v1" },
  });
  const ws = res.webSocket;
  if (!ws) throw new Error(`no socket: ${res.status}`);
  ws.accept();
  const frames: ServerFrame[] = [];
  ws.addEventListener("message", (e) => {
    frames.push(ServerFrame.parse(JSON.parse(e.data as string)));
  });
  const until = async (pred: (frames: ServerFrame[]) => boolean, timeoutMs = 5_000) => {
    const end = Date.now() + timeoutMs;
    while (!pred(frames)) {
      if (Date.now() > end) throw new Error(`timed out; frames: ${JSON.stringify(frames).slice(0, 2000)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return {
    ws,
    frames,
    send: (frame) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
    async next<T extends ServerFrame>(pred: (f: ServerFrame) => f is T, timeoutMs = 5_000): Promise<T> {
      await until((fs) => fs.some(pred), timeoutMs);
      return frames.find(pred) as T;
    },
    until,
  };
}

export const isType =
  <K extends ServerFrame["type"]>(type: K) =>
  (f: ServerFrame): f is Extract<ServerFrame, { type: K }> =>
    f.type === type;

/** A device of `userId` that said hello as `deviceId` (from `cursor`) and was told it is synced. */
export async function syncedDevice(userId: string, deviceId: string, cursor = 0): Promise<TestDevice> {
  const device = await openDevice(userId);
  device.send({ type: "hello", v: 1, deviceId, cursor });
  await device.next(isType("synced"));
  return device;
}
