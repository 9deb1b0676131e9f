/**
 * My state of each chat in the list (README "Chat list state"): pin, archive, mute, mark unread,
 * delete for me. The hub logs every change as a `chat_state` event for all my devices; this device
 * applies the answer at once rather than wait for its own event.
 */
import { ApiError, type ChatListState } from "../lib/sdk.ts";
import { muteConversation, type MuteChoice } from "../../../sdk/push.ts";
import { setListState } from "../state/reducers.ts";
import type { SessionPort } from "./session-port.ts";

export type ChatListChange = { pinned?: boolean; archived?: boolean; unread?: boolean };

export class ChatListActions {
  constructor(private readonly app: SessionPort) {}

  async change(conversationId: string, change: ChatListChange): Promise<void> {
    try {
      this.apply(conversationId, await this.app.api.setListState(conversationId, change));
    } catch (error) {
      this.app.toast(
        error instanceof ApiError && error.code === "too_many_pinned"
          ? "You can only pin up to 3 chats"
          : "Couldn't change the chat",
      );
    }
  }

  async mute(conversationId: string, choice: MuteChoice): Promise<void> {
    try {
      const mute = await muteConversation(this.app.api, conversationId, choice);
      const chat = this.app.state().chats[conversationId];
      if (chat?.listState) this.apply(conversationId, { ...chat.listState, mutedUntil: mute.until });
    } catch {
      this.app.toast(choice === null ? "Couldn't unmute the chat" : "Couldn't mute the chat");
    }
  }

  /** Delete chat for me: gone from the list on all my devices until someone writes again. */
  async clear(conversationId: string): Promise<void> {
    try {
      const state = await this.app.api.clearChat(conversationId);
      if (this.app.state().activeChatId === conversationId) this.app.openChat(null);
      this.apply(conversationId, state);
    } catch {
      this.app.toast("Couldn't delete the chat");
    }
  }

  private apply(conversationId: string, state: ChatListState): void {
    this.app.update((s) => setListState(s, conversationId, state));
  }
}
