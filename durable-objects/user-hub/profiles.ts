/**
 * Profile changes (display name, about, picture) reach the people a user chats with as `profile`
 * events in their logs, so every device sees them live or on replay, without a refetch.
 *
 * Sender side. After the Postgres write (the source of truth) the Worker tells the user's own hub
 * (`changed`) the public profile and its version, Postgres `updated_at` in µs. In one transaction the
 * hub keeps it as the newest, logs it for the user's other devices and queues the fan-out:
 * - direct chats: the chat list knows each peer, so each gets a `profile_outbox` row at once;
 * - groups: the members live in the Conversation DOs, so each active group gets a `profile_groups`
 *   row, and a pass asks that conversation for its members (`describe`, at most 200 of them) and
 *   turns them into outbox rows. Groups the user left are skipped: they are read-only for them.
 * The outbox has one row per person, however many chats are shared, and a delivery always sends the
 * newest profile, so changes in quick succession coalesce into one call per hub. Passes are bounded
 * (GROUPS_PER_PASS conversations and HUBS_PER_PASS hubs, CONCURRENCY calls in flight); a failed
 * call backs off and the alarm retries it. Passes run one at a time, so however fast changes come,
 * each person gets at most one call per pass. Profile changes are rare, so waking every member of
 * every group is affordable; typing and presence are the hot paths, not this.
 *
 * Receiver side (`received`): a version is applied only if it is newer than the one held, so retries,
 * duplicates and deliveries overtaking each other change nothing. A fresh one is logged (key
 * `profile:<userId>:<version>`) and pushed to live devices.
 */
import type { Conversation, Event, EventBody, User } from "../../client/sdk/protocol/index.ts";
import type { Result } from "../../lib/result.ts";
import { errorSummary } from "../../lib/log.ts";
import { isRefusedByHub, REFUSALS_BEFORE_ISOLATING } from "../shared/isolate.ts";
import { backoffMs, forEachBounded } from "../shared/bounded.ts";
import type { PassOutcome } from "../shared/drain.ts";
import type { HubStore, ProfileQueueRow } from "./store.ts";
import {
  deliveredProfileVersion,
  hideProfileDetails,
  isProfileVisibility,
  profileShown,
  type ProfileVisibility,
} from "../../lib/profile-visibility.ts";

/** The hub's settings key for the user's profile visibility (absent = everyone). */
const VISIBILITY_KEY = "profile_visibility";

/** Group member lists fetched per pass: one Conversation DO call each. */
const GROUPS_PER_PASS = 20;
/** Hubs told per pass; more passes follow at once while the queue is full. */
const HUBS_PER_PASS = 200;
/** Calls in flight at once, so a big fan-out does not queue dozens of requests on this object. */
const CONCURRENCY = 20;
export interface ProfileHost {
  userId(): string;
  /** Runs `write` as one synchronous storage transaction and returns its result. */
  transaction<T>(write: () => T): T;
  /** Appends a body to the log under `key` (nothing if the key is there); the event if it is new. */
  log(key: string, body: EventBody): Event | null;
  /** Pushes events to the user's connected devices. */
  broadcast(events: Event[]): void;
  hub(userId: string): { peerProfile(user: User, version: number): Promise<unknown> };
  conversation(conversationId: string): { describe(userId: string): Promise<Result<Conversation>> };
  /** Starts a fan-out pass now (the hub's drain loop, with the alarm as a safety net). */
  kick(): void;
  /** A delivery was set aside as a dead letter (counted for `/health/ready`). */
  setAside(): void;
}

type QueueRow = ProfileQueueRow;

export class HubProfiles {
  constructor(
    private readonly store: HubStore,
    private readonly host: ProfileHost,
  ) {}

  /** The user's own profile changed (told by the Worker after the Postgres write). */
  changed(user: User, version: number, visibility?: ProfileVisibility): void {
    const me = this.host.userId();
    if (user.id !== me) throw new Error("a hub only announces its own user's profile");
    const fresh = this.host.transaction(() => {
      const event = this.keep(user, version);
      if (!event) return null; // a retry, or older than what we already announced
      // Kept with the profile it came with: deliveries show each peer what they may see.
      if (visibility !== undefined)
        this.store.setSetting(VISIBILITY_KEY, visibility === "everyone" ? null : visibility);
      this.store.queueProfileFanout(version, me);
      return event;
    });
    if (!fresh) return;
    this.host.broadcast([fresh]);
    this.host.kick();
  }

  /**
   * A direct chat with `peerId` reached this hub. If this user ever changed their profile, the peer
   * is told the newest version: their hub may have copied the profile from Postgres just before a
   * change whose fan-out could not include them (this hub did not know the chat yet). A peer that
   * already has it ignores it. Call inside `deliver`'s transaction; true if a delivery was queued.
   */
  introduce(peerId: string): boolean {
    return this.store.introduceProfile(peerId, this.host.userId());
  }

  /** Someone this user chats with changed their profile (told by their hub). */
  received(user: User, version: number): void {
    const fresh = this.host.transaction(() => this.keep(user, version));
    if (fresh) this.host.broadcast([fresh]);
  }

  /**
   * Profiles read from Postgres by the chat-list route for peers this hub had no copy of. Kept only
   * where nothing is known yet (version 0): a copy read just before a change must not undo it.
   */
  remember(users: readonly User[]): void {
    for (const user of users) this.store.rememberProfile(user.id, JSON.stringify(user));
  }

  /** Groups still to list plus hubs still to tell. */
  queued(): number {
    return this.store.profileQueueSize();
  }

  /** Stores `user` if `version` is newer than the copy held and logs it; null if it is not. */
  private keep(user: User, version: number): Event | null {
    const held = this.store.profile(user.id);
    if (held && held.version >= version) return null;
    this.store.putProfile(user.id, version, JSON.stringify(user));
    return this.host.log(`profile:${user.id}:${version}`, { kind: "profile", user });
  }

  /** Lists group members and tells pending hubs (one pass of the hub's drain loop). */
  async pass(): Promise<PassOutcome> {
    const me = this.host.userId();
    const now = Date.now();

    // 1. Groups → the people in them.
    const groups = this.due("profile_groups", GROUPS_PER_PASS, now);
    const listed: Array<QueueRow & { members: string[] | null }> = [];
    await forEachBounded(groups, CONCURRENCY, async (g) => {
      try {
        const result = await this.host.conversation(g.key).describe(me);
        // not_found: the group is gone or the user is no longer in it; nobody there to tell.
        listed.push({ ...g, members: result.ok ? result.value.members.map((m) => m.userId) : [] });
      } catch {
        listed.push({ ...g, members: null });
      }
    });
    for (const g of listed) {
      if (g.members === null) {
        this.backOff("profile_groups", g);
        continue;
      }
      for (const userId of g.members) if (userId !== me) this.store.queueProfileFor(userId, g.version);
      this.store.profileGroupListed(g.key, g.version);
    }

    // 2. Hubs ← the newest profile (whatever version queued them: newer supersedes older).
    const own = this.store.profile(me);
    const hubs = own ? this.due("profile_outbox", HUBS_PER_PASS, now) : [];
    const told: Array<QueueRow & { ok: boolean; sent: number; refused?: string }> = [];
    if (own) {
      const user = JSON.parse(own.body) as User;
      // Profile visibility (lib/profile-visibility.ts): each peer gets the copy they may see.
      const stored = this.store.setting(VISIBILITY_KEY);
      const visibility: ProfileVisibility = isProfileVisibility(stored) ? stored : "everyone";
      const contacts = visibility === "contacts" ? new Set(this.store.directPeers()) : null;
      const hidden = hideProfileDetails(user);
      await forEachBounded(hubs, CONCURRENCY, async (h) => {
        // Blocked people see no profile changes; an unblock queues the newest for them (./blocks.ts).
        if (this.store.isBlock("out", h.key)) return void told.push({ ...h, ok: true, sent: own.version });
        const shown = profileShown(visibility, contacts?.has(h.key) ?? false);
        try {
          await this.host.hub(h.key).peerProfile(shown ? user : hidden, deliveredProfileVersion(own.version, shown));
          told.push({ ...h, ok: true, sent: own.version });
        } catch (error) {
          // Refused by the peer hub's own code, again and again: set aside, not retried forever.
          const refused = isRefusedByHub(error) && h.failures + 1 >= REFUSALS_BEFORE_ISOLATING;
          told.push({ ...h, ok: false, sent: own.version, ...(refused ? { refused: errorSummary(error) } : {}) });
        }
      });
    }
    // One commit for the round: no await between these writes.
    for (const h of told) {
      if (h.ok) this.store.profileDelivered(h.key, h.sent);
      else if (h.refused !== undefined) {
        this.store.deadLetterProfile(h.key, h.sent, h.refused, Date.now());
        this.host.setAside();
      } else this.backOff("profile_outbox", h);
    }

    // A full batch may have left more behind: go again now; retries wait for their time.
    return {
      more: groups.length === GROUPS_PER_PASS || hubs.length === HUBS_PER_PASS,
      dueAt: this.store.nextProfileDue(),
    };
  }

  private due(table: "profile_groups" | "profile_outbox", limit: number, now: number): QueueRow[] {
    return this.store.profileQueueDue(table, now, limit);
  }

  private backOff(table: "profile_groups" | "profile_outbox", row: QueueRow): void {
    const failures = row.failures + 1;
    this.store.profileBackOff(table, row.key, failures, Date.now() + backoffMs(failures));
  }
}
