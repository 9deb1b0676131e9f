/**
 * What replies, reactions, edits and forwards add to a bubble: the quote above the text (a click
 * scrolls to the original), the "Forwarded" and "edited" labels, the reaction chips (counts, and who
 * in the tooltip), and the menu entries with their dialogs. Text is rendered as text nodes only.
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { useApp, useController } from "../app/context.ts";
import { DELETED_TEXT } from "../lib/format.ts";
import { useSelector } from "../lib/tiny-store.ts";
import { EDIT_WINDOW_SECONDS, MAX_FORWARD_TARGETS, type Message, type ReplyQuote } from "../lib/sdk.ts";
import { chatTitle, nameOf, sortedChats } from "../state/selectors.ts";
import { Dialog } from "./Dialog.tsx";
import "./message-extras.css";
import type { MenuItem } from "./MessageMenu.tsx";

/** The reactions offered in one tap, WhatsApp's row. */
export const QUICK_REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"] as const;

function quoteText(quote: ReplyQuote): string {
  if (quote.deleted) return DELETED_TEXT;
  if (quote.snippet) return quote.snippet;
  if (quote.mediaType?.startsWith("video/")) return "Video";
  if (quote.mediaType) return "Photo";
  return "Message";
}

/** The quoted message inside a reply; a click scrolls to the original. */
export function QuoteBlock({ quote, conversationId }: { quote: ReplyQuote; conversationId: string }) {
  const controller = useController();
  const name = useApp((s) => nameOf(s, quote.senderId));
  return (
    <button
      type="button"
      class={`quote ${quote.deleted ? "deleted" : ""}`}
      aria-label={`Reply to ${name}: ${quoteText(quote)}`}
      onClick={() => void controller.extras.jumpTo(conversationId, quote.seq)}
    >
      <span class="quote-sender">{name}</span>
      <span class="quote-text">{quoteText(quote)}</span>
    </button>
  );
}

/** Counts per emoji under the bubble; mine is highlighted and a click on it takes it back. */
export function ReactionChips({ message, conversationId }: { message: Message; conversationId: string }) {
  const controller = useController();
  const meId = useApp((s) => s.me.id);
  const users = useApp((s) => s.users);
  if (!message.reactions || message.reactions.length === 0 || message.deleted) return null;
  return (
    <div class="reactions" aria-label="Reactions">
      {message.reactions.map((r) => {
        const mine = r.userIds.includes(meId);
        const who = r.userIds.map((id) => (id === meId ? "You" : (users[id]?.displayName ?? "Someone"))).join(", ");
        return (
          <button
            key={r.emoji}
            type="button"
            class={`reaction ${mine ? "mine" : ""}`}
            title={who}
            aria-label={`${r.emoji} ${r.count}: ${who}`}
            onClick={() => void controller.extras.react(conversationId, message, mine ? null : r.emoji)}
          >
            {r.emoji}
            {r.count > 1 && <span class="reaction-count">{r.count}</span>}
          </button>
        );
      })}
    </div>
  );
}

type Open = "react" | "edit" | "forward" | null;

/** The menu entries (reply, react, edit, forward) and the dialog one of them opened. */
export function useExtraMenu(m: Message, conversationId: string, mine: boolean) {
  const controller = useController();
  const [open, setOpen] = useState<Open>(null);
  const items: MenuItem[] = [];
  if (!m.deleted && m.system === null) {
    items.push({ label: "Reply", run: () => controller.extras.startReply(conversationId, m) });
    items.push({ label: "React", run: () => setOpen("react") });
    const editable = mine && m.text !== null && Date.now() - Date.parse(m.sentAt) < EDIT_WINDOW_SECONDS * 1000;
    if (editable) items.push({ label: "Edit", run: () => setOpen("edit") });
    items.push({ label: "Forward", run: () => setOpen("forward") });
  }
  const close = () => setOpen(null);
  const dialog =
    open === "react" ? (
      <ReactionPicker message={m} conversationId={conversationId} onClose={close} />
    ) : open === "edit" ? (
      <EditDialog message={m} conversationId={conversationId} onClose={close} />
    ) : open === "forward" ? (
      <ForwardDialog message={m} conversationId={conversationId} onClose={close} />
    ) : null;
  return { items, dialog };
}

/** What each of the menu's dialogs is given. */
interface ExtraDialogProps {
  message: Message;
  conversationId: string;
  onClose(): void;
}

/**
 * The frame the menu's dialogs share: a titled dialog, its body, and (when `confirm` is given) Cancel
 * beside the confirming button.
 */
function ExtraDialog({
  title,
  heading = title,
  class: cls = "confirm",
  onClose,
  confirm,
  children,
}: {
  title: string;
  heading?: string;
  class?: string;
  onClose(): void;
  confirm?: { label: string; disabled?: boolean; run(): void };
  children: ComponentChildren;
}) {
  return (
    <Dialog title={title} onClose={onClose} class={cls}>
      <h2>{heading}</h2>
      {children}
      {confirm && (
        <div class="dialog-actions">
          <button type="button" class="btn btn-text muted" onClick={onClose}>
            Cancel
          </button>
          <button type="button" class="btn btn-text" disabled={confirm.disabled} onClick={confirm.run}>
            {confirm.label}
          </button>
        </div>
      )}
    </Dialog>
  );
}

function ReactionPicker({ message, conversationId, onClose }: ExtraDialogProps) {
  const controller = useController();
  return (
    <ExtraDialog title="React" onClose={onClose}>
      <div class="reaction-picker">
        {QUICK_REACTIONS.map((emoji) => (
          <button
            key={emoji}
            type="button"
            class="reaction-choice"
            aria-label={`React ${emoji}`}
            onClick={() => {
              onClose();
              void controller.extras.react(conversationId, message, emoji);
            }}
          >
            {emoji}
          </button>
        ))}
      </div>
    </ExtraDialog>
  );
}

function EditDialog({ message, conversationId, onClose }: ExtraDialogProps) {
  const controller = useController();
  const [text, setText] = useState(message.text ?? "");
  const save = async () => {
    const body = text.trim();
    if (!body || body === message.text) return onClose();
    if (await controller.extras.edit(conversationId, message.seq, body)) onClose();
  };
  return (
    <ExtraDialog title="Edit message" onClose={onClose} confirm={{ label: "Save", run: () => void save() }}>
      <textarea
        class="edit-text"
        aria-label="Edited text"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void save();
          }
        }}
      />
    </ExtraDialog>
  );
}

function ForwardDialog({ message, conversationId, onClose }: ExtraDialogProps) {
  const controller = useController();
  // A snapshot when the dialog opens is enough: the list does not need to follow live changes.
  const [state] = useState(() => controller.store.get());
  const chats = sortedChats(state).filter((c) => c.active);
  const [chosen, setChosen] = useState<string[]>([]);
  const toggle = (id: string) =>
    setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : c.length < MAX_FORWARD_TARGETS ? [...c, id] : c));
  return (
    <ExtraDialog
      title="Forward message"
      heading="Forward to…"
      class="forward-dialog"
      onClose={onClose}
      confirm={{
        label: "Forward",
        disabled: chosen.length === 0,
        run: () => {
          onClose();
          void controller.extras.forward({ conversationId, seq: message.seq }, chosen);
        },
      }}
    >
      <p class="muted">Up to {MAX_FORWARD_TARGETS} chats</p>
      <ul class="forward-list">
        {chats.map((c) => (
          <li key={c.id}>
            <label>
              <input
                type="checkbox"
                checked={chosen.includes(c.id)}
                disabled={!chosen.includes(c.id) && chosen.length >= MAX_FORWARD_TARGETS}
                onChange={() => toggle(c.id)}
              />
              {chatTitle(state, c)}
            </label>
          </li>
        ))}
      </ul>
    </ExtraDialog>
  );
}

/** Above the composer: the message being replied to, with a way out. */
export function ReplyBar({ conversationId }: { conversationId: string }) {
  const controller = useController();
  const replying = useReplying(conversationId);
  const name = useApp((s) => (replying ? nameOf(s, replying.senderId) : ""));
  if (!replying) return null;
  const text = replying.text ?? (replying.media ? "Photo or video" : "Message");
  return (
    <div class="reply-bar" role="status" aria-label={`Replying to ${name}`}>
      <div class="quote">
        <span class="quote-sender">{name}</span>
        <span class="quote-text">{text}</span>
      </div>
      <button
        type="button"
        class="icon-btn"
        aria-label="Cancel reply"
        onClick={() => controller.extras.cancelReply(conversationId)}
      >
        ×
      </button>
    </div>
  );
}

function useReplying(conversationId: string): Message | undefined {
  const controller = useController();
  return useSelector(controller.extras.replying, (s) => s[conversationId]);
}

/** Message info: who reacted with what, one line per person. */
export function ReactionsSection({ message }: { message: Message }) {
  const meId = useApp((s) => s.me.id);
  const users = useApp((s) => s.users);
  const entries = (message.reactions ?? []).flatMap((r) => r.userIds.map((userId) => ({ userId, emoji: r.emoji })));
  if (entries.length === 0) return null;
  return (
    <section class="info-section" aria-labelledby="reactions">
      <h4 id="reactions">Reactions</h4>
      <ul class="member-list">
        {entries.map((e) => (
          <li key={e.userId} class="reaction-entry">
            <span>{e.userId === meId ? "You" : (users[e.userId]?.displayName ?? "Someone")}</span>
            <span aria-label={`reacted ${e.emoji}`}>{e.emoji}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
