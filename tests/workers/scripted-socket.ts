/**
 * A WebSocket stand-in for SDK tests: records what the SDK sends and lets the test play the server.
 * `connected()` gives a Connection that said hello and was told it is synced, as user `u_alice`.
 */
import { Connection, type ConnectionOptions } from "../../client/sdk/connection.ts";

/** A WebSocket stand-in: records what the SDK sends, lets the test play the server. */
export class ScriptedSocket extends EventTarget {
  static last: ScriptedSocket | null = null;
  readyState = 0;
  readonly sent: unknown[] = [];
  constructor() {
    super();
    ScriptedSocket.last = this;
    queueMicrotask(() => {
      this.readyState = 1;
      this.dispatchEvent(new Event("open"));
    });
  }
  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }
  close(): void {
    this.readyState = 3;
  }
  serve(frame: unknown): void {
    this.dispatchEvent(new MessageEvent("message", { data: JSON.stringify(frame) }));
  }
}

export async function connected(
  options: Partial<ConnectionOptions> = {},
): Promise<{ connection: Connection; socket: ScriptedSocket }> {
  const connection = new Connection({
    url: "ws://test/v1/ws",
    ticket: async () => "t",
    deviceId: "d1",
    WebSocket: ScriptedSocket as unknown as typeof WebSocket,
    ...options,
  });
  const ready = connection.connect();
  while (!ScriptedSocket.last || ScriptedSocket.last.readyState !== 1) await new Promise((r) => setTimeout(r, 1));
  const socket = ScriptedSocket.last;
  socket.serve({ type: "welcome", v: 1, userId: "u_alice", head: 0 });
  socket.serve({ type: "synced", cursor: 0, reset: false });
  await ready;
  return { connection, socket };
}
