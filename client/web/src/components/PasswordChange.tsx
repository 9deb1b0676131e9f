/** Settings: change my password (the current one is needed); every other device is signed out. */
import { useState } from "preact/hooks";
import { useController } from "../app/context.ts";
import { ApiError, MIN_PASSWORD_CHARS } from "../lib/sdk.ts";

export function PasswordChange() {
  const controller = useController();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [status, setStatus] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await controller.api.changePassword(current, next);
      setCurrent("");
      setNext("");
      setStatus("Password changed. Your other devices were signed out.");
    } catch (error) {
      const code = error instanceof ApiError ? error.code : null;
      setStatus(
        code === "invalid_credentials"
          ? "The current password is wrong."
          : code === "weak_password" || code === "invalid_request"
            ? `Choose a stronger new password (at least ${MIN_PASSWORD_CHARS} characters, not a common one).`
            : "Couldn't change the password.",
      );
    }
  };
  return (
    <form class="info-section" aria-labelledby="password-title" onSubmit={(e) => void submit(e)}>
      <h4 id="password-title">Change password</h4>
      <label class="field">
        Current password
        <input
          class="text-input"
          type="password"
          autocomplete="current-password"
          value={current}
          onInput={(e) => setCurrent(e.currentTarget.value)}
        />
      </label>
      <label class="field">
        New password
        <input
          class="text-input"
          type="password"
          autocomplete="new-password"
          minLength={MIN_PASSWORD_CHARS}
          value={next}
          onInput={(e) => setNext(e.currentTarget.value)}
        />
      </label>
      <button type="submit" class="btn btn-primary btn-small" disabled={!current || next.length < MIN_PASSWORD_CHARS}>
        Change password
      </button>
      {status && (
        <p class="muted small" role="status">
          {status}
        </p>
      )}
    </form>
  );
}
