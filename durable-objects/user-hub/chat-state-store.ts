/**
 * The statements behind a user's own state of their chats (./chat-state.ts): four columns of the
 * chat-list row (pinned, archived, marked unread, deleted for me) plus the push mute, which stays in
 * `push_mutes` where the push path reads it. Only these calls and the list read them, so the message
 * path pays nothing for them (its one chat-row UPDATE also un-archives: ./store.ts `chatMessage`).
 */
import { iso } from "../../lib/time.ts";
import type { ChatListState } from "../../client/sdk/protocol/index.ts";

/** `push_mutes.until` of a mute without an end. */
export const MUTED_FOREVER = Number.MAX_SAFE_INTEGER;

/** The chat-row columns a list state is made of (`muted_until` joined from `push_mutes`). */
export type ChatStateColumns = {
  pinned_at: number | null;
  archived: number;
  marked_unread: number;
  cleared_upto: number | null;
  muted_until: number | null;
};

/** The wire state of a chat from its columns; a mute that ran out reads as none. */
export function chatStateOf(r: ChatStateColumns, now: number): ChatListState {
  const until = r.muted_until;
  return {
    pinnedAt: r.pinned_at === null ? null : iso(r.pinned_at),
    archived: r.archived === 1,
    mutedUntil: until === null || until <= now ? null : until >= MUTED_FOREVER ? "always" : iso(until),
    markedUnread: r.marked_unread === 1,
    clearedUpTo: r.cleared_upto,
  };
}

export type ChatStateRow = ChatStateColumns & { last_seq: number };

export class ChatStateStore {
  constructor(private readonly sql: SqlStorage) {}

  /** The chat's state columns and last seq, or null when the chat is not in the user's list. */
  row(conversationId: string): ChatStateRow | null {
    return (
      this.sql
        .exec<ChatStateRow>(
          `SELECT c.pinned_at, c.archived, c.marked_unread, c.cleared_upto, c.last_seq, m.until AS muted_until
           FROM chats c LEFT JOIN push_mutes m ON m.conversation_id = c.conversation_id WHERE c.conversation_id = ?`,
          conversationId,
        )
        .toArray()[0] ?? null
    );
  }

  /** How many chats other than `conversationId` are pinned (and shown: not deleted for me). */
  pinnedOthers(conversationId: string): number {
    return this.sql
      .exec<{ n: number }>(
        `SELECT COUNT(*) AS n FROM chats WHERE pinned_at IS NOT NULL AND conversation_id != ?
           AND (cleared_upto IS NULL OR last_seq > cleared_upto)`,
        conversationId,
      )
      .one().n;
  }

  write(
    conversationId: string,
    s: { pinned_at: number | null; archived: number; marked_unread: number; cleared_upto: number | null },
  ): void {
    this.sql.exec(
      "UPDATE chats SET pinned_at = ?, archived = ?, marked_unread = ?, cleared_upto = ? WHERE conversation_id = ?",
      s.pinned_at,
      s.archived,
      s.marked_unread,
      s.cleared_upto,
      conversationId,
    );
  }

  /** Deleted for me: nothing of it counts as unread any more. */
  forgetUnread(conversationId: string): void {
    this.sql.exec("DELETE FROM unread WHERE conversation_id = ?", conversationId);
  }
}
