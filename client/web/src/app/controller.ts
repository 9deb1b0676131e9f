/**
 * The controller owns one logged-in session: the SDK client, the IndexedDB store and the app state.
 * SDK events go through the pure reducers (state/reducers.ts); user actions call REST or the socket
 * and then do the same. Components never talk to the SDK directly, only to the controller and its
 * action groups: `messages` (send, upload, typing, delete), `groups` and `profile`.
 */
import { Notifications } from "./notifications.ts";
import {
  ApiError,
  DEFAULT_HISTORY_PAGE,
  MAX_PRESENCE_IDS,
  MessengerClient,
  type Event,
  type User,
} from "../lib/sdk.ts";
import { createStore, type Store } from "../lib/tiny-store.ts";
import { IndexedDbStore } from "../lib/idb-store.ts";
import { deviceIdFor, saveSession } from "../lib/session.ts";
import { setTokenSource } from "../lib/media.ts";
import {
  addHistory,
  applyEvent,
  expireTyping,
  markChatRead,
  mergeReceipts,
  setChats,
  setQueued,
  setTyping,
} from "../state/reducers.ts";
import { newestSeq } from "../state/selectors.ts";
import { initialState, type AppState, type LeftPanel, type RightPanel } from "../state/types.ts";
import { GroupActions } from "./group-actions.ts";
import { MessageExtraActions } from "./extra-actions.ts";
import { MessageActions } from "./message-actions.ts";
import { BlockActions } from "./block-actions.ts";
import { GroupSettingsActions } from "./group-settings-actions.ts";
import { InviteActions } from "./invite-actions.ts";
import { ChatListActions } from "./chat-list-actions.ts";
import { ProfileActions } from "./profile-actions.ts";
import type { SessionPort } from "./session-port.ts";
import { syncUrl } from "./url-state.ts";
import { keepChatList, restoreChatList } from "./offline-snapshot.ts";
import { keepFailedSends, restoreFailedSends } from "./failed-sends.ts";
import { showUnreadInTab } from "./unread-badge.ts";

/** Messages per history page (the server's default). */
const PAGE = DEFAULT_HISTORY_PAGE;
/** A typing indicator the sender stopped renewing disappears after this long. */
const TYPING_SHOWN_MS = 6_000;
/** How often the open direct chat re-reads the other person's presence. */
const PRESENCE_REFRESH_MS = 60_000;
const TOAST_MS = 4_000;

export class Controller implements SessionPort {
  private push: Notifications | null = null;
  readonly store: Store<AppState>;
  readonly client: MessengerClient;
  readonly messages = new MessageActions(this);
  readonly extras = new MessageExtraActions(this, (id) => this.loadOlder(id));
  readonly groups = new GroupActions(this);
  readonly profile = new ProfileActions(this);
  readonly blocks = new BlockActions(this);
  readonly groupSettings = new GroupSettingsActions(this);
  readonly invites = new InviteActions(this);
  readonly chatList = new ChatListActions(this);
  private readonly idb: IndexedDbStore;
  private readonly cleanups: Array<() => void> = [];
  private readonly readSent = new Map<string, number>();
  private readonly usersLoading = new Set<string>();
  private readonly presenceAsked = new Set<string>();
  private chatsTimer: ReturnType<typeof setTimeout> | null = null;
  /** The chat list request in flight: events replayed meanwhile wait for it instead of asking again. */
  private chatsLoading: Promise<void> | null = null;
  private readonly unknownWhileLoading = new Set<string>();
  private receiptsTimer: ReturnType<typeof setTimeout> | null = null;
  private toastTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    me: User,
    token: string,
    private readonly onSignedOut: () => void,
  ) {
    this.store = createStore(initialState(me));
    this.idb = new IndexedDbStore(me.id);
    this.client = new MessengerClient({
      baseUrl: location.origin,
      token,
      deviceId: deviceIdFor(me.id),
      store: this.idb,
      minBackoffMs: 250,
      // Short: after the network comes back, queued messages should go out within seconds.
      maxBackoffMs: 3_000,
    });
    setTokenSource(() => this.client.api.token);
  }

  get api() {
    return this.client.api;
  }
  /** Web Push on this browser (settings screen, logout). */
  get notifications(): Notifications {
    this.push ??= new Notifications(this.client.api);
    return this.push;
  }
  get me(): User {
    return this.store.get().me;
  }
  connection() {
    return this.client.connection;
  }
  state(): AppState {
    return this.store.get();
  }
  /** Applies a state transition (ignored once the session stopped). */
  update(update: (state: AppState) => AppState): void {
    if (!this.stopped) this.store.set(update);
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  async start(): Promise<void> {
    const receipts = await this.idb.loadReceipts().catch(() => ({}));
    this.update((s) => ({ ...s, receipts }));
    await restoreChatList(this.idb, this.store);
    await restoreFailedSends(this.idb, this.store);
    this.cleanups.push(
      keepChatList(this.idb, this.store),
      keepFailedSends(this.idb, this.store),
      showUnreadInTab(this.store),
    );
    this.wireClient();
    this.wireWindow();
    void this.refreshChats();
    void this.blocks.load();
    // This deploy's limits and delete window; the protocol's defaults stand until (or unless) it answers.
    void this.api.config().then(
      (config) => this.update((s) => ({ ...s, config })),
      () => undefined,
    );
    void this.api.me().then(
      (me) => this.setMe(me),
      (error: unknown) => {
        if (error instanceof ApiError && error.code === "unauthorized") this.signedOut();
      },
    );
    this.client.connect().catch(() => undefined);
    void this.notifications.resume().catch(() => undefined);
    // The URL names the open chat and panels (a link, a notification click, a reload): README "The web client".
    this.cleanups.push(syncUrl(this));
  }

  stop(): void {
    this.stopped = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.messages.dispose();
    for (const timer of [this.chatsTimer, this.receiptsTimer, this.toastTimer]) if (timer) clearTimeout(timer);
    this.client.close();
  }

  private wireClient(): void {
    const c = this.client;
    this.cleanups.push(
      c.on("event", (event) => this.onEvent(event)),
      c.on("state", (connection) => this.update((s) => ({ ...s, connection }))),
      c.on("synced", ({ reset }) => {
        if (reset) {
          // Too far behind to replay: profile events may be among what was missed, so the profiles
          // we hold are refetched too (the chat list brings its peers; the rest are asked as shown).
          this.update((s) => ({ ...s, threads: {}, users: { [s.me.id]: s.me } }));
          void this.refreshChats();
          const active = this.store.get().activeChatId;
          if (active) {
            void this.loadNewest(active);
            void this.refreshDetails(active);
          }
        }
        this.readSent.clear();
        this.markActiveRead();
      }),
      c.on("presence", (p) => this.update((s) => ({ ...s, presence: { ...s.presence, [p.userId]: p } }))),
      c.on("typing", ({ conversationId, userId, typing }) => {
        this.update((s) => setTyping(s, conversationId, userId, typing ? Date.now() + TYPING_SHOWN_MS : null));
        if (typing) this.seenActive(userId);
      }),
      c.on("unauthorized", () => this.signedOut()),
      // The SDK owns the outbox (IndexedDB, re-sends); the app shows what it holds as pending,
      // including sends queued before a reload, which it loads when connecting.
      c.on("outbox", (queued) => this.update((s) => setQueued(s, queued))),
      c.on("sent", (message) => this.messages.sent(message)),
    );
  }

  private wireWindow(): void {
    const offline = () => {
      this.update((s) => ({ ...s, networkOnline: false }));
      // The socket may look open for a while after the network is gone; stop trusting it now.
      this.client.connection?.drop();
    };
    const online = () => this.update((s) => ({ ...s, networkOnline: true }));
    const fromWorker = (e: MessageEvent) => {
      const data = e.data as { type?: unknown; conversationId?: unknown } | null;
      if (data?.type === "open-conversation" && typeof data.conversationId === "string")
        this.openChat(data.conversationId);
    };
    navigator.serviceWorker?.addEventListener("message", fromWorker);
    this.cleanups.push(() => navigator.serviceWorker?.removeEventListener("message", fromWorker));
    const visible = () => this.markActiveRead();
    window.addEventListener("offline", offline);
    window.addEventListener("online", online);
    // The network may have changed between the state's creation and these listeners: resync now.
    if (navigator.onLine) online();
    else offline();
    document.addEventListener("visibilitychange", visible);
    const typingSweep = setInterval(() => this.update((s) => expireTyping(s, Date.now())), 1_000);
    // "last seen …" of the open chat stays fresh even if a presence push was missed.
    const presenceSweep = setInterval(() => {
      const s = this.store.get();
      const peer = s.activeChatId ? s.chats[s.activeChatId]?.peerId : null;
      if (peer && document.visibilityState === "visible") void this.refreshPresence([peer]);
    }, PRESENCE_REFRESH_MS);
    this.cleanups.push(() => {
      window.removeEventListener("offline", offline);
      window.removeEventListener("online", online);
      document.removeEventListener("visibilitychange", visible);
      clearInterval(typingSweep);
      clearInterval(presenceSweep);
    });
  }

  isViewing(conversationId: string): boolean {
    return this.store.get().activeChatId === conversationId && document.visibilityState === "visible";
  }

  private onEvent(event: Event): void {
    if (event.kind === "blocked") return this.update((s) => applyEvent(s, event, false));
    if (event.kind === "profile") {
      this.update((s) => applyEvent(s, event, false));
      // Mine, changed on another device: the saved session shows it after a reload too.
      if (event.user.id === this.me.id) this.setMe(event.user);
      return;
    }
    const conversationId =
      event.kind === "message"
        ? event.message.conversationId
        : event.kind === "conversation"
          ? event.conversation.id
          : event.conversationId;
    const viewing = this.isViewing(conversationId);
    this.update((s) => applyEvent(s, event, viewing));
    const state = this.store.get();
    switch (event.kind) {
      case "message": {
        const m = event.message;
        if (!state.chats[conversationId]) this.unknownChat(conversationId);
        this.ensureUsers([m.senderId]);
        if (m.senderId !== this.me.id) this.seenActive(m.senderId);
        if (m.system) {
          if (state.details[conversationId]) void this.refreshDetails(conversationId);
          if (m.system.kind === "members_added") this.ensureUsers(m.system.userIds);
        }
        if (viewing) this.markActiveRead();
        return;
      }
      case "message_hidden":
        return this.scheduleChatsRefresh();
      case "conversation":
        if (event.conversation.peerId) {
          this.ensureUsers([event.conversation.peerId]);
          // A list on its way asks presence for all its peers at once.
          if (!this.chatsLoading) void this.refreshPresence([event.conversation.peerId]);
        }
        if (state.details[conversationId]) void this.refreshDetails(conversationId);
        return;
      case "status":
        return this.scheduleReceiptsSave();
      default:
        return;
    }
  }

  // ---- loading ------------------------------------------------------------------------------------

  refreshChats(): Promise<void> {
    this.chatsLoading ??= this.loadChats().finally(() => (this.chatsLoading = null));
    return this.chatsLoading;
  }

  /** A message for a chat not in the list: the list is fetched again, once, unless one is on its way. */
  private unknownChat(conversationId: string): void {
    if (this.chatsLoading) this.unknownWhileLoading.add(conversationId);
    else this.scheduleChatsRefresh();
  }

  private async loadChats(): Promise<void> {
    try {
      const list = await this.api.conversations();
      this.update((s) => setChats(s, list));
      // Chats heard of while this request was out and still not in its answer: ask once more.
      const listed = new Set(list.map((c) => c.id));
      const missed = [...this.unknownWhileLoading].some((id) => !listed.has(id));
      this.unknownWhileLoading.clear();
      if (missed) this.scheduleChatsRefresh();
      // The list's receipt watermarks may have raised ours: keep them for the next load.
      if (list.some((c) => (c.status?.deliveredSome ?? 0) > 0)) this.scheduleReceiptsSave();
      const peers = list.flatMap((c) => (c.peerId ? [c.peerId] : []));
      // Peers the list came with a profile for are known now; ensureUsers skips them.
      this.ensureUsers([...peers, ...list.flatMap((c) => (c.lastMessage ? [c.lastMessage.senderId] : []))]);
      void this.refreshPresence(peers);
    } catch {
      // offline: the list stays as it was; the next synced/event brings it up to date
    }
  }

  scheduleChatsRefresh(): void {
    if (this.chatsTimer) return;
    this.chatsTimer = setTimeout(() => {
      this.chatsTimer = null;
      void this.refreshChats();
    }, 300);
  }

  private scheduleReceiptsSave(): void {
    if (this.receiptsTimer) return;
    this.receiptsTimer = setTimeout(() => {
      this.receiptsTimer = null;
      void this.idb.saveReceipts(this.store.get().receipts).catch(() => undefined);
    }, 500);
  }

  /** Fetches profiles of people not known yet (each once at a time). */
  ensureUsers(ids: readonly string[]): void {
    const state = this.store.get();
    const missing = [...new Set(ids)].filter((id) => !state.users[id] && !this.usersLoading.has(id));
    for (const id of missing) {
      this.usersLoading.add(id);
      void this.api
        .user(id)
        .then((user) => this.update((s) => ({ ...s, users: { ...s.users, [id]: user } })))
        .catch(() => undefined)
        .finally(() => this.usersLoading.delete(id));
    }
  }

  /**
   * Someone just typed or sent: they are online, whatever we last heard. Presence pushes can be
   * missed (privacy applied before we became contacts, a blip inside the offline grace), so ask.
   */
  private seenActive(userId: string): void {
    const state = this.store.get();
    if (state.presence[userId]?.online || this.presenceAsked.has(userId)) return;
    if (!Object.values(state.chats).some((c) => c.peerId === userId)) return;
    this.presenceAsked.add(userId);
    void this.refreshPresence([userId]).finally(() => this.presenceAsked.delete(userId));
  }

  async refreshPresence(ids: readonly string[]): Promise<void> {
    const unique = [...new Set(ids)].filter((id) => id !== this.me.id);
    for (let i = 0; i < unique.length; i += MAX_PRESENCE_IDS) {
      try {
        const list = await this.api.presence(unique.slice(i, i + MAX_PRESENCE_IDS));
        this.update((s) => ({
          ...s,
          presence: { ...s.presence, ...Object.fromEntries(list.map((p) => [p.userId, p])) },
        }));
      } catch {
        return;
      }
    }
  }

  async refreshDetails(conversationId: string): Promise<void> {
    try {
      const conversation = await this.api.conversation(conversationId);
      this.update((s) => ({ ...s, details: { ...s.details, [conversationId]: conversation } }));
      this.ensureUsers(conversation.members.map((m) => m.userId));
    } catch {
      // removed from the group, or offline: keep what we had
    }
  }

  private async loadNewest(conversationId: string): Promise<void> {
    try {
      const page = await this.api.history(conversationId, { limit: PAGE });
      this.update((s) => addHistory(s, conversationId, page, PAGE, false));
      this.ensureUsers(page.map((m) => m.senderId));
      this.markActiveRead();
      void this.fillReceipts(conversationId);
    } catch {
      this.update((s) => {
        const t = s.threads[conversationId];
        return t ? { ...s, threads: { ...s.threads, [conversationId]: { ...t, loadingOlder: false } } } : s;
      });
    }
  }

  /** Scrolling back: the page before the oldest loaded message. */
  async loadOlder(conversationId: string): Promise<void> {
    const thread = this.store.get().threads[conversationId];
    const first = thread?.items[0];
    if (!thread || !first || !thread.hasOlder || thread.loadingOlder) return;
    this.update((s) => ({ ...s, threads: { ...s.threads, [conversationId]: { ...thread, loadingOlder: true } } }));
    try {
      const page = await this.api.history(conversationId, { before: first.seq, limit: PAGE });
      this.update((s) => addHistory(s, conversationId, page, PAGE, true));
      this.ensureUsers(page.map((m) => m.senderId));
    } catch {
      this.update((s) => {
        const t = s.threads[conversationId];
        return t ? { ...s, threads: { ...s.threads, [conversationId]: { ...t, loadingOlder: false } } } : s;
      });
    }
  }

  /**
   * Receipt watermarks arrive as events and with the chat list. A chat the list had none for (nothing
   * delivered yet, or a chat older than the list's watermarks) asks for the status of my newest
   * message and takes its aggregates as lower bounds.
   */
  private async fillReceipts(conversationId: string): Promise<void> {
    const state = this.store.get();
    if (state.receipts[conversationId]) return;
    const mine = state.threads[conversationId]?.items.filter(
      (m) => m.senderId === state.me.id && !m.system && !m.deleted,
    );
    const last = mine?.[mine.length - 1];
    if (!last) return;
    try {
      const status = await this.api.messageStatus(conversationId, last.seq);
      const mark = (level: "none" | "some" | "all", want: "some" | "all") =>
        level === "all" || (want === "some" && level === "some") ? last.seq : 0;
      const receipts = {
        deliveredSome: mark(status.delivered, "some"),
        deliveredAll: mark(status.delivered, "all"),
        readSome: mark(status.read, "some"),
        readAll: mark(status.read, "all"),
      };
      this.update((s) => ({
        ...s,
        receipts: { ...s.receipts, [conversationId]: mergeReceipts(s.receipts[conversationId], receipts) },
      }));
    } catch {
      // no status: ticks show ✓ until the next status event
    }
  }

  // ---- navigation ---------------------------------------------------------------------------------

  openChat(conversationId: string | null): void {
    this.update((s) => ({
      ...s,
      activeChatId: conversationId,
      rightPanel: null,
      leftPanel: null,
      threads:
        conversationId && !s.threads[conversationId]
          ? { ...s.threads, [conversationId]: { items: [], hasOlder: false, loadingOlder: true } }
          : s.threads,
    }));
    if (!conversationId) return;
    const state = this.store.get();
    if (state.threads[conversationId]?.items.length === 0) void this.loadNewest(conversationId);
    void this.refreshDetails(conversationId);
    const peer = state.chats[conversationId]?.peerId;
    if (peer) void this.refreshPresence([peer]);
    this.markActiveRead();
    // Opening a chat I marked unread reads it, on every device.
    if (state.chats[conversationId]?.listState?.markedUnread)
      void this.chatList.change(conversationId, { unread: false });
  }

  /** Opens a chat at one of its messages (a search result): once its newest page is in, scrolls there. */
  async openAt(conversationId: string, seq: number): Promise<void> {
    this.openChat(conversationId);
    for (let i = 0; i < 100 && this.store.get().threads[conversationId]?.loadingOlder; i++)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => requestAnimationFrame(r));
    await this.extras.jumpTo(conversationId, seq);
  }

  /** Starts (or reopens) a direct chat with `user`. */
  async chatWith(user: User): Promise<void> {
    try {
      const conversation = await this.api.openDirect(user.id);
      this.update((s) => ({
        ...s,
        users: { ...s.users, [user.id]: user },
        chats: s.chats[conversation.id]
          ? s.chats
          : {
              ...s.chats,
              [conversation.id]: {
                id: conversation.id,
                type: "direct",
                name: null,
                peerId: user.id,
                lastMessage: null,
                unreadCount: 0,
                updatedAt: conversation.createdAt,
                active: true,
              },
            },
      }));
      this.openChat(conversation.id);
    } catch (error) {
      this.toast(error instanceof ApiError && error.code === "network" ? "You're offline" : "Couldn't open the chat");
    }
  }

  setLeftPanel(panel: LeftPanel): void {
    this.update((s) => ({ ...s, leftPanel: panel }));
  }
  setRightPanel(panel: RightPanel): void {
    this.update((s) => ({ ...s, rightPanel: panel }));
  }
  openViewer(viewer: AppState["viewer"]): void {
    this.update((s) => ({ ...s, viewer }));
  }

  toast(text: string | null): void {
    if (this.toastTimer) clearTimeout(this.toastTimer);
    this.update((s) => ({ ...s, toast: text }));
    if (text) this.toastTimer = setTimeout(() => this.update((s) => ({ ...s, toast: null })), TOAST_MS);
  }

  // ---- reading ------------------------------------------------------------------------------------

  /** Marks the open chat read up to its newest message, if the user can see it. */
  markActiveRead(): void {
    const state = this.store.get();
    const conversationId = state.activeChatId;
    if (!conversationId || document.visibilityState !== "visible") return;
    const upTo = newestSeq(state, conversationId);
    if (upTo < 1 || upTo <= (this.readSent.get(conversationId) ?? 0)) return;
    this.readSent.set(conversationId, upTo);
    this.update((s) => markChatRead(s, conversationId));
    const connection = this.client.connection;
    const done =
      connection?.state === "live" ? connection.read(conversationId, upTo) : this.api.markRead(conversationId, upTo);
    done.catch(() => {
      // offline: tried again after the next `synced`
      if (this.readSent.get(conversationId) === upTo) this.readSent.delete(conversationId);
    });
  }

  // ---- profile and session ------------------------------------------------------------------------

  /** My profile changed (here or on the server): state, and the saved session for the next load. */
  setMe(me: User): void {
    this.update((s) => ({ ...s, me, users: { ...s.users, [me.id]: me } }));
    const token = this.api.token;
    if (token) saveSession({ token, user: me });
  }
  async logout(): Promise<void> {
    await this.notifications.disable().catch(() => undefined);
    await this.api.logout().catch(() => undefined);
    await this.signedOut();
  }

  /**
   * Deletes my account for good (the server checks `password`; a wrong one throws
   * `invalid_credentials` and nothing changes), then signs this browser out and forgets its data.
   */
  async deleteAccount(password: string): Promise<void> {
    await this.api.deleteAccount(password);
    // The server already forgot the subscriptions; this drops the browser's own.
    await this.notifications.disable().catch(() => undefined);
    await this.signedOut();
  }

  private async signedOut(): Promise<void> {
    if (this.stopped) return;
    const id = this.me.id;
    this.stop();
    await this.idb.close();
    await IndexedDbStore.erase(id);
    this.onSignedOut();
  }
}
