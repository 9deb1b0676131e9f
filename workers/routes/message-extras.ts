/**
 * Edits and reactions of a message (README "REST API"): thin calls to the conversation's object,
 * which checks membership, the sender and the edit window itself. Replies and forwards go through
 * the ordinary send (`POST …/messages` with `replyTo` / `forwardOf`).
 */
import { Hono } from "hono";
import { z } from "zod";
import { EditMessageBody, Id, ROUTES, ReactionBody, SeqParam } from "../../client/sdk/protocol/index.ts";
import { unwrap } from "../../lib/result.ts";
import type { AppEnv } from "../env.ts";
import { valid } from "../lib/validate.ts";
import { requireUser } from "../middleware/auth.ts";
import { byUser, rateLimit } from "../middleware/rate-limit.ts";
import { MESSAGE_CHANGES_PER_USER } from "../../lib/rate-limits.ts";

const MessageParam = z.strictObject({ id: Id, seq: SeqParam });

export const messageExtraRoutes = new Hono<AppEnv>()
  .patch(
    ROUTES.editMessage.path,
    rateLimit(MESSAGE_CHANGES_PER_USER, byUser),
    requireUser,
    valid("param", MessageParam),
    valid("json", EditMessageBody),
    async (c) => {
      const { id, seq } = c.req.valid("param");
      const message = unwrap(
        await c.env.CONVERSATION.getByName(id).editMessage(c.get("userId"), seq, c.req.valid("json").text),
      );
      return c.json({ message });
    },
  )

  .put(
    ROUTES.setReaction.path,
    rateLimit(MESSAGE_CHANGES_PER_USER, byUser),
    requireUser,
    valid("param", MessageParam),
    valid("json", ReactionBody),
    async (c) => {
      const { id, seq } = c.req.valid("param");
      const result = unwrap(
        await c.env.CONVERSATION.getByName(id).react(c.get("userId"), seq, c.req.valid("json").emoji),
      );
      return c.json({ message: { conversationId: id, seq, reactions: result.reactions } });
    },
  )

  .delete(
    ROUTES.removeReaction.path,
    rateLimit(MESSAGE_CHANGES_PER_USER, byUser),
    requireUser,
    valid("param", MessageParam),
    async (c) => {
      const { id, seq } = c.req.valid("param");
      unwrap(await c.env.CONVERSATION.getByName(id).react(c.get("userId"), seq, null));
      return c.body(null, 204);
    },
  );
