/**
 * What survives a reload outside IndexedDB: the session token (and the user it belongs to, so the
 * app can start while the network is slow) and a stable device id per user on this browser, which
 * the server uses to keep this device's delivery cursor.
 */
import type { User } from "./sdk.ts";

const SESSION_KEY = "messenger.session";

export interface SavedSession {
  token: string;
  user: User;
}

export function loadSession(): SavedSession | null {
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<SavedSession>;
    return typeof parsed.token === "string" && parsed.user ? { token: parsed.token, user: parsed.user } : null;
  } catch {
    return null;
  }
}

export function saveSession(session: SavedSession): void {
  localStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  localStorage.removeItem(SESSION_KEY);
}

export function deviceIdFor(userId: string): string {
  const key = `messenger.device.${userId}`;
  let id = localStorage.getItem(key);
  if (!id) {
    id = `web-${crypto.randomUUID()}`;
    localStorage.setItem(key, id);
  }
  return id;
}
