/**
 * Group invite links (README "Invite links"). An admin makes a link: a fresh 128-bit secret kept on
 * the meta row, and a token = secret + the group's id, so the Worker knows which object to ask
 * without a lookup table. Anyone signed in with a token that matches the current secret sees the
 * group's name, picture and member count and may join (the 200-member cap applies); making a new
 * link or revoking it ends the old one (404 from then on).
 */
import type { Conversation, InvitePreview } from "../../client/sdk/protocol/index.ts";
import { INVITE_SECRET_HEX_CHARS } from "../../client/sdk/protocol/index.ts";
import { groupPictureUrl } from "../../db/pictures.ts";
import { err, ok, type Result } from "../../lib/result.ts";
import type { ConversationContext } from "./context.ts";
import { admit, requireAdmin } from "./group-ops.ts";
import { describe } from "./messages.ts";
import type { MetaRow } from "./rows.ts";

const NO_INVITE = "no such invite link";

function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(INVITE_SECRET_HEX_CHARS / 2));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares in time independent of where the strings differ (the secret is a bearer capability). */
function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The group, if `secret` is its current invite secret. */
function invited(ctx: ConversationContext, secret: string): MetaRow | null {
  const meta = ctx.store.meta;
  if (!meta || meta.type !== "group" || meta.invite_secret === null) return null;
  return sameSecret(meta.invite_secret, secret) ? meta : null;
}

/** An admin makes a new link (the previous one stops working). Answers the token. */
export function createInvite(ctx: ConversationContext, actorId: string): Result<string> {
  const check = requireAdmin(ctx, actorId);
  if (!check.ok) return check;
  const secret = newSecret();
  ctx.write(() => ctx.store.updateMeta({ invite_secret: secret }));
  return ok(secret + check.value.id);
}

/** An admin revokes the link: it is 404 from now on. */
export function revokeInvite(ctx: ConversationContext, actorId: string): Result<null> {
  const check = requireAdmin(ctx, actorId);
  if (!check.ok) return check;
  if (check.value.invite_secret !== null) ctx.write(() => ctx.store.updateMeta({ invite_secret: null }));
  return ok(null);
}

/** What the link shows before joining. */
export function invitePreview(ctx: ConversationContext, secret: string): Result<InvitePreview> {
  const meta = invited(ctx, secret);
  if (!meta) return err("not_found", NO_INVITE);
  return ok({
    name: meta.name ?? "",
    pictureUrl: meta.picture_media_id ? groupPictureUrl(meta.id, meta.picture_media_id) : null,
    memberCount: ctx.store.currentMembers().length,
  });
}

/** `userId` joins with the link (a member already in the group just gets it back). */
export function joinByInvite(ctx: ConversationContext, userId: string, secret: string): Result<Conversation> {
  const meta = invited(ctx, secret);
  if (!meta) return err("not_found", NO_INVITE);
  if (ctx.store.member(userId)?.left_seq === null) return ok(describe(ctx));
  return admit(ctx, meta, [userId], () => ({ kind: "joined_by_link", userId }), userId);
}
