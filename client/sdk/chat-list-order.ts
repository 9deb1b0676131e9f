/**
 * How a client lays out the chat list from each chat's list state (README "Chat list state"):
 * pinned chats on top (newest pin first), then the rest by last activity; archived chats in their
 * own list; chats deleted for me hidden until a newer message. Pure, so every client orders alike.
 */
import { DEFAULT_CHAT_LIST_STATE, afterNewMessage, type ChatListState } from "./protocol/index.ts";
import type { ConversationSummary } from "./protocol/index.ts";

export const listStateOf = (chat: ConversationSummary): ChatListState => chat.listState ?? DEFAULT_CHAT_LIST_STATE;

/** False for a chat deleted for me that has had no message since. */
export function shownInList(chat: ConversationSummary): boolean {
  const cleared = listStateOf(chat).clearedUpTo;
  return cleared === null || (chat.lastMessage?.seq ?? 0) > cleared;
}

const byActivity = (a: ConversationSummary, b: ConversationSummary): number =>
  a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** The main list: not archived, not hidden; pinned first by newest pin, then newest activity first. */
export function mainList(chats: Iterable<ConversationSummary>): ConversationSummary[] {
  const shown = [...chats].filter((c) => shownInList(c) && !listStateOf(c).archived);
  const pinned = shown
    .filter((c) => listStateOf(c).pinnedAt !== null)
    .sort((a, b) => {
      const [pa, pb] = [listStateOf(a).pinnedAt ?? "", listStateOf(b).pinnedAt ?? ""];
      return pa < pb ? 1 : pa > pb ? -1 : byActivity(a, b);
    });
  const rest = shown.filter((c) => listStateOf(c).pinnedAt === null).sort(byActivity);
  return [...pinned, ...rest];
}

/** The Archived list, newest activity first. */
export function archivedList(chats: Iterable<ConversationSummary>): ConversationSummary[] {
  return [...chats].filter((c) => shownInList(c) && listStateOf(c).archived).sort(byActivity);
}

/**
 * A chat's state once a message newer than its last one arrived: the hub's rule (an archived chat
 * comes back unless muted), applied on the device so it needs no event of its own.
 */
export function withNewMessage(chat: ConversationSummary, now: number): ConversationSummary {
  if (!chat.listState) return chat;
  const next = afterNewMessage(chat.listState, now);
  return next === chat.listState ? chat : { ...chat, listState: next };
}
