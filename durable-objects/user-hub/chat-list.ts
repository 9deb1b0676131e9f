/**
 * The user's chat list as a projection of their event log: each event, applied once when it first
 * arrives, updates the chat rows and unread counts (./store.ts). Reading the list is then one query.
 *
 * `status` events also land here: their four watermarks only grow, so keeping the maximum of each per
 * chat costs four integers and gives a fresh device its ticks with the list, without asking for the
 * status of a message. Direct chats carry the peer's public profile, which `profile` events keep
 * current (./profiles.ts).
 */
import type { EventBody, Message } from "../../client/sdk/protocol/index.ts";
import type { HubStore } from "./store.ts";

export function applyToChatList(
  store: HubStore,
  userId: string,
  conversationId: string,
  body: EventBody,
  now: number,
): void {
  switch (body.kind) {
    case "conversation":
      return store.upsertChat(body.conversation, now);
    case "message": {
      const m = body.message;
      store.chatMessage(conversationId, JSON.stringify(m), m.seq, Date.parse(m.sentAt));
      if (m.senderId !== userId && m.system === null && !m.deleted) store.markUnread(conversationId, m.seq);
      return;
    }
    case "message_deleted":
    case "message_hidden": {
      store.clearUnread(conversationId, body.seq);
      if (body.kind === "message_deleted") {
        const last = store.chatLastMessage(conversationId, body.seq);
        if (last) {
          const tomb: Message = { ...(JSON.parse(last) as Message), text: null, media: null, deleted: true };
          store.setChatLastMessage(conversationId, JSON.stringify(tomb));
        }
      }
      return;
    }
    case "read_marker":
      return store.chatRead(conversationId, body.upTo);
    case "status":
      return store.chatStatus(conversationId, body);
    case "profile":
      return; // not about a conversation; profiles are kept by ./profiles.ts
    case "message_edited": {
      const last = store.chatLastMessage(conversationId, body.seq);
      if (last) {
        const edited: Message = { ...(JSON.parse(last) as Message), text: body.text, editedAt: body.editedAt };
        store.setChatLastMessage(conversationId, JSON.stringify(edited));
      }
      return;
    }
    case "reaction":
      return; // not a message: the chat's order and unread count stay
    case "messages_expired":
      // Gone, not deleted: no longer unread, and the preview keeps none of its content.
      for (const seq of body.seqs) {
        store.clearUnread(conversationId, seq);
        const last = store.chatLastMessage(conversationId, seq);
        if (last) {
          const gone: Message = { ...(JSON.parse(last) as Message), text: null, media: null, deleted: true };
          store.setChatLastMessage(conversationId, JSON.stringify(gone));
        }
      }
      return;
    case "chat_state":
    case "blocked":
      return; // the hub's own events, written where they are made (./chat-state.ts, ./blocks.ts)
  }
}
