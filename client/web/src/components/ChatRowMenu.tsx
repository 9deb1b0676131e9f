/**
 * The chat-list row's menu (⌄ on hover or focus, a right click, or the context-menu key / Shift+F10
 * on the row): mute, pin, archive, mark unread, delete chat for me (confirmed, Cancel focused).
 */
import { useState } from "preact/hooks";
import { useController } from "../app/context.ts";
import { isMuted, listStateOf, type ConversationSummary } from "../lib/sdk.ts";
import { Dialog } from "./Dialog.tsx";
import { MessageMenu, type MenuItem } from "./MessageMenu.tsx";

export function chatMenuItems(
  chat: ConversationSummary,
  actions: ReturnType<typeof useController>["chatList"],
  confirmDelete: () => void,
): MenuItem[] {
  const state = listStateOf(chat);
  const id = chat.id;
  const mute: MenuItem[] = isMuted(state, Date.now())
    ? [{ label: "Unmute notifications", run: () => void actions.mute(id, null) }]
    : [
        { label: "Mute for 8 hours", run: () => void actions.mute(id, "8h") },
        { label: "Mute for 1 week", run: () => void actions.mute(id, "1w") },
        { label: "Mute always", run: () => void actions.mute(id, "always") },
      ];
  return [
    ...mute,
    state.pinnedAt
      ? { label: "Unpin chat", run: () => void actions.change(id, { pinned: false }) }
      : { label: "Pin chat", run: () => void actions.change(id, { pinned: true }) },
    state.archived
      ? { label: "Unarchive chat", run: () => void actions.change(id, { archived: false }) }
      : { label: "Archive chat", run: () => void actions.change(id, { archived: true }) },
    state.markedUnread
      ? { label: "Mark as read", run: () => void actions.change(id, { unread: false }) }
      : { label: "Mark as unread", run: () => void actions.change(id, { unread: true }) },
    { label: "Delete chat", danger: true, run: confirmDelete },
  ];
}

export function ChatRowMenu({
  chat,
  title,
  openSignal,
}: {
  chat: ConversationSummary;
  title: string;
  openSignal: number;
}) {
  const controller = useController();
  const [confirming, setConfirming] = useState(false);
  const items = chatMenuItems(chat, controller.chatList, () => setConfirming(true));
  return (
    <div class="chat-row-options">
      <MessageMenu items={items} align="right" label={`Chat options for ${title}`} openSignal={openSignal} />
      {confirming && (
        <Dialog title={`Delete chat with ${title}?`} onClose={() => setConfirming(false)} class="confirm">
          <h2>Delete this chat?</h2>
          <p class="muted">Its messages are removed from your devices. {title} keeps their copy.</p>
          <div class="dialog-actions">
            <button type="button" class="btn btn-text" autofocus onClick={() => setConfirming(false)}>
              Cancel
            </button>
            <button
              type="button"
              class="btn btn-text danger"
              onClick={() => {
                setConfirming(false);
                void controller.chatList.clear(chat.id);
              }}
            >
              Delete chat
            </button>
          </div>
        </Dialog>
      )}
    </div>
  );
}
