/** The bar above a chat: back (on phones), who it is, and "online" / "last seen …" / "typing…". */
import { useApp, useController } from "../app/context.ts";
import { presenceText } from "../lib/format.ts";
import { chatTitle, nameOf } from "../state/selectors.ts";
import { Avatar } from "./Avatar.tsx";
import { BackIcon, ClockIcon, SearchIcon } from "./icons.tsx";

function useSubtitle(id: string): string {
  const chat = useApp((s) => s.chats[id]);
  const typing = useApp((s) => s.typing[id]);
  const presence = useApp((s) => (chat?.peerId ? s.presence[chat.peerId] : undefined));
  const members = useApp((s) => s.details[id]?.members);
  const users = useApp((s) => s.users);
  const networkOnline = useApp((s) => s.networkOnline);
  const state = useController().store.get();
  const typers = Object.keys(typing ?? {}).filter((u) => u !== state.me.id);
  if (!chat) return "";
  // Offline, what we last heard is stale: "online" would be a claim we cannot back.
  if (chat.type === "direct" && !networkOnline) return "waiting for network…";
  if (chat.type === "direct") return typers.length > 0 ? "typing…" : (presenceText(presence) ?? "");
  if (typers.length === 1) return `${nameOf(state, typers[0] ?? "")} is typing…`;
  if (typers.length > 1) return `${typers.length} people are typing…`;
  if (!chat.active) return "You're no longer a member";
  if (!members) return "";
  const names = members
    .filter((m) => m.userId !== state.me.id)
    .map((m) => users[m.userId]?.displayName ?? "…")
    .sort((a, b) => a.localeCompare(b));
  return [...names, "You"].join(", ");
}

export function ConversationHeader({ id }: { id: string }) {
  const controller = useController();
  const chat = useApp((s) => s.chats[id]);
  const title = useApp((s) => (chat ? chatTitle(s, chat) : ""));
  const peer = useApp((s) => (chat?.peerId ? s.users[chat.peerId] : undefined));
  const groupPicture = useApp((s) => s.details[id]?.pictureUrl);
  const disappearing = useApp((s) => (s.details[id]?.disappearingSeconds ?? 0) > 0);
  const subtitle = useSubtitle(id);
  if (!chat) return null;
  return (
    <header class="pane-header conversation-header">
      <button type="button" class="icon-btn back" aria-label="Back to chats" onClick={() => controller.openChat(null)}>
        <BackIcon />
      </button>
      <button type="button" class="conversation-who" onClick={() => controller.setRightPanel({ kind: "info" })}>
        <Avatar
          name={title}
          seed={chat.peerId ?? id}
          pictureUrl={chat.type === "group" ? groupPicture : peer?.pictureUrl}
          group={chat.type === "group"}
          size="sm"
        />
        <span class="conversation-who-text">
          {/* The button's name is "Bob: contact info, online": what it shows plus what it opens (WCAG 2.5.3). */}
          <span class="conversation-title-line">
            <span class="conversation-title">{title}</span>
            {/* Decorative: the info panel names the timer. */}
            {disappearing && <ClockIcon class="disappearing-icon header-timer" />}
            <span class="name-only">: {chat.type === "group" ? "group" : "contact"} info,</span>
          </span>
          <span class={`conversation-subtitle ${subtitle.endsWith("typing…") ? "typing" : ""}`} aria-live="polite">
            {subtitle}
          </span>
        </span>
      </button>
      <button
        type="button"
        class="icon-btn"
        aria-label="Search messages"
        title="Search messages"
        onClick={() => controller.setRightPanel({ kind: "search" })}
      >
        <SearchIcon />
      </button>
    </header>
  );
}
