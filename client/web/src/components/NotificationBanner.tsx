/**
 * Right after sign-in, a strip offering notifications, instead of a permission prompt on load
 * (browsers require a click for that, and people deny prompts they did not ask for). Shown while
 * push is supported, the browser has not been asked yet ("default") and this user has not said
 * "Not now" here. "Enable" is the profile drawer's flow; "Not now" is remembered per user.
 */
import { useEffect, useState } from "preact/hooks";
import { useApp, useController } from "../app/context.ts";
import type { PushState } from "../app/notifications.ts";
import { dismissPushPrompt, pushPromptDismissed } from "../lib/push-prompt.ts";
import { PUSH_LABEL } from "./push-labels.ts";

export function NotificationBanner() {
  const controller = useController();
  const userId = useApp((s) => s.me.id);
  const [shown, setShown] = useState(() => controller.notifications.state() === "off" && !pushPromptDismissed(userId));
  const [busy, setBusy] = useState(false);

  // Permission granted or blocked elsewhere (the profile drawer, the site settings): nothing to offer.
  useEffect(() => {
    if (!shown || !navigator.permissions) return;
    let status: PermissionStatus | null = null;
    const onChange = () => {
      if (status?.state !== "prompt") setShown(false);
    };
    let gone = false;
    void navigator.permissions.query({ name: "notifications" }).then(
      (s) => {
        if (gone) return;
        status = s;
        s.addEventListener("change", onChange);
      },
      () => undefined,
    );
    return () => {
      gone = true;
      status?.removeEventListener("change", onChange);
    };
  }, [shown]);

  if (!shown) return null;
  const enable = async () => {
    setBusy(true);
    const result = await controller.notifications.enable().catch((): PushState => "off");
    setShown(false);
    if (result !== "on") controller.toast(result === "off" ? "Couldn't turn on notifications" : PUSH_LABEL[result]);
  };
  return (
    <section class="push-banner" aria-label="Notifications">
      <p>Get notified of new messages, even when Edge Messenger is closed.</p>
      <span class="push-banner-actions">
        <button type="button" class="btn btn-primary btn-small" disabled={busy} onClick={() => void enable()}>
          Enable
        </button>
        <button
          type="button"
          class="btn btn-small"
          disabled={busy}
          onClick={() => {
            dismissPushPrompt(userId);
            setShown(false);
          }}
        >
          Not now
        </button>
      </span>
    </section>
  );
}
