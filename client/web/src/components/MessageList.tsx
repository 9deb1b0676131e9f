/**
 * The scrolling history of one chat: day separators, runs of messages, my pending sends at the end.
 * Scrolls to the newest message on open and when I send or am already at the bottom; scrolling near
 * the top loads the previous page and keeps what I was looking at in place.
 */
import { Fragment } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { useApp, useController } from "../app/context.ts";
import { dayLabel } from "../lib/format.ts";
import { pendingIn } from "../state/selectors.ts";
import { ConfirmDelete } from "./ConfirmDelete.tsx";
import { MessageBubble, PendingBubble, SystemNote } from "./MessageBubble.tsx";

/** Within this many px of an edge counts as "at" it. */
const EDGE_PX = 120;

function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function MessageList({ id }: { id: string }) {
  const controller = useController();
  const thread = useApp((s) => s.threads[id]);
  const pending = useApp((s) => pendingIn(s, id));
  const isGroup = useApp((s) => s.chats[id]?.type === "group");
  const meId = useApp((s) => s.me.id);
  const users = useApp((s) => s.users);
  const [deleting, setDeleting] = useState<{ seq: number; forEveryone: boolean } | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const items = thread?.items ?? [];
  const firstSeq = items[0]?.seq ?? 0;
  const lastKey = `${items[items.length - 1]?.seq ?? 0}/${pending.length}`;
  const seen = useRef({ id: "", firstSeq: 0, lastKey: "", height: 0, atBottom: true });

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const before = seen.current;
    const lastMine = pending.length > 0 || items[items.length - 1]?.senderId === meId;
    if (before.id !== id) el.scrollTop = el.scrollHeight;
    else if (firstSeq < before.firstSeq && before.height > 0) el.scrollTop += el.scrollHeight - before.height;
    else if (lastKey !== before.lastKey && (before.atBottom || lastMine)) el.scrollTop = el.scrollHeight;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX;
    seen.current = { id, firstSeq, lastKey, height: el.scrollHeight, atBottom };
    // A first page shorter than the screen cannot be scrolled: fetch more right away.
    if (thread?.hasOlder && el.scrollHeight <= el.clientHeight) void controller.loadOlder(id);
  });

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    seen.current.atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX;
    seen.current.height = el.scrollHeight;
    if (el.scrollTop < EDGE_PX && thread?.hasOlder) void controller.loadOlder(id);
  };

  let lastDay = "";
  let lastSender = "";
  return (
    <div class="messages-scroll" ref={scroller} onScroll={onScroll} role="log" aria-label="Messages">
      {thread?.loadingOlder && <p class="loading-older">Loading earlier messages…</p>}
      {!thread?.hasOlder && !thread?.loadingOlder && items.length > 0 && items[0]?.seq === 1 && (
        <p class="chat-start">This is the start of your conversation.</p>
      )}
      <ol class="messages">
        {items.map((m) => {
          const day = dayKey(m.sentAt);
          const newDay = day !== lastDay;
          lastDay = day;
          const showName = isGroup && m.senderId !== meId && !m.system && (newDay || lastSender !== m.senderId);
          lastSender = m.system ? "" : m.senderId;
          return (
            <Fragment key={m.seq}>
              {newDay && (
                <li class="day-separator">
                  <span>{dayLabel(m.sentAt)}</span>
                </li>
              )}
              {m.system ? (
                <SystemNote message={m} />
              ) : (
                <MessageBubble
                  message={m}
                  conversationId={id}
                  mine={m.senderId === meId}
                  senderName={showName ? (users[m.senderId]?.displayName ?? "…") : null}
                  onDelete={(seq, forEveryone) => setDeleting({ seq, forEveryone })}
                />
              )}
            </Fragment>
          );
        })}
        {pending.map((p) => (
          <PendingBubble key={p.clientId} send={p} />
        ))}
      </ol>
      {deleting && (
        <ConfirmDelete
          canDeleteForEveryone={deleting.forEveryone}
          onClose={() => setDeleting(null)}
          onDelete={(scope) => {
            setDeleting(null);
            void controller.messages.deleteMessage(id, deleting.seq, scope);
          }}
        />
      )}
    </div>
  );
}
