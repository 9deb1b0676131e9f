/**
 * Notifications and privacy, in the profile drawer: turn on push for this browser (a click, as
 * browsers require for the permission prompt), choose whether notifications show the text, and who
 * sees my online state and last seen, and who sees my profile photo and about.
 */
import { useEffect, useState } from "preact/hooks";
import { z } from "zod";
import { useController } from "../app/context.ts";
import type { PushState } from "../app/notifications.ts";
import { PUSH_LABEL } from "./push-labels.ts";

const Visibility = z.enum(["everyone", "contacts", "nobody"]);
type Visibility = z.infer<typeof Visibility>;

export function PrivacySettings() {
  const controller = useController();
  const [push, setPush] = useState<PushState>(() => controller.notifications.state());
  const [previews, setPreviews] = useState<boolean | null>(null);
  const [visibility, setVisibility] = useState<Visibility | null>(null);
  const [profile, setProfile] = useState<Visibility | null>(null);

  useEffect(() => {
    const api = controller.api;
    void api.request("GET", "/v1/me/notifications", z.object({ previews: z.boolean() })).then(
      (r) => setPreviews(r.previews),
      () => setPreviews(null),
    );
    void api.privacySettings().then(
      (p) => {
        setVisibility(p.presence);
        setProfile(p.profile ?? "everyone");
      },
      () => setVisibility(null),
    );
  }, [controller]);

  return (
    <section class="info-section" aria-labelledby="privacy-title">
      <h4 id="privacy-title">Notifications and privacy</h4>
      <button
        type="button"
        class="btn btn-small"
        disabled={push !== "off"}
        onClick={() => void controller.notifications.enable().then(setPush)}
      >
        {PUSH_LABEL[push]}
      </button>
      {previews !== null && (
        <label class="field">
          <span class="field-row">
            <input
              type="checkbox"
              checked={previews}
              onChange={(e) => {
                // Shown as switched at once (a render before the answer would flip it back); a
                // refusal puts it back.
                const next = e.currentTarget.checked;
                setPreviews(next);
                void controller.notifications.setPreviews(next).then(setPreviews, () => setPreviews(!next));
              }}
            />
            Show message text in notifications
          </span>
        </label>
      )}
      {visibility !== null && (
        <label class="field">
          Who can see my online status and last seen
          <select
            value={visibility}
            onChange={(e) => {
              const next = Visibility.parse(e.currentTarget.value);
              void controller.api.setPrivacy(next).then(() => setVisibility(next));
            }}
          >
            <option value="everyone">Everyone</option>
            <option value="contacts">People I chat with</option>
            <option value="nobody">Nobody</option>
          </select>
        </label>
      )}
      {profile !== null && (
        <label class="field">
          Who can see my profile photo and about
          <select
            value={profile}
            onChange={(e) => {
              const next = Visibility.parse(e.currentTarget.value);
              void controller.api.setPrivacy({ profile: next }).then((p) => setProfile(p.profile ?? next));
            }}
          >
            <option value="everyone">Everyone</option>
            <option value="contacts">People I chat with</option>
            <option value="nobody">Nobody</option>
          </select>
        </label>
      )}
    </section>
  );
}
