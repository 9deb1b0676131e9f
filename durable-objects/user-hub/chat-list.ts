/**
 * The user's chat list as a projection of their event log: each event, applied once when it first
 * arrives, updates the `chats` and `unread` tables. Reading the list is then one query.
 *
 * `status` events also land here: their four watermarks only grow, so keeping the maximum of each per
 * chat costs four integers and gives a fresh device its ticks with the list, without asking for the
 * status of a message. Direct chats carry the peer's public profile from the `profiles` table, which
 * `profile` events keep current (./profiles.ts).
 */
import type { ConversationSummary, EventBody, Message, User } from "../../client/sdk/protocol/index.ts";
import { iso } from "../../lib/time.ts";

type ChatRow = {
  conversation_id: string;
  type: "direct" | "group";
  name: string | null;
  peer_id: string | null;
  active: number;
  last_message: string | null;
  last_seq: number;
  read_upto: number;
  updated_at: number;
  delivered_some: number;
  delivered_all: number;
  read_some: number;
  read_all: number;
  unread: number;
  peer_body: string | null;
};

export function applyToChatList(
  sql: SqlStorage,
  userId: string,
  conversationId: string,
  body: EventBody,
  now: number,
): void {
  switch (body.kind) {
    case "conversation": {
      const c = body.conversation;
      sql.exec(
        `INSERT INTO chats (conversation_id, type, name, peer_id, active, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (conversation_id) DO UPDATE SET name = excluded.name, active = excluded.active`,
        c.id,
        c.type,
        c.name,
        c.peerId,
        c.active ? 1 : 0,
        now,
      );
      return;
    }
    case "message": {
      const m = body.message;
      sql.exec(
        `UPDATE chats SET last_message = ?, last_seq = ?, updated_at = ? WHERE conversation_id = ? AND last_seq < ?`,
        JSON.stringify(m),
        m.seq,
        Date.parse(m.sentAt),
        conversationId,
        m.seq,
      );
      if (m.senderId !== userId && m.system === null && !m.deleted) {
        sql.exec(
          `INSERT OR IGNORE INTO unread (conversation_id, seq)
           SELECT ?1, ?2 WHERE ?2 > COALESCE((SELECT read_upto FROM chats WHERE conversation_id = ?1), 0)`,
          conversationId,
          m.seq,
        );
      }
      return;
    }
    case "message_deleted":
    case "message_hidden": {
      sql.exec("DELETE FROM unread WHERE conversation_id = ? AND seq = ?", conversationId, body.seq);
      if (body.kind === "message_deleted") {
        const row = sql
          .exec<{ last_message: string | null }>(
            "SELECT last_message FROM chats WHERE conversation_id = ? AND last_seq = ?",
            conversationId,
            body.seq,
          )
          .toArray()[0];
        if (row?.last_message) {
          const tomb: Message = {
            ...(JSON.parse(row.last_message) as Message),
            text: null,
            media: null,
            deleted: true,
          };
          sql.exec("UPDATE chats SET last_message = ? WHERE conversation_id = ?", JSON.stringify(tomb), conversationId);
        }
      }
      return;
    }
    case "read_marker":
      sql.exec("UPDATE chats SET read_upto = MAX(read_upto, ?) WHERE conversation_id = ?", body.upTo, conversationId);
      sql.exec("DELETE FROM unread WHERE conversation_id = ? AND seq <= ?", conversationId, body.upTo);
      return;
    case "status":
      // Monotonic by construction (receipts.ts); MAX keeps a late or repeated event harmless.
      sql.exec(
        `UPDATE chats SET delivered_some = MAX(delivered_some, ?), delivered_all = MAX(delivered_all, ?),
           read_some = MAX(read_some, ?), read_all = MAX(read_all, ?) WHERE conversation_id = ?`,
        body.deliveredSome,
        body.deliveredAll,
        body.readSome,
        body.readAll,
        conversationId,
      );
      return;
    case "profile":
      return; // not about a conversation; the `profiles` table is written by ./profiles.ts
  }
}

/** The chat list, most recent activity first (API.md `GET /v1/conversations`). */
export function readChatList(sql: SqlStorage): ConversationSummary[] {
  return sql
    .exec<ChatRow>(
      `SELECT c.*, (SELECT COUNT(*) FROM unread u WHERE u.conversation_id = c.conversation_id) AS unread,
         p.body AS peer_body
       FROM chats c LEFT JOIN profiles p ON c.type = 'direct' AND p.user_id = c.peer_id
       ORDER BY updated_at DESC, conversation_id`,
    )
    .toArray()
    .map((r) => ({
      id: r.conversation_id,
      type: r.type,
      name: r.name,
      peerId: r.peer_id,
      lastMessage: r.last_message ? (JSON.parse(r.last_message) as Message) : null,
      unreadCount: r.unread,
      updatedAt: iso(r.updated_at),
      active: r.active === 1,
      peer: r.peer_body ? (JSON.parse(r.peer_body) as User) : null,
      status: {
        deliveredSome: r.delivered_some,
        deliveredAll: r.delivered_all,
        readSome: r.read_some,
        readAll: r.read_all,
      },
    }));
}
