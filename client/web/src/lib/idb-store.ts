/**
 * The SDK's `ClientStore` in IndexedDB, one database per user on this browser: the event cursor and
 * the outbox of unacknowledged sends survive a reload or a closed tab, so a message typed offline
 * is sent once, after the next connect (the server dedupes retries by clientId). It also keeps the
 * receipt watermarks of my messages, which the server sends only as events (never over REST).
 */
import type { ClientStore, PendingSend } from "./sdk.ts";
import type { ConversationSummary, User } from "./sdk.ts";
import type { Receipts } from "../state/types.ts";

/** What the app shows before the network answers: chats and the people in them. */
export interface ChatListSnapshot {
  chats: Record<string, ConversationSummary>;
  users: Record<string, User>;
}

/** A refused send as kept across reloads: the bubble's text, error and file (IndexedDB stores Blobs). */
export interface StoredFailedSend {
  clientId: string;
  conversationId: string;
  text?: string;
  mediaId?: string;
  queuedAt: number;
  error: string;
  file?: { name: string; type: string; blob: Blob };
}

const VERSION = 1;
const KV = "kv";

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });
}

function dbName(userId: string): string {
  return `messenger:${userId}`;
}

export class IndexedDbStore implements ClientStore {
  private readonly db: Promise<IDBDatabase>;

  constructor(userId: string) {
    const open = indexedDB.open(dbName(userId), VERSION);
    open.onupgradeneeded = () => open.result.createObjectStore(KV);
    this.db = promised(open);
  }

  /** Deletes everything this browser kept for `userId` (on logout; close the store first). */
  static erase(userId: string): Promise<void> {
    return new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(dbName(userId));
      request.onsuccess = request.onerror = () => resolve();
      // Another tab still has it open: it is deleted when that tab closes; do not wait for it.
      request.onblocked = () => resolve();
    });
  }

  async close(): Promise<void> {
    (await this.db.catch(() => null))?.close();
  }

  private async read<T>(key: string, fallback: T): Promise<T> {
    const db = await this.db;
    const value: unknown = await promised(db.transaction(KV, "readonly").objectStore(KV).get(key));
    return value === undefined ? fallback : (value as T);
  }

  private async write(key: string, value: unknown): Promise<void> {
    const db = await this.db;
    const tx = db.transaction(KV, "readwrite");
    tx.objectStore(KV).put(value, key);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error("IndexedDB write failed"));
      tx.onabort = () => reject(tx.error ?? new Error("IndexedDB write aborted"));
    });
  }

  loadCursor(): Promise<number> {
    return this.read("cursor", 0);
  }
  saveCursor(cursor: number): Promise<void> {
    return this.write("cursor", cursor);
  }
  loadOutbox(): Promise<PendingSend[]> {
    return this.read<PendingSend[]>("outbox", []);
  }
  saveOutbox(pending: PendingSend[]): Promise<void> {
    return this.write("outbox", pending);
  }
  loadReceipts(): Promise<Record<string, Receipts>> {
    return this.read<Record<string, Receipts>>("receipts", {});
  }
  saveReceipts(receipts: Record<string, Receipts>): Promise<void> {
    return this.write("receipts", receipts);
  }
  /** The chat list and the profiles it shows, as last seen online (app/offline-snapshot.ts). */
  loadChatList(): Promise<ChatListSnapshot | null> {
    return this.read<ChatListSnapshot | null>("chat-list", null);
  }
  saveChatList(snapshot: ChatListSnapshot): Promise<void> {
    return this.write("chat-list", snapshot);
  }
  /** Sends the server (or the upload) refused, with their files, until discarded (app/failed-sends.ts). */
  loadFailedSends(): Promise<StoredFailedSend[]> {
    return this.read<StoredFailedSend[]>("failed-sends", []);
  }
  saveFailedSends(sends: StoredFailedSend[]): Promise<void> {
    return this.write("failed-sends", sends);
  }
}
