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
