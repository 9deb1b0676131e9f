/** The emoji this browser picked last, newest first (localStorage: a preference, not a secret). */
const KEY = "recent-emoji";
/** As many as one row and a half of the picker shows. */
const KEEP = 16;

export function recentEmoji(): string[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(value) ? value.filter((e): e is string => typeof e === "string").slice(0, KEEP) : [];
  } catch {
    return [];
  }
}

export function rememberEmoji(emoji: string): void {
  const next = [emoji, ...recentEmoji().filter((e) => e !== emoji)].slice(0, KEEP);
  try {
    localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    // storage full or blocked: recents are a convenience
  }
}
