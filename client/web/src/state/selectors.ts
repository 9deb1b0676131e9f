/** Derived views of the state. Memoised where a component would otherwise get a new array each render. */
import { archivedList, mainList, type ConversationSummary, type Message } from "../lib/sdk.ts";
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

let mainFor: AppState["chats"] | null = null;
let main: ConversationSummary[] = [];
/** The chat list as shown: pinned on top, then by activity; not archived, not deleted for me. */
export function listedChats(state: AppState): ConversationSummary[] {
  if (state.chats !== mainFor) {
    mainFor = state.chats;
    main = mainList(Object.values(state.chats));
  }
  return main;
}

let archivedFor: AppState["chats"] | null = null;
let archived: ConversationSummary[] = [];
/** The Archived list, newest activity first. */
export function archivedChats(state: AppState): ConversationSummary[] {
  if (state.chats !== archivedFor) {
    archivedFor = state.chats;
    archived = archivedList(Object.values(state.chats));
  }
  return archived;
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

const noPending: LocalSend[] = [];
const pendingCache = new Map<string, { from: readonly unknown[]; result: LocalSend[] }>();

/**
 * My not-yet-stored messages in one conversation, oldest first: the SDK's queued sends, each with
 * what this tab adds to it (file, progress, error), and this tab's sends the outbox has not got yet.
 * A send whose message already is in the thread is not shown twice.
 */
export function pendingIn(state: AppState, conversationId: string): LocalSend[] {
  const thread = state.threads[conversationId];
  const from = [state.queued, state.local, thread?.items ?? noPending];
  const cached = pendingCache.get(conversationId);
  if (cached && cached.from.every((x, i) => x === from[i])) return cached.result;
  const local = new Map(state.local.filter((p) => p.conversationId === conversationId).map((p) => [p.clientId, p]));
  const merged: LocalSend[] = [];
  for (const q of state.queued) {
    if (q.conversationId !== conversationId) continue;
    const extra = local.get(q.clientId);
    local.delete(q.clientId);
    merged.push(extra ? { ...q, ...extra } : { ...q });
  }
  merged.push(...local.values());
  const stored = merged.length > 0 ? new Set(thread?.items.map((m) => m.clientId)) : null;
  const result = merged.filter((p) => !stored?.has(p.clientId)).sort((a, b) => a.queuedAt - b.queuedAt);
  const stable = result.length === 0 ? noPending : result;
  pendingCache.set(conversationId, { from, result: stable });
  return stable;
}

/** Sends still to go out (queued or uploading, not refused), across all chats: the offline banner's count. */
export function waitingCount(state: AppState): number {
  const failed = new Set(state.local.filter((p) => p.error).map((p) => p.clientId));
  const waiting = new Set(state.queued.map((p) => p.clientId));
  for (const p of state.local) waiting.add(p.clientId);
  for (const id of failed) waiting.delete(id);
  return waiting.size;
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
