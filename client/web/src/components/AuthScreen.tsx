/** Log in or create an account. Errors are the server's, in words. */
import { useState } from "preact/hooks";
import { ApiError, MIN_PASSWORD_CHARS, USERNAME_PATTERN, type Api, type User } from "../lib/sdk.ts";
import { LockIcon } from "./icons.tsx";

export interface AuthScreenProps {
  api: Api;
  onAuthed(token: string, user: User): void;
}

function explain(error: unknown): string {
  if (!(error instanceof ApiError)) return "Something went wrong. Try again.";
  switch (error.code) {
    case "username_taken":
      return "That username is taken. Try another one.";
    case "invalid_credentials":
      return "Wrong username or password.";
    case "invalid_request":
      return "Check the fields: usernames are 3–32 of a–z, 0–9, _ and ., passwords at least 8 characters.";
    case "rate_limited":
      return "Too many attempts. Wait a moment and try again.";
    case "network":
      return "You're offline. Connect and try again.";
    default:
      return "The server could not do that right now. Try again.";
  }
}

export function AuthScreen({ api, onAuthed }: AuthScreenProps) {
  const [mode, setMode] = useState<"login" | "register">("login");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [error, setErrorText] = useState<string | null>(null);
  // The field the error is about, so it is announced with that field (aria-describedby).
  const [errorFor, setErrorFor] = useState<"username" | "password" | "form">("form");
  const setError = (text: string | null, field: "username" | "password" | "form" = "form") => {
    setErrorText(text);
    setErrorFor(field);
  };
  const describedBy = (field: "username" | "password") =>
    error && (errorFor === field || errorFor === "form")
      ? { "aria-describedby": "auth-error", "aria-invalid": true as const }
      : {};
  const [busy, setBusy] = useState(false);
  const registering = mode === "register";

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const name = username.trim().toLowerCase();
    if (registering && !USERNAME_PATTERN.test(name))
      return setError("Usernames are 3–32 characters: a–z, 0–9, _ and .", "username");
    if (registering && password.length < MIN_PASSWORD_CHARS)
      return setError(`Passwords have at least ${MIN_PASSWORD_CHARS} characters.`, "password");
    setBusy(true);
    try {
      const out = registering
        ? await api.register({ username: name, password, displayName: displayName.trim() || name })
        : await api.login({ username: name, password });
      onAuthed(out.token, out.user);
    } catch (err) {
      setError(explain(err), err instanceof ApiError && err.code === "username_taken" ? "username" : "form");
      setBusy(false);
    }
  };

  return (
    <main class="auth">
      <div class="auth-brand">
        <svg viewBox="0 0 64 64" width="56" height="56" aria-hidden="true">
          <circle cx="32" cy="32" r="30" fill="currentColor" />
          <path d="M18 44l3-9a14 14 0 1 1 6 6z" fill="#fff" />
        </svg>
        <h1>Edge Messenger</h1>
      </div>
      <section class="auth-card" aria-labelledby="auth-title">
        <h2 id="auth-title">{registering ? "Create your account" : "Log in"}</h2>
        <form onSubmit={submit} noValidate>
          <label>
            Username
            <input
              name="username"
              autocomplete="username"
              autocapitalize="none"
              spellcheck={false}
              required
              {...describedBy("username")}
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
            />
          </label>
          {registering && (
            <label>
              Your name
              <input
                name="displayName"
                autocomplete="name"
                maxLength={64}
                value={displayName}
                onInput={(e) => setDisplayName(e.currentTarget.value)}
              />
            </label>
          )}
          <label>
            Password
            <input
              name="password"
              type="password"
              autocomplete={registering ? "new-password" : "current-password"}
              required
              {...describedBy("password")}
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
          {error && (
            <p class="form-error" id="auth-error" role="alert">
              {error}
            </p>
          )}
          <button class="btn btn-primary" type="submit" disabled={busy}>
            {busy ? "Please wait…" : registering ? "Create account" : "Log in"}
          </button>
        </form>
        <p class="auth-switch">
          {registering ? "Already have an account?" : "New here?"}{" "}
          <button
            type="button"
            class="link"
            onClick={() => {
              setMode(registering ? "login" : "register");
              setError(null);
            }}
          >
            {registering ? "Log in" : "Create an account"}
          </button>
        </p>
      </section>
      <p class="auth-foot">
        <LockIcon /> Messages written offline wait on your device and are sent, once, when you are back.
      </p>
    </main>
  );
}
