/**
 * The user's own state of each chat in their list (README "Chat list state"): pin (at most
 * MAX_PINNED_CHATS), archive, mute, mark unread, delete for me. Each change is one hub transaction
 * that writes the chat row and logs the chat's whole new state as a `chat_state` event, so every
 * device of the user replays the same list. Rules that follow messages are folded into the statements
 * the message path runs anyway: a newer message un-archives an unmuted chat (./store.ts
 * `chatMessage`), a read clears "marked unread" (`chatRead`), and a chat deleted for me shows again
 * once its last seq passes `cleared_upto` (`chatList`). Devices apply the same rules to the events.
 */
import { MAX_PINNED_CHATS, type ChatListState, type Event, type EventBody } from "../../client/sdk/protocol/index.ts";
import { err, ok, type Result } from "../../lib/result.ts";
import { chatStateOf, type ChatStateRow, type ChatStateStore } from "./chat-state-store.ts";

/** What a device asks for: the list-state switches, or "delete this chat for me". */
export interface ChatStateChange {
  pinned?: boolean;
  archived?: boolean;
  unread?: boolean;
  clear?: true;
}

type Columns = Omit<ChatStateRow, "muted_until" | "last_seq">;

/**
 * The row after `change` (pure). Pinning takes a chat out of the archive and archiving unpins it, as
 * WhatsApp does; deleting for me resets every switch and hides what is there up to the last seq.
 */
export function nextColumns(
  row: ChatStateRow,
  change: ChatStateChange,
  pinnedOthers: number,
  now: number,
): Result<Columns> {
  if (change.clear) return ok({ pinned_at: null, archived: 0, marked_unread: 0, cleared_upto: row.last_seq });
  const next: Columns = {
    pinned_at: row.pinned_at,
    archived: row.archived,
    marked_unread: row.marked_unread,
    cleared_upto: row.cleared_upto,
  };
  if (change.archived !== undefined) {
    next.archived = change.archived ? 1 : 0;
    if (change.archived) next.pinned_at = null;
  }
  if (change.pinned === false) next.pinned_at = null;
  if (change.pinned === true && row.pinned_at === null) {
    if (pinnedOthers >= MAX_PINNED_CHATS)
      return err("too_many_pinned", `at most ${MAX_PINNED_CHATS} chats can be pinned: unpin one first`);
    next.pinned_at = now;
    next.archived = 0;
  }
  if (change.unread !== undefined) next.marked_unread = change.unread ? 1 : 0;
  return ok(next);
}

export interface ChatStateHost {
  transaction<T>(write: () => T): T;
  /** Appends a body to the log under `key`; the event if it is new. */
  log(key: string, body: EventBody): Event | null;
  broadcast(events: Event[]): void;
  /** The push mute (./push.ts); false when the chat is not in the list. Inside the transaction. */
  mutePush(conversationId: string, until: number | "always" | null): boolean;
}

export class HubChatState {
  constructor(
    private readonly rows: ChatStateStore,
    private readonly host: ChatStateHost,
  ) {}

  /** Pins, archives, marks unread or deletes a chat for this user; `not_found` if not in their list. */
  change(conversationId: string, change: ChatStateChange): Result<ChatListState> {
    const now = Date.now();
    const outcome = this.host.transaction(() => {
      const row = this.rows.row(conversationId);
      if (!row) return { result: err<ChatListState>("not_found", "no such chat in your list"), event: null };
      const needsCount = change.pinned === true && row.pinned_at === null;
      const next = nextColumns(row, change, needsCount ? this.rows.pinnedOthers(conversationId) : 0, now);
      if (!next.ok) return { result: err<ChatListState>(next.error.code, next.error.message), event: null };
      const before = chatStateOf(row, now);
      const state = chatStateOf({ ...next.value, muted_until: row.muted_until }, now);
      if (change.clear) this.rows.forgetUnread(conversationId);
      if (sameState(before, state)) return { result: ok(state), event: null };
      this.rows.write(conversationId, next.value);
      return { result: ok(state), event: this.logState(conversationId, state) };
    });
    if (outcome.event) this.host.broadcast([outcome.event]);
    return outcome.result;
  }

  /** Mutes pushes (and un-archiving) for a chat; logged so every device shows the bell. */
  mute(conversationId: string, until: number | "always" | null): boolean {
    const event = this.host.transaction(() => {
      if (!this.host.mutePush(conversationId, until)) return false;
      const row = this.rows.row(conversationId);
      return row ? this.logState(conversationId, chatStateOf(row, Date.now())) : null;
    });
    if (event) this.host.broadcast([event]);
    return event !== false;
  }

  private logState(conversationId: string, state: ChatListState): Event | null {
    return this.host.log(`chat:${conversationId}:${crypto.randomUUID()}`, {
      kind: "chat_state",
      conversationId,
      state,
    });
  }
}

const sameState = (a: ChatListState, b: ChatListState): boolean =>
  a.pinnedAt === b.pinnedAt &&
  a.archived === b.archived &&
  a.markedUnread === b.markedUnread &&
  a.clearedUpTo === b.clearedUpTo &&
  a.mutedUntil === b.mutedUntil;
