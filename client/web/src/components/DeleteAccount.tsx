/**
 * Settings: delete my account. Two steps (open the form, then confirm with the password), the
 * consequences spelled out first, because it cannot be undone.
 */
import { useState } from "preact/hooks";
import { useController } from "../app/context.ts";
import { ApiError } from "../lib/sdk.ts";

export function DeleteAccount() {
  const controller = useController();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setStatus(null);
    try {
      await controller.deleteAccount(password);
    } catch (error) {
      const code = error instanceof ApiError ? error.code : null;
      setStatus(
        code === "invalid_credentials"
          ? "The password is wrong."
          : code === "rate_limited"
            ? "Too many attempts. Wait a minute and try again."
            : "Couldn't delete the account yet. Try again.",
      );
      setBusy(false);
    }
  };
  if (!open)
    return (
      <section class="info-section" aria-labelledby="delete-account-title">
        <h4 id="delete-account-title">Delete my account</h4>
        <button type="button" class="btn btn-text danger" onClick={() => setOpen(true)}>
          Delete my account…
        </button>
      </section>
    );
  return (
    <form class="info-section" aria-labelledby="delete-account-title" onSubmit={(e) => void submit(e)}>
      <h4 id="delete-account-title">Delete my account</h4>
      <p class="muted small">
        This cannot be undone. You leave every group, your profile shows as “Deleted account”, your photo and username
        are removed and all your devices are signed out. Messages you sent stay with the people who received them.
      </p>
      <label class="field">
        Your password
        <input
          class="text-input"
          type="password"
          autocomplete="current-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      <div class="dialog-actions">
        <button type="button" class="btn btn-text" onClick={() => setOpen(false)}>
          Cancel
        </button>
        <button type="submit" class="btn btn-primary btn-small danger" disabled={!password || busy}>
          Delete my account
        </button>
      </div>
      {status && (
        <p class="muted small" role="alert">
          {status}
        </p>
      )}
    </form>
  );
}
