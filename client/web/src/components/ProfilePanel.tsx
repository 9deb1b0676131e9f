/** My profile: picture, name, about, username; and logging out. */
import { useRef, useState } from "preact/hooks";
import { useApp, useController } from "../app/context.ts";
import { MAX_ABOUT_CHARS, MAX_DISPLAY_NAME_CHARS } from "../lib/sdk.ts";
import { Avatar } from "./Avatar.tsx";
import { BlockedContacts } from "./BlockedContacts.tsx";
import { DeleteAccount } from "./DeleteAccount.tsx";
import { ExportData } from "./ExportData.tsx";
import { DevicesSettings } from "./DevicesSettings.tsx";
import { PasswordChange } from "./PasswordChange.tsx";
import { PrivacySettings } from "./PrivacySettings.tsx";
import { ReadReceiptsSetting } from "./ReadReceiptsSetting.tsx";
import { BackIcon, LogoutIcon } from "./icons.tsx";
import { PictureUpload } from "./PictureUpload.tsx";
import { usePanelFocus } from "./use-panel-focus.ts";

function EditableField(props: {
  label: string;
  value: string;
  maxLength: number;
  onSave(value: string): Promise<boolean>;
  required?: boolean;
}) {
  const [value, setValue] = useState(props.value);
  const [saved, setSaved] = useState(false);
  const saving = useRef(false);
  const dirty = value.trim() !== props.value;
  const save = async (e: Event) => {
    e.preventDefault();
    if (!dirty || saving.current || (props.required && !value.trim())) return;
    saving.current = true;
    const ok = await props.onSave(value.trim()).finally(() => (saving.current = false));
    if (ok) {
      setSaved(true);
      setTimeout(() => setSaved(false), 2_000);
    }
  };
  return (
    <form class="info-section" onSubmit={save}>
      <label class="field">
        {props.label}
        <span class="field-row">
          <input
            class="text-input"
            dir="auto"
            maxLength={props.maxLength}
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
            // Leaving the field saves it: an edit is never lost for want of Enter or Save.
            onBlur={(e) => void save(e)}
          />
          {dirty && (
            <button type="submit" class="btn btn-primary btn-small">
              Save
            </button>
          )}
        </span>
      </label>
      {saved && (
        <p class="muted small" role="status">
          Saved
        </p>
      )}
    </form>
  );
}

export function ProfilePanel() {
  const controller = useController();
  const me = useApp((s) => s.me);
  const panel = useRef<HTMLElement>(null);
  usePanelFocus(panel);
  return (
    <section ref={panel} class="drawer" aria-labelledby="profile-title">
      <header class="drawer-header">
        <button type="button" class="icon-btn" aria-label="Back" onClick={() => controller.setLeftPanel(null)}>
          <BackIcon />
        </button>
        <h2 id="profile-title">Profile</h2>
      </header>
      <div class="drawer-body">
        <div class="profile-hero">
          <PictureUpload label="Change profile photo" upload={(file) => controller.profile.setPicture(file)}>
            <Avatar name={me.displayName} seed={me.id} pictureUrl={me.pictureUrl} size="xl" />
          </PictureUpload>
          <p class="muted">@{me.username}</p>
        </div>
        <EditableField
          label="Your name"
          value={me.displayName}
          maxLength={MAX_DISPLAY_NAME_CHARS}
          required
          onSave={(displayName) => controller.profile.update({ displayName })}
        />
        <EditableField
          label="About"
          value={me.about}
          maxLength={MAX_ABOUT_CHARS}
          onSave={(about) => controller.profile.update({ about })}
        />
        <PrivacySettings />
        <ReadReceiptsSetting />
        <BlockedContacts />
        <DevicesSettings />
        <PasswordChange />
        <ExportData />
        <DeleteAccount />
        <button type="button" class="btn btn-text danger logout" onClick={() => void controller.logout()}>
          <LogoutIcon /> Log out
        </button>
      </div>
    </section>
  );
}
