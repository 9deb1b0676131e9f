/** The right side: the open chat (header, messages, composer) or a welcome screen. */
import { useApp } from "../app/context.ts";
import { BlockedBar } from "./BlockedBar.tsx";
import { ConversationHeader } from "./ConversationHeader.tsx";
import { Composer } from "./Composer.tsx";
import { MessageList } from "./MessageList.tsx";
import { LockIcon } from "./icons.tsx";

export function ConversationPane() {
  const id = useApp((s) => s.activeChatId);
  const active = useApp((s) => (id ? (s.chats[id]?.active ?? true) : true));
  const blockedPeer = useApp((s) => {
    const peerId = id ? s.chats[id]?.peerId : null;
    return peerId && s.blocked[peerId] ? peerId : null;
  });
  // A group where only admins send, and I am not one (README "Groups").
  const adminsOnly = useApp((s) => {
    const details = id ? s.details[id] : undefined;
    return details?.onlyAdminsSend === true && !details.members.some((m) => m.userId === s.me.id && m.role === "admin");
  });
  if (!id) {
    return (
      <div class="welcome">
        <svg viewBox="0 0 64 64" width="72" height="72" aria-hidden="true">
          <circle cx="32" cy="32" r="30" fill="currentColor" />
          <path d="M18 44l3-9a14 14 0 1 1 6 6z" fill="#fff" />
        </svg>
        <h2>Edge Messenger</h2>
        <p>Pick a chat on the left, or search for someone by username to start one.</p>
        <p class="muted small">
          <LockIcon /> Messages you write offline are kept on this device and sent when you're back.
        </p>
      </div>
    );
  }
  return (
    <section class="conversation" aria-label="Conversation">
      <ConversationHeader id={id} />
      <MessageList id={id} />
      {blockedPeer ? (
        <BlockedBar userId={blockedPeer} />
      ) : active && adminsOnly ? (
        <p class="read-only-note">Only admins can send messages to this group.</p>
      ) : active ? (
        <Composer id={id} />
      ) : (
        <p class="read-only-note">You can't send messages to this group because you're no longer a member.</p>
      )}
    </section>
  );
}
