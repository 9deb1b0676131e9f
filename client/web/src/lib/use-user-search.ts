/** Searches users by username prefix as the person types (debounced; stale answers are dropped). */
import { useEffect, useState } from "preact/hooks";
import type { Api, User } from "./sdk.ts";

const DEBOUNCE_MS = 250;

/** The prefix the server accepts ("@Bob" → "bob"), or null when the text cannot be a username. */
export function usernamePrefix(text: string): string | null {
  const prefix = text.trim().replace(/^@/, "").toLowerCase();
  return /^[a-z0-9_.]{1,32}$/.test(prefix) ? prefix : null;
}

export function useUserSearch(api: Api, text: string, excludeId: string): { users: User[]; searching: boolean } {
  const [result, setResult] = useState<{ for: string; users: User[] }>({ for: "", users: [] });
  const prefix = usernamePrefix(text);
  useEffect(() => {
    if (!prefix) return;
    let live = true;
    const timer = setTimeout(() => {
      api.searchUsers(prefix).then(
        (users) => live && setResult({ for: prefix, users: users.filter((u) => u.id !== excludeId) }),
        () => live && setResult({ for: prefix, users: [] }),
      );
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, prefix, excludeId]);
  if (!prefix) return { users: [], searching: false };
  return { users: result.for === prefix ? result.users : [], searching: result.for !== prefix };
}
