/**
 * Finding messages by their words, on this device: the messages loaded in memory (a chat's history
 * pages, fetched on demand for older ones). Case- and accent-insensitive, so "cafe" finds "Café".
 */
import type { Message } from "./sdk.ts";

/** Lower case without accents: what both the query and the text are compared as. */
export function foldForSearch(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** Messages whose text contains `query` (trimmed), newest first; none for a blank query. */
export function searchMessages(items: readonly Message[], query: string): Message[] {
  const needle = foldForSearch(query.trim());
  if (!needle) return [];
  const found: Message[] = [];
  for (let i = items.length - 1; i >= 0; i--) {
    const m = items[i];
    if (m && !m.deleted && m.text && foldForSearch(m.text).includes(needle)) found.push(m);
  }
  return found;
}

/** A message found across chats: where it is and what it says. */
export interface ChatHit {
  conversationId: string;
  message: Message;
}

/**
 * Search across chats, on this device: every message it holds (the chats' loaded history and each
 * chat's last message), newest first, at most `limit`. Nothing is asked of the server.
 */
export function searchAcrossChats(
  threads: Readonly<Record<string, { items: readonly Message[] }>>,
  lastMessages: readonly Message[],
  query: string,
  limit = 20,
): ChatHit[] {
  const bySeq = new Map<string, Message>();
  for (const m of lastMessages) bySeq.set(`${m.conversationId}:${m.seq}`, m);
  for (const thread of Object.values(threads))
    for (const m of thread.items) bySeq.set(`${m.conversationId}:${m.seq}`, m);
  const all = [...bySeq.values()].sort((a, b) => (a.sentAt < b.sentAt ? -1 : a.sentAt > b.sentAt ? 1 : 0));
  return searchMessages(all, query)
    .slice(0, limit)
    .map((message) => ({ conversationId: message.conversationId, message }));
}
