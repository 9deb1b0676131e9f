/**
 * Whether a user said "Not now" to the notifications banner on this browser. Kept per user (people
 * may share a browser) and kept across logout: "Not now" means stop asking here; the profile drawer
 * still offers notifications.
 */

const key = (userId: string) => `messenger.push-prompt-dismissed.${userId}`;

export function pushPromptDismissed(userId: string): boolean {
  try {
    return localStorage.getItem(key(userId)) !== null;
  } catch {
    return false; // storage blocked: asking again is harmless
  }
}

export function dismissPushPrompt(userId: string): void {
  try {
    localStorage.setItem(key(userId), "1");
  } catch {
    // Storage blocked: the banner is hidden for this visit only.
  }
}
