/**
 * Pure state transitions: what an SDK event or a REST answer does to the app state. No I/O here;
 * the controller (app/controller.ts) calls these and performs the side effects they imply.
 * Every transition is idempotent: replays after a reconnect and REST refetches may repeat anything.
 */
import { withNewMessage } from "../lib/sdk.ts";
import type {
  ChatListState,
  Conversation,
  ConversationSummary,
  Event,
  Message,
  PendingSend,
  User,
} from "../lib/sdk.ts";
import { applyEdit, applyReactions, deleteQuotes } from "./message-extras.ts";
import type { AppState, LocalSend, Receipts, Thread } from "./types.ts";

const NO_RECEIPTS: Receipts = { deliveredSome: 0, deliveredAll: 0, readSome: 0, readAll: 0 };

/** `items` plus `incoming`, ascending by seq, one entry per seq (the incoming copy wins). */
export function mergeMessages(items: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return items as Message[];
  const bySeq = new Map<number, Message>();
  for (const m of items) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

function patchChat(state: AppState, id: string, patch: (chat: ConversationSummary) => ConversationSummary): AppState {
  const chat = state.chats[id];
  if (!chat) return state;
  const next = patch(chat);
  return next === chat ? state : { ...state, chats: { ...state.chats, [id]: next } };
}

function patchThread(state: AppState, id: string, patch: (thread: Thread) => Thread): AppState {
  const thread = state.threads[id];
  if (!thread) return state;
  const next = patch(thread);
  return next === thread ? state : { ...state, threads: { ...state.threads, [id]: next } };
}

/** A stored message arrived (event, send answer or history): place it everywhere it shows. */
export function applyMessage(state: AppState, m: Message, viewing: boolean): AppState {
  let next = patchThread(state, m.conversationId, (t) => ({ ...t, items: mergeMessages(t.items, [m]) }));
  if (m.system?.kind === "disappearing_changed") next = setTimer(next, m.conversationId, m.system.seconds);
  if (m.senderId === state.me.id && next.local.some((p) => p.clientId === m.clientId)) {
    next = { ...next, local: next.local.filter((p) => p.clientId !== m.clientId) };
  }
  return patchChat(next, m.conversationId, (chat) => {
    const last = chat.lastMessage;
    if (last && last.seq > m.seq) return chat;
    if (last && last.seq === m.seq && last.deleted === m.deleted) return chat;
    const fresh = !last || m.seq > last.seq;
    const countsAsUnread = fresh && !viewing && m.senderId !== state.me.id && m.system === null && !m.deleted;
    return {
      // The hub's rule, applied here too: a newer message brings an archived, unmuted chat back.
      ...(fresh ? withNewMessage(chat, Date.now()) : chat),
      lastMessage: m,
      updatedAt: fresh && m.sentAt > chat.updatedAt ? m.sentAt : chat.updatedAt,
      unreadCount: countsAsUnread ? chat.unreadCount + 1 : chat.unreadCount,
    };
  });
}

/** The chat's disappearing timer changed (its system message): the info panel and header follow. */
function setTimer(state: AppState, conversationId: string, seconds: number): AppState {
  const details = state.details[conversationId];
  if (!details || (details.disappearingSeconds ?? 0) === seconds) return state;
  return { ...state, details: { ...state.details, [conversationId]: { ...details, disappearingSeconds: seconds } } };
}

/** Disappearing messages whose time came: gone from the thread, and from the chat list's preview. */
function expire(state: AppState, conversationId: string, seqs: readonly number[]): AppState {
  const gone = new Set(seqs);
  const next = patchThread(state, conversationId, (t) => ({ ...t, items: t.items.filter((m) => !gone.has(m.seq)) }));
  return patchChat(next, conversationId, (chat) =>
    chat.lastMessage && gone.has(chat.lastMessage.seq)
      ? { ...chat, lastMessage: { ...chat.lastMessage, text: null, media: null, deleted: true } }
      : chat,
  );
}

/** Deleted for everyone: keep the seq as a tombstone. */
function tombstone(state: AppState, conversationId: string, seq: number): AppState {
  const bury = (m: Message): Message => (m.seq === seq ? { ...m, text: null, media: null, deleted: true } : m);
  let next = patchThread(state, conversationId, (t) => ({ ...t, items: t.items.map(bury) }));
  next = patchChat(next, conversationId, (chat) =>
    chat.lastMessage?.seq === seq ? { ...chat, lastMessage: bury(chat.lastMessage) } : chat,
  );
  return next;
}

/** Deleted for me: gone from this device (the chat list preview is refetched by the controller). */
function hide(state: AppState, conversationId: string, seq: number): AppState {
  return patchThread(state, conversationId, (t) => ({ ...t, items: t.items.filter((m) => m.seq !== seq) }));
}

export function mergeReceipts(a: Receipts | undefined, b: Receipts): Receipts {
  const base = a ?? NO_RECEIPTS;
  return {
    deliveredSome: Math.max(base.deliveredSome, b.deliveredSome),
    deliveredAll: Math.max(base.deliveredAll, b.deliveredAll),
    readSome: Math.max(base.readSome, b.readSome),
    readAll: Math.max(base.readAll, b.readAll),
  };
}

/** One event of the user's log. `viewing` = the user is looking at that conversation right now. */
export function applyEvent(state: AppState, event: Event, viewing: boolean): AppState {
  switch (event.kind) {
    case "message":
      return applyMessage(state, event.message, viewing);
    case "message_deleted":
      return deleteQuotes(tombstone(state, event.conversationId, event.seq), event.conversationId, event.seq);
    case "message_hidden":
      return hide(state, event.conversationId, event.seq);
    case "conversation": {
      const c = event.conversation;
      const existing = state.chats[c.id];
      const chat: ConversationSummary = existing
        ? { ...existing, name: c.name, active: c.active, type: c.type, peerId: c.peerId }
        : { ...c, lastMessage: null, unreadCount: 0, updatedAt: event.at };
      return { ...state, chats: { ...state.chats, [c.id]: chat } };
    }
    case "status": {
      const receipts = mergeReceipts(state.receipts[event.conversationId], event);
      return { ...state, receipts: { ...state.receipts, [event.conversationId]: receipts } };
    }
    case "read_marker":
      return patchChat(clearMarkedUnread(state, event.conversationId), event.conversationId, (chat) =>
        chat.unreadCount > 0 && (chat.lastMessage?.seq ?? 0) <= event.upTo ? { ...chat, unreadCount: 0 } : chat,
      );
    case "chat_state":
      return setListState(state, event.conversationId, event.state);
    case "profile":
      return applyProfile(state, event.user);
    case "blocked":
      return setBlocked(state, event.userId, event.blocked);
    case "message_edited":
      return applyEdit(state, event.conversationId, event.seq, event.text, event.editedAt);
    case "reaction":
      return applyReactions(state, event.conversationId, event.seq, event.reactions);
    case "messages_expired":
      return expire(state, event.conversationId, event.seqs);
  }
}

/**
 * My pinned/archived/muted/unread/deleted state of a chat (a `chat_state` event, or a REST answer).
 * A chat deleted for me loses the messages it had up to then, and an unread count with them.
 */
export function setListState(state: AppState, conversationId: string, listState: ChatListState): AppState {
  const cleared = listState.clearedUpTo;
  let next = patchChat(state, conversationId, (chat) => {
    const wasCleared = chat.listState?.clearedUpTo ?? null;
    const newlyCleared = cleared !== null && cleared !== wasCleared;
    return { ...chat, listState, unreadCount: newlyCleared ? 0 : chat.unreadCount };
  });
  if (cleared !== null)
    next = patchThread(next, conversationId, (t) =>
      t.items.some((m) => m.seq <= cleared) ? { ...t, items: t.items.filter((m) => m.seq > cleared) } : t,
    );
  return next;
}

/** Opened or read on some device: no longer marked unread. */
export function clearMarkedUnread(state: AppState, conversationId: string): AppState {
  return patchChat(state, conversationId, (chat) =>
    chat.listState?.markedUnread ? { ...chat, listState: { ...chat.listState, markedUnread: false } } : chat,
  );
}

/**
 * A group I just created or joined: its details, and a chat-list row until the server's list (last
 * message, unread count) replaces it. A row already there is kept.
 */
export function placeGroup(state: AppState, conversation: Conversation, at: string): AppState {
  const row: ConversationSummary = state.chats[conversation.id] ?? {
    id: conversation.id,
    type: "group",
    name: conversation.name,
    peerId: null,
    lastMessage: null,
    unreadCount: 0,
    updatedAt: at,
    active: true,
  };
  return {
    ...state,
    details: { ...state.details, [conversation.id]: conversation },
    chats: { ...state.chats, [conversation.id]: row },
  };
}

/** I blocked or unblocked someone (here, on another device, or the list as loaded). */
export function setBlocked(state: AppState, userId: string, blocked: boolean): AppState {
  if (Boolean(state.blocked[userId]) === blocked) return state;
  const next = { ...state.blocked };
  if (blocked) next[userId] = true;
  else delete next[userId];
  return { ...state, blocked: next };
}

const sameUser = (a: User, b: User): boolean =>
  a.displayName === b.displayName && a.about === b.about && a.pictureUrl === b.pictureUrl && a.username === b.username;

/**
 * Someone's current public profile (a `profile` event, or the chat list's `peer`): every view that
 * names or pictures them reads `users`, so the chat list, headers and member lists follow. Mine
 * (changed on another device) replaces `me` too.
 */
export function applyProfile(state: AppState, user: User): AppState {
  const known = state.users[user.id];
  if (known && sameUser(known, user)) return state;
  return {
    ...state,
    users: { ...state.users, [user.id]: user },
    me: user.id === state.me.id ? user : state.me,
  };
}

/**
 * The chat list from REST replaces ours, except where we already know a newer last message. Its peer
 * profiles become our copies, and its receipt watermarks raise ours (they only grow), so a fresh
 * device shows names, pictures and ticks without asking for each.
 */
export function setChats(state: AppState, list: readonly ConversationSummary[]): AppState {
  const chats: Record<string, ConversationSummary> = {};
  let next = state;
  let receipts = state.receipts;
  for (const fresh of list) {
    const known = state.chats[fresh.id];
    const knownNewer = known?.lastMessage && (fresh.lastMessage?.seq ?? 0) < known.lastMessage.seq;
    chats[fresh.id] = knownNewer ? { ...fresh, lastMessage: known.lastMessage, updatedAt: known.updatedAt } : fresh;
    if (fresh.peer) next = applyProfile(next, fresh.peer);
    // All zero says nothing yet (or a chat from before the list carried them): leave it to events and
    // to the controller's message-status fallback.
    if (fresh.status && fresh.status.deliveredSome > 0) {
      const merged = mergeReceipts(receipts[fresh.id], fresh.status);
      const before = receipts[fresh.id];
      if (!before || !sameReceipts(before, merged)) receipts = { ...receipts, [fresh.id]: merged };
    }
  }
  return { ...next, chats, receipts };
}

const sameReceipts = (a: Receipts, b: Receipts): boolean =>
  a.deliveredSome === b.deliveredSome &&
  a.deliveredAll === b.deliveredAll &&
  a.readSome === b.readSome &&
  a.readAll === b.readAll;

/** A history page arrived: `older` = it was fetched with `before` (scrolling back). */
export function addHistory(
  state: AppState,
  conversationId: string,
  page: readonly Message[],
  limit: number,
  older: boolean,
): AppState {
  const thread = state.threads[conversationId];
  // Deleted for me: what the chat held up to then never shows again on this device.
  const cleared = state.chats[conversationId]?.listState?.clearedUpTo ?? 0;
  const kept = cleared > 0 ? page.filter((m) => m.seq > cleared) : page;
  const items = mergeMessages(older ? (thread?.items ?? []) : [], [...kept, ...(older ? [] : (thread?.items ?? []))]);
  const first = items[0];
  const hasOlder = page.length >= limit && first !== undefined && first.seq > Math.max(1, cleared + 1);
  return {
    ...state,
    threads: { ...state.threads, [conversationId]: { items, hasOlder, loadingOlder: false } },
  };
}

/** A chat I just sent to moves up the chat list. */
function touchChat(state: AppState, conversationId: string, at: number): AppState {
  const iso = new Date(at).toISOString();
  return patchChat(state, conversationId, (chat) => (iso > chat.updatedAt ? { ...chat, updatedAt: iso } : chat));
}

/** A send this tab shows before the outbox has it (an upload, a text behind one). */
export function addLocalSend(state: AppState, send: LocalSend): AppState {
  return touchChat({ ...state, local: [...state.local, send] }, send.conversationId, send.queuedAt);
}

export function patchLocalSend(state: AppState, clientId: string, patch: Partial<LocalSend>): AppState {
  if (!state.local.some((p) => p.clientId === clientId)) return state;
  return { ...state, local: state.local.map((p) => (p.clientId === clientId ? { ...p, ...patch } : p)) };
}

/** The server refused a send for good: its bubble stays, with why, until discarded. */
export function failLocalSend(state: AppState, send: LocalSend, error: string): AppState {
  const known = state.local.some((p) => p.clientId === send.clientId);
  const failed = { ...send, error, progress: undefined };
  return known
    ? patchLocalSend(state, send.clientId, { error, progress: undefined })
    : { ...state, local: [...state.local, failed] };
}

export function discardLocalSend(state: AppState, clientId: string): AppState {
  return { ...state, local: state.local.filter((p) => p.clientId !== clientId) };
}

/** The SDK's outbox changed: mirror it; chats with a newly queued send move up the list. */
export function setQueued(state: AppState, queued: readonly PendingSend[]): AppState {
  const before = new Set(state.queued.map((p) => p.clientId));
  let next: AppState = { ...state, queued };
  for (const p of queued) if (!before.has(p.clientId)) next = touchChat(next, p.conversationId, p.queuedAt);
  return next;
}

export function markChatRead(state: AppState, conversationId: string): AppState {
  return patchChat(state, conversationId, (chat) => (chat.unreadCount === 0 ? chat : { ...chat, unreadCount: 0 }));
}

/** Typing indicators: set, clear, and drop the expired ones. */
export function setTyping(state: AppState, conversationId: string, userId: string, until: number | null): AppState {
  const current = state.typing[conversationId] ?? {};
  if (until === null && !(userId in current)) return state;
  const nextConv = { ...current };
  if (until === null) delete nextConv[userId];
  else nextConv[userId] = until;
  return { ...state, typing: { ...state.typing, [conversationId]: nextConv } };
}

export function expireTyping(state: AppState, now: number): AppState {
  let changed = false;
  const typing: AppState["typing"] = {};
  for (const [conv, users] of Object.entries(state.typing)) {
    const alive = Object.fromEntries(Object.entries(users).filter(([, until]) => until > now));
    if (Object.keys(alive).length !== Object.keys(users).length) changed = true;
    typing[conv] = alive;
  }
  return changed ? { ...state, typing } : state;
}
