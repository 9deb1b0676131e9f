/** A short message about something that went wrong (or right), read out by screen readers. */
import { useApp, useController } from "../app/context.ts";
import { CloseIcon } from "./icons.tsx";

export function Toast() {
  const controller = useController();
  const toast = useApp((s) => s.toast);
  return (
    <div class="toast-region" role="status" aria-live="polite">
      {toast && (
        <div class="toast">
          <span>{toast}</span>
          <button type="button" class="icon-btn small" aria-label="Dismiss" onClick={() => controller.toast(null)}>
            <CloseIcon />
          </button>
        </div>
      )}
    </div>
  );
}
