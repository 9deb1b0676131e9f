/**
 * A user's own state of each chat in their list (README "Chat list state"): pinned, archived, muted,
 * marked unread, deleted for me. It belongs to the user, not to the conversation: their hub keeps it
 * on the chat-list row and logs every change as a `chat_state` event, so all their devices agree.
 */
import { z } from "zod";

/** At most this many chats are pinned to the top of the list at once (WhatsApp's number). */
export const MAX_PINNED_CHATS = 3;

/**
 * The state of one chat in one user's list. `pinnedAt` orders pinned chats (newest pin first);
 * `mutedUntil` is an ISO time, `"always"`, or null; `clearedUpTo` is the last seq when the user
 * deleted the chat for themselves (null: never): the list hides the chat until a newer message,
 * and their devices hide the messages up to it.
 */
export const ChatListState = z.object({
  pinnedAt: z.string().nullable(),
  archived: z.boolean(),
  mutedUntil: z.string().nullable(),
  markedUnread: z.boolean(),
  clearedUpTo: z.number().nullable(),
});
export type ChatListState = z.infer<typeof ChatListState>;

/** The state of a chat nobody changed. */
export const DEFAULT_CHAT_LIST_STATE: ChatListState = {
  pinnedAt: null,
  archived: false,
  mutedUntil: null,
  markedUnread: false,
  clearedUpTo: null,
};

/**
 * `PATCH /v1/conversations/:id/list-state`: any of the three switches, at least one. Pinning an
 * archived chat takes it out of the archive; archiving a pinned chat unpins it (as WhatsApp does).
 * `unread: true` marks the chat unread until it is next opened on any device.
 */
export const ChatListStateBody = z
  .strictObject({ pinned: z.boolean().optional(), archived: z.boolean().optional(), unread: z.boolean().optional() })
  .refine((b) => b.pinned !== undefined || b.archived !== undefined || b.unread !== undefined, {
    message: "give at least one of pinned, archived, unread",
  });
export type ChatListStateBody = z.infer<typeof ChatListStateBody>;

/** Answer of the list-state routes (and of `POST /v1/conversations/:id/clear`). */
export const ChatListStateAnswer = z.object({ conversationId: z.string(), state: ChatListState });
export type ChatListStateAnswer = z.infer<typeof ChatListStateAnswer>;

/** The `chat_state` event: the chat's whole list state after a change (a later one replaces it). */
export const ChatStateEvent = z.object({
  kind: z.literal("chat_state"),
  conversationId: z.string(),
  state: ChatListState,
});

/** Whether a mute is in force at `now` (ms). */
export function isMuted(state: ChatListState | undefined, now: number): boolean {
  const until = state?.mutedUntil;
  if (!until) return false;
  return until === "always" || Date.parse(until) > now;
}

/**
 * The rule the hub applies to its row when a chat gets a newer message, for devices to apply the
 * same way: an archived chat comes back unless muted.
 */
export function afterNewMessage(state: ChatListState, now: number): ChatListState {
  return state.archived && !isMuted(state, now) ? { ...state, archived: false } : state;
}
