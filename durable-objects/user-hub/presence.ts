/**
 * The hub's side of presence (the rules are in lib/presence.ts): online while any device holds a
 * socket that said hello; when the last one goes, a grace period (the alarm) before the user is
 * offline with last seen = when it went, so a reconnect does not flap. Each change is written to
 * the Redis copy and told to the people this user chats with, as the privacy setting allows.
 * The state lives in the hub's settings (./store.ts keeps them in memory).
 */
import { writePresence } from "../../db/cache/presence-cache.ts";
import { redisFromEnv } from "../../db/cache/redis.ts";
import type { Presence } from "../../client/sdk/protocol/index.ts";
import {
  OFFLINE_GRACE_MS,
  isVisibility,
  presenceAsSeenBy,
  type PresenceRecord,
  type PresenceVisibility,
} from "../../lib/presence.ts";
import type { HubStore } from "./store.ts";

export interface PresenceHost {
  userId(): string;
  /** Whether this user blocked `peerId`: they see this user as "offline, never seen" (./blocks.ts). */
  hides(peerId: string): boolean;
  /** How many devices are connected and said hello, not counting `closing`. */
  liveDevices(closing?: WebSocket): number;
  schedule(at: number): void;
  waitUntil(work: Promise<unknown>): void;
  /** Tells a peer's hub (their devices) about this user's presence. */
  tellPeer(peerId: string, presence: Presence): Promise<unknown>;
  env: Pick<Env, "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN">;
}

export class HubPresence {
  constructor(
    private readonly store: HubStore,
    private readonly host: PresenceHost,
  ) {}

  record(): PresenceRecord {
    const visibility = this.store.setting("visibility");
    const lastSeen = this.store.setting("last_seen_at");
    return {
      online: this.store.setting("online") === "1",
      lastSeenAt: lastSeen === null ? null : Number(lastSeen),
      visibility: isVisibility(visibility) ? visibility : "everyone",
    };
  }

  /** A device said hello. */
  online(): void {
    this.store.setSetting("offline_since", null);
    if (this.store.setting("online") === "1") return;
    this.store.setSetting("online", "1");
    this.host.waitUntil(this.publish());
  }

  /** A socket closed: if it was the last device, start the grace period. */
  socketGone(ws: WebSocket): void {
    if (this.host.liveDevices(ws) > 0 || this.store.setting("online") !== "1") return;
    if (this.store.setting("offline_since") === null) this.store.setSetting("offline_since", String(Date.now()));
    this.host.schedule(Date.now() + OFFLINE_GRACE_MS);
  }

  /** From the alarm: still no device after the grace period? Then the user went offline when it began. */
  async settle(): Promise<void> {
    const since = this.store.setting("offline_since");
    if (since === null) return;
    if (this.host.liveDevices() > 0) {
      this.store.setSetting("offline_since", null);
      return;
    }
    if (Date.now() < Number(since) + OFFLINE_GRACE_MS) {
      this.host.schedule(Number(since) + OFFLINE_GRACE_MS);
      return;
    }
    this.store.setSetting("online", "0");
    this.store.setSetting("last_seen_at", since);
    this.store.setSetting("offline_since", null);
    await this.publish();
  }

  /** Who may see this user's online state and last seen. Takes effect for everyone at once. */
  async setVisibility(visibility: PresenceVisibility): Promise<PresenceRecord> {
    this.store.setSetting("visibility", visibility);
    await this.publish();
    return this.record();
  }

  /** Tells one peer this user's presence as they may see it now (after a block or an unblock). */
  async refreshFor(peerId: string): Promise<void> {
    await this.host.tellPeer(peerId, this.asSeenBy(peerId, this.record()));
  }

  private asSeenBy(peerId: string, record: PresenceRecord): Presence {
    const me = this.host.userId();
    if (this.host.hides(peerId)) return { userId: me, online: false, lastSeenAt: null };
    return presenceAsSeenBy(me, record, { id: peerId, isContact: true });
  }

  /** Writes the Redis copy and tells the people this user chats with, as the privacy rule allows. */
  private async publish(): Promise<void> {
    const record = this.record();
    const me = this.host.userId();
    const redis = redisFromEnv(this.host.env);
    await Promise.allSettled([
      redis ? writePresence(redis, me, record) : Promise.resolve(),
      ...this.store.directPeers().map((peer) => this.host.tellPeer(peer, this.asSeenBy(peer, record))),
    ]);
  }
}
