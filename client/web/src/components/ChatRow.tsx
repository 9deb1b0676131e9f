/**
 * One chat in the list: avatar (with online dot), name, time, last message with my ticks, unread
 * badge, pinned/muted marks, and its options menu (./ChatRowMenu.tsx).
 */
import { useState } from "preact/hooks";
import { useApp, useController } from "../app/context.ts";
import { isMuted, listStateOf } from "../lib/sdk.ts";
import { listTime, previewText } from "../lib/format.ts";
import { chatTitle, nameOf, pendingIn, tickFor } from "../state/selectors.ts";
import { Avatar } from "./Avatar.tsx";
import { ChatRowMenu } from "./ChatRowMenu.tsx";
import { MutedIcon, PinIcon } from "./icons.tsx";
import { Ticks } from "./Ticks.tsx";

/** Read by screen readers between the row's parts, so its name is "Bob, 12:05, Hello", not "Bob12:05Hello". */
const Comma = () => <span class="visually-hidden">, </span>;

export function ChatRow({ id }: { id: string }) {
  const controller = useController();
  const chat = useApp((s) => s.chats[id]);
  const title = useApp((s) => (chat ? chatTitle(s, chat) : ""));
  const peer = useApp((s) => (chat?.peerId ? s.users[chat.peerId] : undefined));
  const groupPicture = useApp((s) => s.details[id]?.pictureUrl);
  const online = useApp((s) => (chat?.peerId ? (s.presence[chat.peerId]?.online ?? false) : false));
  const typing = useApp((s) => s.typing[id]);
  const receipts = useApp((s) => s.receipts[id]);
  const pending = useApp((s) => pendingIn(s, id));
  const active = useApp((s) => s.activeChatId === id);
  const meId = useApp((s) => s.me.id);
  const users = useApp((s) => s.users);
  const name = (uid: string) => nameOf(controller.store.get(), uid);
  const [menuSignal, setMenuSignal] = useState(0);
  if (!chat) return null;
  const listState = listStateOf(chat);
  const muted = isMuted(listState, Date.now());
  const openMenu = (e: Event) => {
    e.preventDefault();
    setMenuSignal((n) => n + 1);
  };

  const typers = Object.keys(typing ?? {}).filter((u) => u !== meId);
  const last = chat.lastMessage;
  const queued = pending[pending.length - 1];
  const mine = queued ? true : last?.senderId === meId && !last.system;
  const tick = queued ? (queued.error ? "failed" : "pending") : last ? tickFor(last.seq, receipts) : null;
  let preview = queued
    ? (queued.text ?? (queued.file?.type.startsWith("video/") ? "Video" : "Photo"))
    : last
      ? previewText(last, name)
      : "";
  if (!queued && last && chat.type === "group" && !last.system && !last.deleted && last.senderId !== meId) {
    preview = `${users[last.senderId]?.displayName ?? "Someone"}: ${preview}`;
  }
  const typingText =
    typers.length === 0 ? null : chat.type === "group" ? `${name(typers[0] ?? "")} is typing…` : "typing…";
  const time = queued ? new Date(queued.queuedAt).toISOString() : (last?.sentAt ?? chat.updatedAt);

  return (
    <li class="chat-row-item">
      <button
        type="button"
        class={`chat-row ${active ? "active" : ""}`}
        aria-current={active ? "true" : undefined}
        aria-keyshortcuts="Shift+F10"
        onClick={() => controller.openChat(id)}
        onContextMenu={openMenu}
        onKeyDown={(e) => {
          if (e.key === "ContextMenu" || (e.key === "F10" && e.shiftKey)) openMenu(e);
        }}
      >
        <Avatar
          name={title}
          seed={chat.peerId ?? id}
          pictureUrl={chat.type === "group" ? groupPicture : peer?.pictureUrl}
          group={chat.type === "group"}
          online={online}
        />
        <span class="chat-row-main">
          <span class="chat-row-line">
            <span class="chat-row-name">
              {title}
              {online && <span class="visually-hidden">, online</span>}
              <Comma />
            </span>
            <time class={`chat-row-time ${chat.unreadCount > 0 ? "unread" : ""}`} dateTime={time}>
              {listTime(time)}
              <Comma />
            </time>
          </span>
          <span class="chat-row-line">
            <span class={`chat-row-preview ${typingText ? "typing" : ""} ${last?.deleted && !queued ? "deleted" : ""}`}>
              {typingText ?? (
                <>
                  {mine && tick && !last?.deleted && <Ticks tick={tick} />}
                  {preview}
                </>
              )}
            </span>
            {muted && <MutedIcon class="chat-row-mark" label="Muted" />}
            {listState.pinnedAt && <PinIcon class="chat-row-mark" label="Pinned" />}
            {chat.unreadCount > 0 && <Comma />}
            {chat.unreadCount > 0 && (
              <span class="badge" aria-label={`${chat.unreadCount} unread message${chat.unreadCount === 1 ? "" : "s"}`}>
                {chat.unreadCount}
              </span>
            )}
            {chat.unreadCount === 0 && listState.markedUnread && (
              <span class="badge badge-dot" role="img" aria-label="Marked unread" />
            )}
          </span>
        </span>
      </button>
      <ChatRowMenu chat={chat} title={title} openSignal={menuSignal} />
    </li>
  );
}
