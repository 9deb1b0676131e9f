/**
 * Group invite links (README "Invite links"): an admin makes (`POST /v1/conversations/:id/invite`,
 * a new token each time) or revokes (`DELETE …/invite`) the link; anyone signed in previews
 * (`GET /v1/invites/:token`) and joins (`POST /v1/invites/:token/join`). The token carries the
 * group's id after its secret, so each call is one Conversation DO call; a revoked, replaced or
 * made-up token is 404.
 */
import { Hono } from "hono";
import { z } from "zod";
import { Id, InviteToken, ROUTES, splitInviteToken, type Invite } from "../../client/sdk/protocol/index.ts";
import { GROUP_UPDATES_PER_USER, INVITES_PER_USER } from "../../lib/rate-limits.ts";
import { unwrap } from "../../lib/result.ts";
import type { AppEnv } from "../env.ts";
import { valid } from "../lib/validate.ts";
import { requireUser } from "../middleware/auth.ts";
import { byUser, rateLimit } from "../middleware/rate-limit.ts";

const IdParam = z.strictObject({ id: Id });
const TokenParam = z.strictObject({ token: InviteToken });

/** The web client opens an invite from this address (client/web: InviteDialog). */
const inviteUrl = (requestUrl: string, token: string) => `${new URL(requestUrl).origin}/#invite=${token}`;

export const inviteRoutes = new Hono<AppEnv>()
  .post(
    ROUTES.createInvite.path,
    rateLimit(GROUP_UPDATES_PER_USER, byUser),
    requireUser,
    valid("param", IdParam),
    async (c) => {
      const token = unwrap(await c.env.CONVERSATION.getByName(c.req.valid("param").id).createInvite(c.get("userId")));
      return c.json({ invite: { token, url: inviteUrl(c.req.url, token) } satisfies Invite });
    },
  )

  .delete(
    ROUTES.revokeInvite.path,
    rateLimit(GROUP_UPDATES_PER_USER, byUser),
    requireUser,
    valid("param", IdParam),
    async (c) => {
      unwrap(await c.env.CONVERSATION.getByName(c.req.valid("param").id).revokeInvite(c.get("userId")));
      return c.body(null, 204);
    },
  )

  .get(
    ROUTES.invitePreview.path,
    rateLimit(INVITES_PER_USER, byUser),
    requireUser,
    valid("param", TokenParam),
    async (c) => {
      const { secret, conversationId } = splitInviteToken(c.req.valid("param").token);
      const group = unwrap(await c.env.CONVERSATION.getByName(conversationId).invitePreview(secret));
      return c.json({ group });
    },
  )

  .post(
    ROUTES.joinInvite.path,
    rateLimit(INVITES_PER_USER, byUser),
    requireUser,
    valid("param", TokenParam),
    async (c) => {
      const { secret, conversationId } = splitInviteToken(c.req.valid("param").token);
      const conversation = unwrap(
        await c.env.CONVERSATION.getByName(conversationId).joinByInvite(c.get("userId"), secret),
      );
      return c.json({ conversation });
    },
  );
