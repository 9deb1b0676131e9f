/**
 * Group info: the description (editable by whoever may edit the info) and, for admins, the two
 * settings — only admins send messages, only admins edit the group info.
 */
import { useState } from "preact/hooks";
import { useApp, useController } from "../app/context.ts";
import { MAX_DESCRIPTION_BYTES } from "../lib/sdk.ts";
import { InviteLinkSection } from "./InviteLinkSection.tsx";

const utf8 = new TextEncoder();

type Setting = "onlyAdminsSend" | "onlyAdminsEdit";

export function GroupSettings({ id, amAdmin, active }: { id: string; amAdmin: boolean; active: boolean }) {
  const controller = useController();
  const details = useApp((s) => s.details[id]);
  const [draft, setDraft] = useState<string | null>(null);
  // A switched setting shows as switched while it saves: the checkbox is controlled by the group's
  // state, which changes only with the server's answer, and any render in between (a message, a
  // tick) would otherwise flip it back under the person's finger. A refusal clears it (and toasts).
  const [saving, setSaving] = useState<Partial<Record<Setting, boolean>>>({});
  if (!details) return null;
  const change = (setting: Setting, value: boolean) => {
    setSaving((s) => ({ ...s, [setting]: value }));
    void controller.groupSettings
      .update(id, { [setting]: value })
      .finally(() => setSaving(({ [setting]: _done, ...rest }) => rest));
  };
  const description = details.description ?? "";
  const mayEdit = active && (amAdmin || details.onlyAdminsEdit === false);
  const tooLong = draft !== null && utf8.encode(draft).length > MAX_DESCRIPTION_BYTES;
  return (
    <>
      <section class="info-section" aria-labelledby="description-title">
        <h4 id="description-title">Description</h4>
        {draft === null ? (
          <>
            <p class="group-description">{description || <span class="muted">No description</span>}</p>
            {mayEdit && (
              <button type="button" class="link small" onClick={() => setDraft(description)}>
                Edit description
              </button>
            )}
          </>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (!tooLong)
                void controller.groupSettings
                  .update(id, { description: draft.trim() })
                  .then((ok) => ok && setDraft(null));
            }}
          >
            <textarea
              class="text-input"
              aria-label="Group description"
              rows={3}
              value={draft}
              onInput={(e) => setDraft(e.currentTarget.value)}
            />
            {tooLong && <p class="muted small">A description is at most {MAX_DESCRIPTION_BYTES} bytes.</p>}
            <span class="field-row">
              <button type="button" class="btn btn-small" onClick={() => setDraft(null)}>
                Cancel
              </button>
              <button type="submit" class="btn btn-primary btn-small" disabled={tooLong}>
                Save
              </button>
            </span>
          </form>
        )}
      </section>
      {amAdmin && active && (
        <section class="info-section" aria-labelledby="group-settings-title">
          <h4 id="group-settings-title">Group settings</h4>
          <label class="field">
            <span class="field-row">
              <input
                type="checkbox"
                checked={saving.onlyAdminsSend ?? details.onlyAdminsSend === true}
                onChange={(e) => change("onlyAdminsSend", e.currentTarget.checked)}
              />
              Only admins can send messages
            </span>
          </label>
          <label class="field">
            <span class="field-row">
              <input
                type="checkbox"
                checked={saving.onlyAdminsEdit ?? details.onlyAdminsEdit !== false}
                onChange={(e) => change("onlyAdminsEdit", e.currentTarget.checked)}
              />
              Only admins can edit group info
            </span>
          </label>
        </section>
      )}
      {amAdmin && active && <InviteLinkSection id={id} />}
    </>
  );
}
