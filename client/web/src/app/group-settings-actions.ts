/** A group's description and its settings (only admins send, only admins edit info). */
import { ApiError, type UpdateGroupBody } from "../lib/sdk.ts";
import type { SessionPort } from "./session-port.ts";

export class GroupSettingsActions {
  constructor(private readonly app: SessionPort) {}

  /** Applies `patch`; the answer is the group as it now is. False (with a toast) if refused. */
  async update(conversationId: string, patch: UpdateGroupBody): Promise<boolean> {
    try {
      const conversation = await this.app.api.updateGroup(conversationId, patch);
      this.app.update((s) => ({ ...s, details: { ...s.details, [conversationId]: conversation } }));
      return true;
    } catch (error) {
      this.app.toast(
        error instanceof ApiError && error.code === "forbidden"
          ? "Only group admins can do that"
          : "Couldn't save the group settings",
      );
      return false;
    }
  }
}
