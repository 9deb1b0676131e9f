/**
 * State transitions for edits, reactions and quotes (pure, idempotent like ./reducers.ts): an edit
 * replaces a message's text wherever it shows; a reaction event replaces the message's reactions
 * (it carries the whole state, so a repeat or a late event is harmless); a deletion for everyone
 * also turns the quotes of that message into "deleted".
 */
import type { Message, ReactionSummary } from "../lib/sdk.ts";
import type { AppState } from "./types.ts";

function patchMessage(state: AppState, conversationId: string, seq: number, patch: (m: Message) => Message): AppState {
  const thread = state.threads[conversationId];
  const chat = state.chats[conversationId];
  let next = state;
  if (thread && thread.items.some((m) => m.seq === seq)) {
    const items = thread.items.map((m) => (m.seq === seq ? patch(m) : m));
    next = { ...next, threads: { ...next.threads, [conversationId]: { ...thread, items } } };
  }
  if (chat?.lastMessage?.seq === seq) {
    next = { ...next, chats: { ...next.chats, [conversationId]: { ...chat, lastMessage: patch(chat.lastMessage) } } };
  }
  return next;
}

export function applyEdit(state: AppState, conversationId: string, seq: number, text: string, editedAt: string) {
  return patchMessage(state, conversationId, seq, (m) => (m.deleted ? m : { ...m, text, editedAt }));
}

export function applyReactions(state: AppState, conversationId: string, seq: number, reactions: ReactionSummary[]) {
  return patchMessage(state, conversationId, seq, (m) => ({ ...m, reactions }));
}

/** Replies quoting `seq` now show "deleted". */
export function deleteQuotes(state: AppState, conversationId: string, seq: number): AppState {
  const thread = state.threads[conversationId];
  if (!thread || !thread.items.some((m) => m.replyTo?.seq === seq)) return state;
  const items = thread.items.map((m) =>
    m.replyTo?.seq === seq ? { ...m, replyTo: { ...m.replyTo, snippet: null, mediaType: null, deleted: true } } : m,
  );
  return { ...state, threads: { ...state.threads, [conversationId]: { ...thread, items } } };
}
