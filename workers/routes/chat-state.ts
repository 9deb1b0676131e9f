/**
 * `PATCH /v1/conversations/:id/list-state` (pin, archive, mark unread) and `POST
 * /v1/conversations/:id/clear` (delete the chat for me): the user's own state of a chat in their
 * list, kept by their hub and synced to all their devices (README "Chat list state"). Muting is
 * `PUT …/mute` (./push.ts), which the hub logs the same way.
 */
import { Hono } from "hono";
import { z } from "zod";
import { ChatListStateBody, Id, ROUTES, type ChatListStateAnswer } from "../../client/sdk/protocol/index.ts";
import { CHAT_STATE_PER_USER } from "../../lib/rate-limits.ts";
import { unwrap } from "../../lib/result.ts";
import type { AppEnv } from "../env.ts";
import { valid } from "../lib/validate.ts";
import { requireUser } from "../middleware/auth.ts";
import { byUser, rateLimit } from "../middleware/rate-limit.ts";

const ConversationParam = z.strictObject({ id: Id });

export const chatStateRoutes = new Hono<AppEnv>()
  .patch(
    ROUTES.setListState.path,
    rateLimit(CHAT_STATE_PER_USER, byUser),
    requireUser,
    valid("param", ConversationParam),
    valid("json", ChatListStateBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const hub = c.env.USER_HUB.getByName(c.get("userId"));
      const state = unwrap(await hub.changeChatState(id, c.req.valid("json")));
      return c.json({ conversationId: id, state } satisfies ChatListStateAnswer);
    },
  )

  .post(
    ROUTES.clearChat.path,
    rateLimit(CHAT_STATE_PER_USER, byUser),
    requireUser,
    valid("param", ConversationParam),
    async (c) => {
      const { id } = c.req.valid("param");
      const hub = c.env.USER_HUB.getByName(c.get("userId"));
      const state = unwrap(await hub.changeChatState(id, { clear: true }));
      return c.json({ conversationId: id, state } satisfies ChatListStateAnswer);
    },
  );
