/** Derived views of the state. Memoised where a component would otherwise get a new array each render. */
import type { ConversationSummary, Message } from "../lib/sdk.ts";
import type { AppState, LocalSend, Receipts } from "./types.ts";

export type Tick = "pending" | "sent" | "delivered" | "read" | "failed";

/** ✓ sent (has seq), ✓✓ delivered to all recipients, blue ✓✓ read by all (protocol `status` watermarks). */
export function tickFor(seq: number, receipts: Receipts | undefined): Tick {
  if (receipts && seq <= receipts.readAll) return "read";
  if (receipts && seq <= receipts.deliveredAll) return "delivered";
  return "sent";
}

let sortedFor: AppState["chats"] | null = null;
let sorted: ConversationSummary[] = [];
/** Chats newest activity first. */
export function sortedChats(state: AppState): ConversationSummary[] {
  if (state.chats !== sortedFor) {
    sortedFor = state.chats;
    sorted = Object.values(state.chats).sort((a, b) =>
      a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0,
    );
  }
  return sorted;
}

/** The name a chat shows: the group's name, or the other person's. */
export function chatTitle(state: AppState, chat: ConversationSummary): string {
  if (chat.type === "group") return chat.name ?? "Group";
  const peer = chat.peerId ? state.users[chat.peerId] : undefined;
  return peer?.displayName ?? chat.name ?? "…";
}

/** A user's display name as this user sees it ("You" for me). */
export function nameOf(state: AppState, userId: string): string {
  if (userId === state.me.id) return "You";
  return state.users[userId]?.displayName ?? "Someone";
}

const emptyOutbox: LocalSend[] = [];
const outboxCache = new WeakMap<LocalSend[], Map<string, LocalSend[]>>();
/** My not-yet-stored messages in one conversation, oldest first. */
export function pendingIn(state: AppState, conversationId: string): LocalSend[] {
  let byConv = outboxCache.get(state.outbox);
  if (!byConv) {
    byConv = new Map();
    for (const p of state.outbox) byConv.set(p.conversationId, [...(byConv.get(p.conversationId) ?? []), p]);
    outboxCache.set(state.outbox, byConv);
  }
  return byConv.get(conversationId) ?? emptyOutbox;
}

/** Newest seq of a loaded thread (or of the chat's last message). */
export function newestSeq(state: AppState, conversationId: string): number {
  const items = state.threads[conversationId]?.items;
  const last: Message | undefined = items?.[items.length - 1];
  return Math.max(last?.seq ?? 0, state.chats[conversationId]?.lastMessage?.seq ?? 0);
}

/** People typing in a conversation right now, other than me. */
export function typingIn(state: AppState, conversationId: string): string[] {
  const users = state.typing[conversationId];
  if (!users) return [];
  return Object.keys(users).filter((id) => id !== state.me.id);
}
