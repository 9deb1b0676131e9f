/**
 * The hub's modules and how they reach each other and the runtime: built once per object instance
 * by `UserHubDO`, which keeps only the RPC surface and the runtime's entry points. Each module gets
 * the narrow capabilities it needs (its store, a transaction, the sockets, other objects' stubs).
 */
import type { ServerFrame } from "../../client/sdk/protocol/index.ts";
import { countDeadLetter } from "../../db/cache/dead-letters.ts";
import { redisFromEnv } from "../../db/cache/redis.ts";
import { resolveMediaForSend } from "../../db/media-resolve.ts";
import { SENDS_PER_USER, TokenBuckets, rateLimitsEnabled } from "../../lib/rate-limits.ts";
import { Alarm } from "../shared/alarm.ts";
import { Drain } from "../shared/drain.ts";
import { ConversationCalls } from "./conversation-calls.ts";
import { HubBlocks } from "./blocks.ts";
import { HubChatState } from "./chat-state.ts";
import { ChatStateStore } from "./chat-state-store.ts";
import { HubAccountDeletion } from "./account-deletion.ts";
import { deleteAccountRows } from "../../db/account-rows.ts";
import { ProfileCache } from "../../db/cache/profile-cache.ts";
import { CLOSE_CODES } from "../../client/sdk/protocol/index.ts";
import { reportDelivered } from "./delivered-receipts.ts";
import { EventLog, asEvent } from "./event-log.ts";
import { forwardContent } from "./forward-source.ts";
import { FrameHandler } from "./frames.ts";
import { HubPresence } from "./presence.ts";
import { HubProfiles } from "./profiles.ts";
import { HubPush } from "./push.ts";
import { HubSockets } from "./sockets.ts";
import { HubStore } from "./store.ts";

/** What the modules need back from the object. */
export interface HubHooks {
  userId(): string;
  /** One storage transaction (the object reloads its hot state if it throws). */
  write<T>(fn: () => T): T;
  /** Runs a background job now, with the alarm as a safety net. */
  kick(job: Drain): void;
  hello(ws: WebSocket, deviceId: string, cursor: number): void;
  ack(deviceId: string, cursor: number): void;
  /** Logs this user's read marker here first (see FrameHost `readHere`). */
  readHere(conversationId: string, upTo: number): boolean;
  /** The conversation took this user's read up to `upTo`. */
  readTaken(conversationId: string, upTo: number): void;
}

export interface HubParts {
  store: HubStore;
  sockets: HubSockets;
  alarms: Alarm;
  log: EventLog;
  conversations: ConversationCalls;
  frames: FrameHandler;
  presence: HubPresence;
  push: HubPush;
  profiles: HubProfiles;
  blocks: HubBlocks;
  chatState: HubChatState;
  deletion: HubAccountDeletion;
  /** Background jobs: delivered receipts to conversations, push notifications, profile fan-out. */
  receipts: Drain;
  pushes: Drain;
  profileFanout: Drain;
  accountDeletion: Drain;
}

export function wireHub(ctx: DurableObjectState, env: Env, hooks: HubHooks): HubParts {
  const store = new HubStore(ctx.storage.sql);
  const sockets = new HubSockets(ctx);
  const alarms = new Alarm(ctx.storage);
  const schedule = (at: number) => alarms.schedule(at);
  const conversations = new ConversationCalls((id) => env.CONVERSATION.getByName(id));
  const log = new EventLog(store, hooks.userId);
  const push = new HubPush(store, env, hooks.userId, schedule);
  /** Sends per user (all devices): exact here, the object is single-threaded. */
  const sendLimit = new TokenBuckets(SENDS_PER_USER, 1);
  const parts: HubParts = {
    store,
    sockets,
    alarms,
    log,
    conversations,
    push,
    profiles: new HubProfiles(store, {
      userId: hooks.userId,
      transaction: (write) => hooks.write(write),
      log: (key, body) => {
        const event = log.appendOwn(key, body, Date.now());
        return event && asEvent(event);
      },
      broadcast: (events) => sockets.broadcast(JSON.stringify({ type: "events", events } satisfies ServerFrame)),
      hub: (id) => env.USER_HUB.getByName(id),
      conversation: (id) => env.CONVERSATION.getByName(id),
      kick: () => hooks.kick(parts.profileFanout),
      setAside: () => {
        const redis = redisFromEnv(env);
        if (redis) ctx.waitUntil(countDeadLetter(redis, "profile").catch(() => undefined));
      },
    }),
    blocks: new HubBlocks(store, {
      transaction: (write) => hooks.write(write),
      log: (key, body) => {
        const event = log.appendOwn(key, body, Date.now());
        return event && asEvent(event);
      },
      broadcast: (events) => sockets.broadcast(JSON.stringify({ type: "events", events } satisfies ServerFrame)),
      refreshPresence: (peerId) => ctx.waitUntil(parts.presence.refreshFor(peerId).catch(() => undefined)),
      queueProfile: (peerId) => {
        const own = store.profile(hooks.userId());
        if (own) store.queueProfileFor(peerId, own.version);
      },
      kickProfiles: () => hooks.kick(parts.profileFanout),
    }),
    chatState: new HubChatState(new ChatStateStore(ctx.storage.sql), {
      transaction: (write) => hooks.write(write),
      log: (key, body) => {
        const event = log.appendOwn(key, body, Date.now());
        return event && asEvent(event);
      },
      broadcast: (events) => sockets.broadcast(JSON.stringify({ type: "events", events } satisfies ServerFrame)),
      mutePush: (conversationId, until) => push.mute(conversationId, until),
    }),
    presence: new HubPresence(store, {
      userId: hooks.userId,
      hides: (peerId) => store.isBlock("out", peerId),
      liveDevices: (closing) => sockets.live(closing).length,
      schedule,
      waitUntil: (work) => ctx.waitUntil(work),
      tellPeer: (peer, presence) => env.USER_HUB.getByName(peer).presenceChanged(presence),
      env,
    }),
    receipts: new Drain(
      "delivered receipts",
      () => reportDelivered(store, (id, upTo) => conversations.call(id, (c) => c.markDelivered(hooks.userId(), upTo))),
      schedule,
    ),
    deletion: new HubAccountDeletion({
      userId: hooks.userId,
      sql: ctx.storage.sql,
      transaction: (write) => hooks.write(write),
      activeGroups: () =>
        store
          .chatList()
          .filter((c) => c.type === "group" && c.active !== false)
          .map((c) => c.id),
      forgetPush: () => store.pushEndpoints().forEach((endpoint) => push.unsubscribe(endpoint)),
      closeSockets: () => sockets.all().forEach((ws) => sockets.close(ws, CLOSE_CODES.unauthorized, "account deleted")),
      deleteRows: () => deleteAccountRows(env, hooks.userId(), (p) => ctx.waitUntil(p)),
      endSessions: async (ids) => {
        const cache = ProfileCache.fromEnv(env);
        await Promise.all([cache.invalidateProfile(hooks.userId()), ...ids.map((id) => cache.revokeSession(id))]);
      },
      announce: (user, version) => parts.profiles.changed(user, version),
      leaveGroup: (id) => env.CONVERSATION.getByName(id).removeMember(hooks.userId(), hooks.userId()),
      setAside: () => {
        const redis = redisFromEnv(env);
        if (redis) ctx.waitUntil(countDeadLetter(redis, "deletion").catch(() => undefined));
      },
    }),
    accountDeletion: new Drain("account deletion", () => parts.deletion.pass(), schedule),
    pushes: new Drain("push", () => push.pass(), schedule),
    profileFanout: new Drain("profile fan-out", () => parts.profiles.pass(), schedule),
    frames: new FrameHandler({
      userId: hooks.userId,
      hello: (ws, deviceId, cursor) => hooks.hello(ws, deviceId, cursor),
      ack: (deviceId, cursor) => hooks.ack(deviceId, cursor),
      readHere: (conversationId, upTo) => hooks.readHere(conversationId, upTo),
      readTaken: (conversationId, upTo) => hooks.readTaken(conversationId, upTo),
      send: (ws, frame) => sockets.send(ws, JSON.stringify(frame)),
      conversation: (id, call) => conversations.call(id, call),
      resolveMedia: (mediaId, conversationId) =>
        resolveMediaForSend(env, hooks.userId(), mediaId, conversationId, (p) => ctx.waitUntil(p)),
      forwardContent: (ref, conversationId) =>
        forwardContent(
          env,
          ref,
          conversationId,
          (r) => conversations.call(r.conversationId, (c) => c.forwardSource(hooks.userId(), r.seq)),
          (p) => ctx.waitUntil(p),
        ),
      takeSend: () => (rateLimitsEnabled(env) ? sendLimit.take(hooks.userId()) : { ok: true }),
      waitUntil: (work) => ctx.waitUntil(work),
    }),
  };
  return parts;
}
