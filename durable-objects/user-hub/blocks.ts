/**
 * The hub's side of blocking. Each block lives in two hubs:
 * - the blocker's ('out'): their blocked list, logged as a `blocked` event so every device of theirs
 *   has it (replayed like any event); presence and profile changes are no longer told to that person;
 * - the blocked person's ('in'): never shown to them, read by the Worker to hide the blocker's
 *   presence and profile from them and to refuse adding the blocker to a group.
 * The direct chat's Conversation DO keeps its own copy for the send path (../conversation/blocks.ts).
 * Every call is idempotent: the Worker repeats the three writes until all succeeded.
 */
import type { Event, EventBody } from "../../client/sdk/protocol/index.ts";
import type { HubStore } from "./store.ts";

export interface BlockHost {
  transaction<T>(write: () => T): T;
  /** Appends a body to the log under `key`; the event if it is new. */
  log(key: string, body: EventBody): Event | null;
  broadcast(events: Event[]): void;
  /** Tells `peerId` this user's presence as they may now see it. */
  refreshPresence(peerId: string): void;
  /** Queues this user's newest profile for `peerId` (after an unblock: they may see it again). In a transaction. */
  queueProfile(peerId: string): void;
  /** Starts the profile fan-out (after the transaction). */
  kickProfiles(): void;
}

export class HubBlocks {
  constructor(
    private readonly store: HubStore,
    private readonly host: BlockHost,
  ) {}

  /** This user blocks or unblocks `userId`. */
  set(userId: string, blocked: boolean): void {
    const now = Date.now();
    const event = this.host.transaction(() => {
      if (!this.store.setBlock("out", userId, blocked, now)) return null;
      if (!blocked) this.host.queueProfile(userId);
      return this.host.log(`block:${userId}:${now}:${blocked ? 1 : 0}`, { kind: "blocked", userId, blocked });
    });
    if (!event) return;
    this.host.broadcast([event]);
    this.host.refreshPresence(userId);
    if (!blocked) this.host.kickProfiles();
  }

  /** `userId` blocked (or unblocked) this user. Not logged: the block is not revealed. */
  setBy(userId: string, blocked: boolean): void {
    this.host.transaction(() => this.store.setBlock("in", userId, blocked, Date.now()));
  }

  /** Who this user blocked, oldest first. */
  blocked(): string[] {
    return this.store.blockIds("out");
  }

  /** Who blocked this user. */
  blockers(): string[] {
    return this.store.blockIds("in");
  }

  /** Whether this user blocked `userId`: presence and profile changes are not told to them. */
  hides(userId: string): boolean {
    return this.store.isBlock("out", userId);
  }
}
