/**
 * Group administration: the creation record, adding, removing (and leaving), promoting and
 * demoting members, renaming and changing the picture.
 *
 * Every change is a system message in the conversation's seq stream, so members see it in the same
 * total order as the messages around it, and it is written together with its fan-out events in one
 * transaction. This module holds the rules of who may do what, and in which order it lands.
 */
import type { Conversation, EventBody, SystemEvent } from "../../client/sdk/protocol/index.ts";
import { MAX_GROUP_MEMBERS } from "../../client/sdk/protocol/index.ts";
import { err, ok, type Result } from "../../lib/result.ts";
import type { ConversationContext } from "./context.ts";
import { appendMessage, describe } from "./messages.ts";
import { applyGroupSettings, mayEdit, type GroupPatch } from "./group-settings.ts";
import { NOT_FOUND, newMember, type MemberRow, type MetaRow } from "./rows.ts";

export const systemClientId = () => `system:${crypto.randomUUID()}`;

/** Records a new group's creation as its first message. Call inside `open`'s transaction. */
export function recordCreated(
  ctx: ConversationContext,
  creatorId: string,
  name: string | undefined,
  now: number,
): void {
  appendMessage(
    ctx,
    { senderId: creatorId, clientId: "system:created", system: { kind: "created", by: creatorId, name } },
    now,
  );
}

/** An admin adds people. Past 200 members nothing changes and the answer is `group_full`. */
export function addMembers(ctx: ConversationContext, actorId: string, userIds: string[]): Result<Conversation> {
  const check = requireAdmin(ctx, actorId);
  if (!check.ok) return check;
  return admit(ctx, check.value, userIds, (fresh) => ({ kind: "members_added", by: actorId, userIds: fresh }), actorId);
}

/**
 * Puts `userIds` (those not already current members) into the group with one system message
 * (`system`, sent as `senderId`), or answers `group_full` and changes nothing. Also used by invite
 * links (./invites.ts).
 */
export function admit(
  ctx: ConversationContext,
  meta: MetaRow,
  userIds: readonly string[],
  system: (fresh: string[]) => SystemEvent,
  senderId: string,
): Result<Conversation> {
  const { store } = ctx;
  const fresh = [...new Set(userIds)].filter((id) => store.member(id)?.left_seq !== null);
  if (fresh.length === 0) return ok(describe(ctx));
  if (store.activeMembers().length + fresh.length > MAX_GROUP_MEMBERS)
    return err("group_full", `a group has at most ${MAX_GROUP_MEMBERS} members`);
  const now = Date.now();
  ctx.write(() => {
    const lastEv = meta.last_ev;
    const joinSeq = meta.last_seq + 1;
    for (const userId of fresh) {
      // A returning member starts over: they see history from their new join on; their watermarks
      // never move back.
      const before = store.member(userId);
      const row = newMember(userId, "member", now, {
        joinedSeq: joinSeq,
        joinedEv: lastEv,
        fanoutEv: Math.max(before?.fanout_ev ?? 0, lastEv),
        upto: joinSeq - 1,
      });
      row.delivered_upto = Math.max(before?.delivered_upto ?? 0, joinSeq - 1);
      row.read_upto = Math.max(before?.read_upto ?? 0, joinSeq - 1);
      row.delivered_at = before?.delivered_at ?? null;
      row.read_at = before?.read_at ?? null;
      store.putMember(row);
      store.appendEvent(userId, groupEvent(meta, true));
    }
    appendMessage(ctx, { senderId, clientId: systemClientId(), system: system(fresh) }, now);
  });
  ctx.committed();
  return ok(describe(ctx));
}

/**
 * An admin removes someone, or a member leaves (actor = target). The removed member gets the
 * removal itself, then nothing more; the chat stays in their list, read-only. When the last admin
 * leaves, the oldest remaining member becomes admin.
 */
export function removeMember(ctx: ConversationContext, actorId: string, targetId: string): Result<null> {
  const { store } = ctx;
  const leaving = actorId === targetId;
  const check = leaving ? requireGroupMember(ctx, actorId) : requireAdmin(ctx, actorId);
  if (!check.ok) return check;
  const meta = check.value;
  const target = store.member(targetId);
  if (!target || target.left_seq !== null) return err("not_found", "not a member");
  const now = Date.now();
  ctx.write(() => {
    store.appendEvent(targetId, groupEvent(meta, false));
    const system: SystemEvent = leaving
      ? { kind: "member_left", userId: targetId }
      : { kind: "member_removed", by: actorId, userId: targetId };
    const message = appendMessage(ctx, { senderId: actorId, clientId: systemClientId(), system }, now);
    // The removal message is the last event the member's hub receives (fan-out stops at left_ev);
    // from now on they see the group as it was at this point.
    store.updateMember(targetId, { left_seq: message.seq, left_ev: meta.last_ev, role: "member" });
    const active = store.activeMembers();
    if (!active.some((m) => m.role === "admin")) {
      const oldest = [...active].sort(
        (a, b) =>
          a.joined_at - b.joined_at ||
          a.joined_seq - b.joined_seq ||
          (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0),
      )[0];
      if (oldest) {
        store.updateMember(oldest.user_id, { role: "admin" });
        appendMessage(
          ctx,
          {
            senderId: targetId,
            clientId: systemClientId(),
            system: { kind: "role_changed", by: targetId, userId: oldest.user_id, role: "admin" },
          },
          now,
        );
      }
    }
    store.updateMember(targetId, { left_view: JSON.stringify(describe(ctx)) });
  });
  ctx.committed();
  return ok(null);
}

/** An admin promotes or demotes a member. */
export function setRole(
  ctx: ConversationContext,
  actorId: string,
  targetId: string,
  role: "admin" | "member",
): Result<Conversation> {
  const check = requireAdmin(ctx, actorId);
  if (!check.ok) return check;
  const target = ctx.store.member(targetId);
  if (!target || target.left_seq !== null) return err("not_found", "not a member");
  if (target.role !== role) {
    const now = Date.now();
    ctx.write(() => {
      ctx.store.updateMember(targetId, { role });
      appendMessage(
        ctx,
        {
          senderId: actorId,
          clientId: systemClientId(),
          system: { kind: "role_changed", by: actorId, userId: targetId, role },
        },
        now,
      );
    });
    ctx.committed();
  }
  return ok(describe(ctx));
}

/**
 * Renames the group, changes its picture or description (an admin, or any member once
 * `onlyAdminsEdit` is off), or its settings (an admin; ./group-settings.ts).
 */
export function updateGroup(ctx: ConversationContext, actorId: string, patch: GroupPatch): Result<Conversation> {
  const check = requireGroupMember(ctx, actorId);
  if (!check.ok) return check;
  const meta = check.value;
  const allowed = mayEdit(meta, ctx.store.member(actorId) as MemberRow, patch);
  if (!allowed.ok) return allowed;
  const now = Date.now();
  ctx.write(() => {
    applyGroupSettings(ctx, actorId, patch, (system) =>
      appendMessage(ctx, { senderId: actorId, clientId: systemClientId(), system }, now),
    );
    if (patch.pictureMediaId !== undefined) ctx.store.updateMeta({ picture_media_id: patch.pictureMediaId });
    if (patch.name !== undefined && patch.name !== meta.name) {
      ctx.store.updateMeta({ name: patch.name });
      ctx.store.appendEvent(null, groupEvent(meta, true));
      appendMessage(
        ctx,
        { senderId: actorId, clientId: systemClientId(), system: { kind: "renamed", by: actorId, name: patch.name } },
        now,
      );
    }
  });
  ctx.committed();
  return ok(describe(ctx));
}

function requireGroupMember(ctx: ConversationContext, userId: string): Result<MetaRow> {
  const meta = ctx.store.meta;
  const m = meta ? ctx.store.member(userId) : null;
  if (!meta || !m) return err("not_found", NOT_FOUND);
  if (meta.type !== "group") return err("invalid_request", "only groups have members to manage");
  if (m.left_seq !== null) return err("forbidden", "you are no longer a member of this group");
  return ok(meta);
}

export function requireAdmin(ctx: ConversationContext, userId: string): Result<MetaRow> {
  const check = requireGroupMember(ctx, userId);
  if (!check.ok) return check;
  if (ctx.store.member(userId)?.role !== "admin") return err("forbidden", "only a group admin can do that");
  return check;
}

/** The chat-list entry a member's hub gets when the group appears, changes or becomes read-only. */
function groupEvent(meta: MetaRow, active: boolean): EventBody {
  return {
    kind: "conversation",
    conversation: { id: meta.id, type: "group", name: meta.name, peerId: null, active },
  };
}
