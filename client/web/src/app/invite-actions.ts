/**
 * Group invite links: an admin makes, resets or revokes a group's link; anyone signed in opens one
 * (`/#invite=<token>`, the `url` the server answers), sees the group and joins.
 */
import { ApiError, type Invite, type InvitePreview } from "../lib/sdk.ts";
import { placeGroup } from "../state/reducers.ts";
import type { SessionPort } from "./session-port.ts";

const HASH = /^#invite=([0-9a-f]{32}[A-Za-z0-9_-]+)$/;

/** The invite token in this page's address, if it was opened from a link. */
export function inviteInAddress(hash: string): string | null {
  return HASH.exec(hash)?.[1] ?? null;
}

export class InviteActions {
  constructor(private readonly app: SessionPort) {}

  /** A new link (the previous one stops working); null (with a toast) if refused. */
  async create(conversationId: string): Promise<Invite | null> {
    try {
      return await this.app.api.createInvite(conversationId);
    } catch {
      this.app.toast("Couldn't make an invite link");
      return null;
    }
  }

  async revoke(conversationId: string): Promise<boolean> {
    try {
      await this.app.api.revokeInvite(conversationId);
      return true;
    } catch {
      this.app.toast("Couldn't revoke the invite link");
      return false;
    }
  }

  /** What the link shows, or why it cannot be used. */
  async preview(token: string): Promise<InvitePreview | "gone"> {
    try {
      return await this.app.api.invitePreview(token);
    } catch {
      return "gone";
    }
  }

  /** Joins and opens the group; false (with a toast) if refused. */
  async join(token: string): Promise<boolean> {
    try {
      const conversation = await this.app.api.joinInvite(token);
      // Shown at once; the chat list (last message, unread) follows from the server.
      this.app.update((s) => placeGroup(s, conversation, new Date().toISOString()));
      this.app.scheduleChatsRefresh();
      this.app.openChat(conversation.id);
      return true;
    } catch (error) {
      this.app.toast(
        error instanceof ApiError && error.code === "group_full"
          ? "This group is full"
          : "This invite link doesn't work any more",
      );
      return false;
    }
  }
}
