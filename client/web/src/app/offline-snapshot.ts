/**
 * The chat list survives a reload without a network: it is kept in IndexedDB whenever it changes
 * (at most once a second) and shown at start until the server's list arrives. With the service
 * worker's cached shell and the SDK's outbox (also IndexedDB), the app opens offline with its chats
 * and the messages still waiting to be sent.
 */
import type { ChatListSnapshot, IndexedDbStore } from "../lib/idb-store.ts";
import type { Store } from "../lib/tiny-store.ts";
import type { AppState } from "../state/types.ts";

const SAVE_EVERY_MS = 1_000;

/** Shows the saved list if the server's has not arrived yet. */
export async function restoreChatList(idb: IndexedDbStore, store: Store<AppState>): Promise<void> {
  const saved = await idb.loadChatList().catch(() => null);
  if (!saved) return;
  store.set((s) =>
    Object.keys(s.chats).length > 0 ? s : { ...s, chats: saved.chats, users: { ...saved.users, ...s.users } },
  );
}

/** Saves the list (and the profiles of its peers) whenever it changes. Returns a cleanup. */
export function keepChatList(idb: IndexedDbStore, store: Store<AppState>): () => void {
  let saved: AppState["chats"] | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const save = () => {
    timer = null;
    const s = store.get();
    if (s.chats === saved) return;
    saved = s.chats;
    const people = new Set(Object.values(s.chats).flatMap((c) => (c.peerId ? [c.peerId] : [])));
    const users: ChatListSnapshot["users"] = {};
    for (const id of people) {
      const user = s.users[id];
      if (user) users[id] = user;
    }
    void idb.saveChatList({ chats: s.chats, users }).catch(() => undefined);
  };
  const unsubscribe = store.subscribe(() => {
    if (!timer && store.get().chats !== saved) timer = setTimeout(save, SAVE_EVERY_MS);
  });
  return () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
  };
}
