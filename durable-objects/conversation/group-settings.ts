/**
 * A group's description and its two settings (README "Groups"): `onlyAdminsSend` (members read,
 * admins write) and `onlyAdminsEdit` (who may change name, picture and description; on by default,
 * as editing was admins' only before it existed). Each change is a system message in the seq stream.
 * The settings live on the meta row the object keeps in memory, so the send path checks
 * `onlyAdminsSend` without a read.
 */
import type { Conversation } from "../../client/sdk/protocol/index.ts";
import { err, ok, type Result } from "../../lib/result.ts";
import type { ConversationContext } from "./context.ts";
import type { MemberRow, MetaRow } from "./rows.ts";

export interface GroupPatch {
  name?: string;
  pictureMediaId?: string | null;
  description?: string;
  onlyAdminsSend?: boolean;
  onlyAdminsEdit?: boolean;
}

/** Whether `m` may not send here because only admins can (null = may send). */
export function refuseNonAdminSend(meta: MetaRow, m: MemberRow): { code: "forbidden"; message: string } | null {
  if (meta.type !== "group" || meta.only_admins_send === 0 || m.role === "admin") return null;
  return { code: "forbidden", message: "only admins can send messages to this group" };
}

/** Who may apply `patch`: the settings are admins' alone; the info is anyone's unless onlyAdminsEdit. */
export function mayEdit(meta: MetaRow, m: MemberRow, patch: GroupPatch): Result<null> {
  if (m.role === "admin") return ok(null);
  if (patch.onlyAdminsSend !== undefined || patch.onlyAdminsEdit !== undefined)
    return err("forbidden", "only a group admin can change the group settings");
  if (meta.only_admins_edit !== 0) return err("forbidden", "only a group admin can edit the group info");
  return ok(null);
}

/** The group fields of `describe` (groups only). */
export function groupFields(meta: MetaRow): Pick<Conversation, "description" | "onlyAdminsSend" | "onlyAdminsEdit"> {
  if (meta.type !== "group") return {};
  return {
    description: meta.description ?? "",
    onlyAdminsSend: meta.only_admins_send !== 0,
    onlyAdminsEdit: meta.only_admins_edit !== 0,
  };
}

/**
 * Applies the description and settings of `patch` and records each change as a system message
 * (`record`). Inside the caller's transaction; changes nothing for values already in place.
 */
export function applyGroupSettings(
  ctx: ConversationContext,
  actorId: string,
  patch: GroupPatch,
  record: (system: { kind: "description_changed"; by: string; description: string } | SettingsChanged) => void,
): void {
  const meta = ctx.store.meta;
  if (!meta) return;
  if (patch.description !== undefined && patch.description !== (meta.description ?? "")) {
    ctx.store.updateMeta({ description: patch.description === "" ? null : patch.description });
    record({ kind: "description_changed", by: actorId, description: patch.description });
  }
  const changed: SettingsChanged = { kind: "settings_changed", by: actorId };
  if (patch.onlyAdminsSend !== undefined && patch.onlyAdminsSend !== (meta.only_admins_send !== 0)) {
    ctx.store.updateMeta({ only_admins_send: patch.onlyAdminsSend ? 1 : 0 });
    changed.onlyAdminsSend = patch.onlyAdminsSend;
  }
  if (patch.onlyAdminsEdit !== undefined && patch.onlyAdminsEdit !== (meta.only_admins_edit !== 0)) {
    ctx.store.updateMeta({ only_admins_edit: patch.onlyAdminsEdit ? 1 : 0 });
    changed.onlyAdminsEdit = patch.onlyAdminsEdit;
  }
  if (changed.onlyAdminsSend !== undefined || changed.onlyAdminsEdit !== undefined) record(changed);
}

type SettingsChanged = { kind: "settings_changed"; by: string; onlyAdminsSend?: boolean; onlyAdminsEdit?: boolean };
