/**
 * One chat participant's socket, for the bare room (bench/baseline/RoomDO.ts) and for the product
 * (a device on the user's hub, README "The WebSocket protocol"), behind one interface so a scenario
 * drives both the same way. Frames are parsed with plain JSON.parse on both sides: the client's own
 * cost must stay small and equal, since it shares the machine's two cores with workerd.
 */
import { ACK_DEFERRED_MS, ACK_INTERVAL_MS } from "../client/sdk/protocol/index.ts";
import { openSocket } from "./lib.ts";

/** A send not answered by then counts as an error (a socket that died would otherwise stall its sender). */
const SEND_TIMEOUT_MS = 30_000;

/** Writes a frame and resolves with its answer, or false (and an error) after SEND_TIMEOUT_MS. */
function answered(
  pending: Map<string, (ok: boolean) => void>,
  clientId: string,
  on: PeerEvents,
  write: () => void,
): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      pending.delete(clientId);
      on.error();
      resolve(false);
    }, SEND_TIMEOUT_MS);
    pending.set(clientId, (ok) => {
      clearTimeout(timer);
      resolve(ok);
    });
    write();
  });
}

export interface PeerEvents {
  /** A message from someone else reached this socket (`clientId` as the sender chose it). */
  delivered(clientId: string, at: number): void;
  /** An error frame (product) or error answer (room). */
  error(): void;
}

export interface Peer {
  /** The user this socket belongs to. */
  readonly userId: string;
  /** Sends one text; resolves once the server acknowledged it (false: refused with an error frame). */
  send(clientId: string, text: string): Promise<boolean>;
  close(): void;
}

/** The bare room: `{id, text}` out, the stored `{seq, id, from, text, at}` broadcast back to every socket. */
export async function roomPeer(baselineUrl: string, room: string, userId: string, on: PeerEvents): Promise<Peer> {
  const query = new URLSearchParams({ room, user: userId });
  const ws = await openSocket(`${baselineUrl.replace(/^http/, "ws")}/room?${query}`);
  const pending = new Map<string, (ok: boolean) => void>();
  ws.addEventListener("message", (e) => {
    const at = performance.now();
    const frame = JSON.parse(String(e.data)) as { id?: string; from?: string; error?: string };
    if (frame.error !== undefined || frame.id === undefined) {
      on.error();
      return;
    }
    if (frame.from === userId) {
      pending.get(frame.id)?.(true);
      pending.delete(frame.id);
    } else on.delivered(frame.id, at);
  });
  return {
    userId,
    send: (clientId, text) => answered(pending, clientId, on, () => ws.send(JSON.stringify({ id: clientId, text }))),
    close: () => ws.close(1000, "bench done"),
  };
}

interface ProductFrame {
  type: string;
  id?: string;
  cursor?: number;
  events?: { cursor: number; kind: string; message?: { conversationId: string; clientId: string; senderId: string } }[];
}

/**
 * A device of `userId` on the product: ticket, upgrade, `hello` from `cursor` (where this user's
 * previous bench device stopped, so it does not replay earlier scenarios), then live. It acks the
 * cursor it received, paced as the SDK paces it (that is what marks messages delivered).
 * `cursorAfter()` is where it stopped.
 */
export async function productPeer(
  baseUrl: string,
  token: string,
  userId: string,
  conversationId: string,
  device: { deviceId: string; cursor: number },
  on: PeerEvents,
): Promise<Peer & { cursorAfter(): number }> {
  const res = await fetch(`${baseUrl}/v1/ws/ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`ticket: ${res.status} ${await res.text()}`);
  const { ticket } = (await res.json()) as { ticket: string };
  const ws = await openSocket(`${baseUrl.replace(/^http/, "ws")}/v1/ws`, ["messenger.v1", `ticket.${ticket}`]);
  let cursor = device.cursor;
  const pending = new Map<string, (ok: boolean) => void>();
  // Acks are paced as the SDK paces them (client/sdk/connection.ts): ACK_INTERVAL_MS after the first
  // event not yet acked, the one ack covering everything received by then; a frame holding only
  // ticks, read markers and this user's own messages waits up to ACK_DEFERRED_MS for another ack.
  // (These peers never read, so no read carries an ack early.)
  let ackTimer: ReturnType<typeof setTimeout> | null = null;
  let ackDueAt = 0;
  const sendAck = () => {
    ackTimer = null;
    if (ws.readyState === 1) ws.send(JSON.stringify({ type: "ack", cursor }));
  };
  const ackUpTo = (to: number, prompt: boolean) => {
    if (to <= cursor) return;
    cursor = to;
    const now = Date.now();
    const due = now + (prompt ? ACK_INTERVAL_MS : ACK_DEFERRED_MS);
    if (ackTimer) {
      if (ackDueAt <= due) return;
      clearTimeout(ackTimer);
    }
    ackDueAt = due;
    ackTimer = setTimeout(sendAck, due - now);
  };
  let synced: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (synced = resolve));
  ws.addEventListener("message", (e) => {
    const at = performance.now();
    const frame = JSON.parse(String(e.data)) as ProductFrame;
    switch (frame.type) {
      case "events": {
        let last = cursor;
        let prompt = false;
        for (const event of frame.events ?? []) {
          if (event.cursor <= cursor) continue; // a replayed event this device already has
          last = Math.max(last, event.cursor);
          const m = event.message;
          if (
            event.kind === "message" ? m?.senderId !== userId : event.kind !== "status" && event.kind !== "read_marker"
          )
            prompt = true;
          if (event.kind === "message" && m && m.conversationId === conversationId && m.senderId !== userId)
            on.delivered(m.clientId, at);
        }
        ackUpTo(last, prompt);
        break;
      }
      case "synced":
        ackUpTo(frame.cursor ?? 0, true);
        synced();
        break;
      case "sent":
      case "error": {
        if (frame.type === "error") on.error();
        const answer = frame.id === undefined ? undefined : pending.get(frame.id);
        if (frame.id !== undefined) pending.delete(frame.id);
        answer?.(frame.type === "sent");
        break;
      }
    }
  });
  ws.send(JSON.stringify({ type: "hello", v: 1, deviceId: device.deviceId, cursor: device.cursor }));
  await ready;
  return {
    userId,
    send: (clientId, text) =>
      answered(pending, clientId, on, () =>
        ws.send(JSON.stringify({ type: "send", id: clientId, conversationId, clientId, text })),
      ),
    close: () => ws.close(1000, "bench done"),
    cursorAfter: () => cursor,
  };
}
