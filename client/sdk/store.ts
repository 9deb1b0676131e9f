/**
 * Where a client keeps what must survive a reconnect (and, in a browser, a reload): its event
 * cursor and its outbox of unacknowledged sends. The default keeps them in memory; the web app
 * plugs in IndexedDB.
 */
import type { MessageRef } from "./protocol/index.ts";
export interface PendingSend {
  conversationId: string;
  clientId: string;
  text?: string;
  mediaId?: string;
  /** Reply to this seq in the same conversation. */
  replyTo?: number;
  /** Forward this message (from any of the user's chats). */
  forwardOf?: MessageRef;
  queuedAt: number;
}

export interface ClientStore {
  loadCursor(): Promise<number>;
  saveCursor(cursor: number): Promise<void>;
  loadOutbox(): Promise<PendingSend[]>;
  saveOutbox(pending: PendingSend[]): Promise<void>;
}

export class MemoryStore implements ClientStore {
  private cursor = 0;
  private outbox: PendingSend[] = [];
  async loadCursor() {
    return this.cursor;
  }
  async saveCursor(cursor: number) {
    this.cursor = cursor;
  }
  async loadOutbox() {
    return [...this.outbox];
  }
  async saveOutbox(pending: PendingSend[]) {
    this.outbox = [...pending];
  }
}
