/**
 * Settings: read receipts on or off. Off, in direct chats I neither send read receipts nor see other
 * people's; groups always show reads, and delivered ticks are unaffected.
 */
import { useEffect, useState } from "preact/hooks";
import { useController } from "../app/context.ts";

export function ReadReceiptsSetting() {
  const controller = useController();
  const [on, setOn] = useState<boolean | null>(null);
  useEffect(() => {
    void controller.api.privacySettings().then(
      (p) => setOn(p.readReceipts ?? true),
      () => setOn(null),
    );
  }, [controller]);
  if (on === null) return null;
  return (
    <section class="info-section">
      <label class="field">
        <span class="field-row">
          <input
            type="checkbox"
            checked={on}
            onChange={(e) => {
              // Shown as switched at once: a render before the answer would flip it back otherwise.
              const next = e.currentTarget.checked;
              setOn(next);
              void controller.api.setPrivacy({ readReceipts: next }).then(
                (p) => setOn(p.readReceipts ?? true),
                () => {
                  setOn(!next);
                  controller.toast("Couldn't change read receipts");
                },
              );
            }}
          />
          Read receipts
        </span>
      </label>
      <p class="muted small">Off: in direct chats you won't send or see read receipts. Groups always show them.</p>
    </section>
  );
}
