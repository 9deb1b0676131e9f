/**
 * `/v1/conversations`: create, list, read, send, delete, read markers, message info.
 * Every call acts as the authenticated user; the Conversation DO checks membership itself and answers
 * a non-member exactly as it answers for a conversation that does not exist.
 *
 * Limited routes (creating, sending, group updates and membership: each fans out to other people's
 * hubs) put their limiter first in the chain, before `requireUser`. Add, remove/leave and role
 * changes share one bucket.
 */
import { Hono } from "hono";
import { z } from "zod";
import {
  AddMembersBody,
  CreateConversationBody,
  DEFAULT_HISTORY_PAGE,
  DeleteMessageQuery,
  HistoryQuery,
  Id,
  ROUTES,
  ReadBody,
  SendMessageBody,
  SeqParam,
  SetRoleBody,
  UpdateGroupBody,
  type Conversation,
  type Message,
  type User,
} from "../../client/sdk/protocol/index.ts";
import { historyPage } from "../lib/history-page.ts";
import { withUserStore } from "../../db/user-store.ts";
import type { AppEnv } from "../env.ts";
import { AppError } from "../../lib/errors.ts";
import { unwrap } from "../../lib/result.ts";
import { valid } from "../lib/validate.ts";
import { directConversationId, groupConversationId } from "../lib/conversation-ids.ts";
import { requireOwnPicture } from "../../db/pictures.ts";
import { publicUser } from "../../db/cache/profile-cache.ts";
import { hideProfileDetails, profileShown } from "../../lib/profile-visibility.ts";
import { refuseBlockedAdds } from "../lib/blocks.ts";
import { privateReaders } from "../lib/privacy.ts";
import { requireUser } from "../middleware/auth.ts";
import { byUser, rateLimit } from "../middleware/rate-limit.ts";
import {
  CONVERSATION_CREATES_PER_USER,
  GROUP_MEMBERSHIP_PER_USER,
  GROUP_UPDATES_PER_USER,
} from "../../lib/rate-limits.ts";

const IdParam = z.strictObject({ id: Id });
const MessageParam = z.strictObject({ id: Id, seq: SeqParam });
const MemberParam = z.strictObject({ id: Id, userId: Id });

const conversation = (env: Env, id: string) => env.CONVERSATION.getByName(id);

export const conversationRoutes = new Hono<AppEnv>()
  .post(
    ROUTES.openConversation.path,
    rateLimit(CONVERSATION_CREATES_PER_USER, byUser),
    requireUser,
    valid("json", CreateConversationBody),
    async (c) => {
      const me = c.get("userId");
      const body = c.req.valid("json");
      const others = body.type === "direct" ? [body.userId] : [...new Set(body.memberIds)].filter((id) => id !== me);
      if (body.type === "direct" && body.userId === me)
        throw new AppError("invalid_request", "a direct chat needs another person");
      await requireUsersExist(c.env, c.executionCtx, others);
      if (body.type === "group") await refuseBlockedAdds(c.env, me, others);
      if (body.type === "group" && body.pictureMediaId) {
        await requireOwnPicture(c.env, me, body.pictureMediaId, (p) => c.executionCtx.waitUntil(p));
      }
      const id = body.type === "direct" ? await directConversationId(me, body.userId) : groupConversationId();
      const result = unwrap(
        await conversation(c.env, id).open({
          id,
          type: body.type,
          creatorId: me,
          memberIds: others,
          ...(body.type === "group"
            ? { name: body.name, pictureMediaId: body.pictureMediaId }
            : { privateReads: await privateReaders(c.env, [me, body.userId]) }),
        }),
      );
      return c.json({ conversation: result.conversation }, result.created ? 201 : 200);
    },
  )

  .get(ROUTES.conversations.path, requireUser, async (c) => {
    const hub = c.env.USER_HUB.getByName(c.get("userId"));
    const conversations = await hub.chatList();
    // Direct chats whose peer profile the hub has no copy of yet (chats from before profile events, or
    // a peer who never changed theirs): read once from Postgres and handed to the hub, which keeps
    // them current from then on. The list is answered without them if Postgres is unavailable.
    const missing = [
      ...new Set(conversations.flatMap((s) => (s.type === "direct" && s.peerId && !s.peer ? [s.peerId] : []))),
    ].slice(0, MAX_PEERS_FILLED);
    if (missing.length > 0) {
      const found = await readProfiles(c.env, c.executionCtx, missing);
      for (const s of conversations) if (s.peerId && !s.peer) s.peer = found.get(s.peerId) ?? null;
      if (found.size > 0) c.executionCtx.waitUntil(hub.rememberPeers([...found.values()]));
    }
    return c.json({ conversations });
  })

  .get(ROUTES.conversation.path, requireUser, valid("param", IdParam), async (c) => {
    const result = unwrap(await conversation(c.env, c.req.valid("param").id).describe(c.get("userId")));
    return c.json({ conversation: result });
  })

  .get(ROUTES.history.path, requireUser, valid("param", IdParam), valid("query", HistoryQuery), async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    const messages = await historyPage(c.env, c.executionCtx, id, c.get("userId"), {
      before: query.before,
      limit: query.limit ?? DEFAULT_HISTORY_PAGE,
    });
    return c.json({ messages });
  })

  .post(ROUTES.sendMessage.path, requireUser, valid("param", IdParam), valid("json", SendMessageBody), async (c) => {
    // Through the user's hub: REST and WebSocket sends share one per-user budget and one order.
    const result = unwrap(
      await c.env.USER_HUB.getByName(c.get("userId")).send(c.req.valid("param").id, c.req.valid("json")),
    );
    return c.json({ message: result.message }, result.duplicate ? 200 : 201);
  })

  .delete(
    ROUTES.deleteMessage.path,
    requireUser,
    valid("param", MessageParam),
    valid("query", DeleteMessageQuery),
    async (c) => {
      const { id, seq } = c.req.valid("param");
      unwrap(await conversation(c.env, id).deleteMessage(c.get("userId"), seq, c.req.valid("query").for));
      return c.body(null, 204);
    },
  )

  .post(ROUTES.markRead.path, requireUser, valid("param", IdParam), valid("json", ReadBody), async (c) => {
    unwrap(await conversation(c.env, c.req.valid("param").id).markRead(c.get("userId"), c.req.valid("json").upTo));
    return c.body(null, 204);
  })

  .get(ROUTES.messageStatus.path, requireUser, valid("param", MessageParam), async (c) => {
    const { id, seq } = c.req.valid("param");
    const status = unwrap(await conversation(c.env, id).messageStatus(c.get("userId"), seq));
    return c.json({ status });
  })

  // ---- groups ----
  .patch(
    ROUTES.updateGroup.path,
    rateLimit(GROUP_UPDATES_PER_USER, byUser),
    requireUser,
    valid("param", IdParam),
    valid("json", UpdateGroupBody),
    async (c) => {
      const patch = c.req.valid("json");
      const stub = conversation(c.env, c.req.valid("param").id);
      if (patch.pictureMediaId) {
        unwrap(await stub.describe(c.get("userId"))); // a non-member learns nothing about media ids
        await requireOwnPicture(c.env, c.get("userId"), patch.pictureMediaId, (p) => c.executionCtx.waitUntil(p));
      }
      // The disappearing timer is any chat's (./disappearing.ts); the rest is a group's.
      const { disappearingSeconds, ...groupPatch } = patch;
      let result: Conversation | null = null;
      if (disappearingSeconds !== undefined)
        result = unwrap(await stub.setDisappearing(c.get("userId"), disappearingSeconds));
      if (Object.keys(groupPatch).length > 0) result = unwrap(await stub.updateGroup(c.get("userId"), groupPatch));
      return c.json({ conversation: result });
    },
  )

  .post(
    ROUTES.addMembers.path,
    rateLimit(GROUP_MEMBERSHIP_PER_USER, byUser),
    requireUser,
    valid("param", IdParam),
    valid("json", AddMembersBody),
    async (c) => {
      const { userIds } = c.req.valid("json");
      const stub = conversation(c.env, c.req.valid("param").id);
      // Membership first: a non-admin or non-member must not learn which user ids exist.
      unwrap(await stub.describe(c.get("userId")));
      await requireUsersExist(c.env, c.executionCtx, userIds);
      await refuseBlockedAdds(c.env, c.get("userId"), userIds);
      const result = unwrap(await stub.addMembers(c.get("userId"), userIds));
      return c.json({ conversation: result });
    },
  )

  .delete(
    ROUTES.deleteMember.path,
    rateLimit(GROUP_MEMBERSHIP_PER_USER, byUser),
    requireUser,
    valid("param", MemberParam),
    async (c) => {
      const { id, userId } = c.req.valid("param");
      unwrap(await conversation(c.env, id).removeMember(c.get("userId"), userId));
      return c.body(null, 204);
    },
  )

  .patch(
    ROUTES.setRole.path,
    rateLimit(GROUP_MEMBERSHIP_PER_USER, byUser),
    requireUser,
    valid("param", MemberParam),
    valid("json", SetRoleBody),
    async (c) => {
      const { id, userId } = c.req.valid("param");
      const result = unwrap(await conversation(c.env, id).setRole(c.get("userId"), userId, c.req.valid("json").role));
      return c.json({ conversation: result });
    },
  );

/** Peer profiles filled from Postgres per chat-list read; the rest come with the next read. */
const MAX_PEERS_FILLED = 500;

/** Public profiles of `ids` (those that exist); empty when Postgres cannot be reached. */
async function readProfiles(
  env: Env,
  ctx: { waitUntil(p: Promise<unknown>): void },
  ids: string[],
): Promise<Map<string, User>> {
  try {
    const found = await withUserStore(
      env,
      (store) => store.getUsers(ids),
      (p) => ctx.waitUntil(p),
    );
    // Direct-chat peers: contacts of the reader by definition, so only "nobody" hides details.
    return new Map(
      [...found].map(([id, record]) => [
        id,
        profileShown(record.profileVisibility, true) ? publicUser(record) : hideProfileDetails(publicUser(record)),
      ]),
    );
  } catch {
    return new Map();
  }
}

/** Members must be real users: a chat with a made-up id would fan out to hubs nobody owns. */
async function requireUsersExist(
  env: Env,
  ctx: { waitUntil(p: Promise<unknown>): void },
  ids: string[],
): Promise<void> {
  if (ids.length === 0) return;
  const found = await withUserStore(
    env,
    (store) => store.getUsers(ids),
    (p) => ctx.waitUntil(p),
  );
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw new AppError("not_found", `no such user: ${missing.slice(0, 3).join(", ")}`);
}
