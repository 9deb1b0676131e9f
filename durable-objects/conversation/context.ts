/**
 * What the Conversation DO's logic modules share: its store (SQL and hot state), its one way to
 * write (a storage transaction), and what happens after a write. The object class provides it;
 * tests build one over an in-memory SQLite.
 */
import type { ConversationStore } from "./store.ts";

export interface ConversationConfig {
  /** How long a sender (or group admin) may delete for everyone, ms. */
  deleteWindowMs: number;
  /** Messages kept in the object for fast reads; older pages come from the archive. */
  hotWindow: number;
  /** Test stacks only: disappearing messages last this many seconds, whatever the timer (lib/config.ts). */
  disappearingTestSeconds?: number | null;
}

export interface ConversationContext {
  readonly store: ConversationStore;
  readonly config: ConversationConfig;
  /** Runs `write` as one storage transaction; the store's lazily kept state is written with it. */
  write<T>(write: () => T): T;
  /** After a committed write: fan out now, with the alarm as a safety net. */
  committed(): void;
}
