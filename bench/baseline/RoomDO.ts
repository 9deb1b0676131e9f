/**
 * The bare durable room: the least a chat room on Durable Objects can do, the shape of a minimal
 * chat demo. One object per room holds every socket of the room (hibernatable); per message it
 * does exactly one SQLite insert (the autoincrement `seq` is the room's order) and broadcasts the
 * stored message to every socket, the sender's included: that copy is the sender's acknowledgement.
 * The output gate holds the broadcast until the insert is durable, as the product's `sent` is held.
 *
 * Wire format (JSON text): client → `{ id, text }`; server → `{ seq, id, from, text, at }`, where
 * `from` is the `user` query parameter of the sender's upgrade and `id` echoes the client's id.
 */
import { closeQuietly, upgraded } from "./EchoDO.ts";
import { WebSocketPair, type DurableObjectState, type RuntimeWebSocket } from "./runtime.ts";

/** Same text limit as the product (MAX_TEXT_BYTES), checked on characters: a baseline, not a validator. */
const MAX_TEXT = 700;
/** Client message ids are short strings, as the product's clientId. */
const MAX_ID = 64;

export class RoomDO {
  private readonly ctx: DurableObjectState;

  constructor(ctx: DurableObjectState) {
    this.ctx = ctx;
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, sender TEXT NOT NULL, client_id TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL)",
    );
  }

  async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket")
      return new Response("expected a WebSocket", { status: 426 });
    const user = new URL(request.url).searchParams.get("user") ?? "anonymous";
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    pair[1].serializeAttachment({ user }); // survives hibernation
    return upgraded(request, pair[0]);
  }

  async webSocketMessage(ws: RuntimeWebSocket, message: string | ArrayBuffer): Promise<void> {
    let frame: { id?: unknown; text?: unknown };
    try {
      frame = JSON.parse(typeof message === "string" ? message : new TextDecoder().decode(message)) as typeof frame;
    } catch {
      ws.send('{"error":"not JSON"}');
      return;
    }
    const { id, text } = frame;
    if (typeof id !== "string" || id.length > MAX_ID || typeof text !== "string" || text.length > MAX_TEXT) {
      ws.send('{"error":"expected {id, text}"}');
      return;
    }
    const from = (ws.deserializeAttachment() as { user: string } | null)?.user ?? "anonymous";
    const at = Date.now();
    const row = this.ctx.storage.sql
      .exec<{ seq: number }>(
        "INSERT INTO messages (sender, client_id, text, at) VALUES (?, ?, ?, ?) RETURNING seq",
        from,
        id,
        text,
        at,
      )
      .one();
    const stored = JSON.stringify({ seq: row.seq, id, from, text, at });
    for (const socket of this.ctx.getWebSockets()) {
      try {
        socket.send(stored);
      } catch {
        // closing; its webSocketClose follows
      }
    }
  }

  async webSocketClose(ws: RuntimeWebSocket, code: number): Promise<void> {
    closeQuietly(ws, code);
  }
}
