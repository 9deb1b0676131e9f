/** Blocking: the list I keep (loaded at start, kept by `blocked` events) and block / unblock. */
import { setBlocked } from "../state/reducers.ts";
import type { SessionPort } from "./session-port.ts";

export class BlockActions {
  constructor(private readonly app: SessionPort) {}

  /** Loads the blocked list and the profiles it names (the settings screen lists them). */
  async load(): Promise<void> {
    try {
      const users = await this.app.api.blocked();
      this.app.update((s) => {
        let next = s;
        for (const user of users) next = setBlocked(next, user.id, true);
        return { ...next, users: { ...Object.fromEntries(users.map((u) => [u.id, u])), ...next.users } };
      });
    } catch {
      // Kept by events from here on; the settings screen retries when opened.
    }
  }

  async set(userId: string, blocked: boolean): Promise<void> {
    try {
      if (blocked) await this.app.api.block(userId);
      else await this.app.api.unblock(userId);
      // The `blocked` event follows on every device; this one need not wait for it.
      this.app.update((s) => setBlocked(s, userId, blocked));
    } catch {
      this.app.toast(blocked ? "Couldn't block this contact" : "Couldn't unblock this contact");
    }
  }
}
