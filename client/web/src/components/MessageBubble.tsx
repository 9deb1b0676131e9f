/**
 * One message. Text is rendered as elements and text nodes (./RichText.tsx: formatting and links;
 * nothing here ever sets HTML), so a message like `<img onerror=…>` shows as the characters it is.
 */
import { useApp, useController } from "../app/context.ts";
import { DELETED_TEXT, systemText, timeOfDay } from "../lib/format.ts";
import { isMediaType, type Message } from "../lib/sdk.ts";
import { nameOf, tickFor } from "../state/selectors.ts";
import type { LocalSend } from "../state/types.ts";
import { BlockIcon, ClockIcon } from "./icons.tsx";
import { DocumentCard } from "./DocumentCard.tsx";
import { MediaContent } from "./MediaContent.tsx";
import { RichText } from "./RichText.tsx";
import { VoicePlayer } from "./VoiceNote.tsx";
import { QuoteBlock, ReactionChips, useExtraMenu } from "./MessageExtras.tsx";
import { MessageMenu, type MenuItem } from "./MessageMenu.tsx";
import { Ticks } from "./Ticks.tsx";

export function SystemNote({ message }: { message: Message }) {
  const controller = useController();
  useApp((s) => s.users); // names resolve as profiles arrive
  if (!message.system) return null;
  return (
    <li class="system-note">
      <span>{systemText(message.system, (id) => nameOf(controller.store.get(), id))}</span>
    </li>
  );
}

export interface BubbleProps {
  message: Message;
  conversationId: string;
  mine: boolean;
  /** Group chats show the sender's name on the first of a run of their messages. */
  senderName: string | null;
  /** `forEveryone`: my message, not deleted yet, within the delete-for-everyone window. */
  onDelete(seq: number, forEveryone: boolean): void;
}

export function MessageBubble({ message: m, conversationId, mine, senderName, onDelete }: BubbleProps) {
  const controller = useController();
  const receipts = useApp((s) => (mine ? s.receipts[conversationId] : undefined));
  const items: MenuItem[] = [];
  if (mine && !m.deleted)
    items.push({ label: "Message info", run: () => controller.setRightPanel({ kind: "message-info", seq: m.seq }) });
  // "For everyone" is offered within this deploy's window only; the server checks it again.
  const withinWindow = () =>
    Date.now() - Date.parse(m.sentAt) < controller.state().config.deleteForEveryoneWindowSeconds * 1000;
  const extra = useExtraMenu(m, conversationId, mine);
  items.push(...extra.items);
  items.push({ label: "Delete", danger: true, run: () => onDelete(m.seq, mine && !m.deleted && withinWindow()) });

  return (
    <li class={`message ${mine ? "out" : "in"}`} data-seq={m.seq}>
      <div
        class={`bubble ${m.media && !m.deleted ? "has-media" : ""} ${m.media && !m.deleted && !m.text ? "media-only" : ""}`}
      >
        <MessageMenu items={items} align={mine ? "right" : "left"} />
        {senderName && <span class="sender">{senderName}</span>}
        {m.forwarded && !m.deleted && <span class="forwarded-label">Forwarded</span>}
        {m.replyTo && !m.deleted && <QuoteBlock quote={m.replyTo} conversationId={conversationId} />}
        {m.deleted ? (
          <p class="text deleted">
            <BlockIcon />
            {DELETED_TEXT}
          </p>
        ) : (
          <>
            {m.media?.filename !== undefined && (
              <DocumentCard name={m.media.filename} size={m.media.size} url={m.media.url} />
            )}
            {m.media?.type.startsWith("audio/") && m.media.filename === undefined && <VoicePlayer media={m.media} />}
            {m.media && m.media.filename === undefined && !m.media.type.startsWith("audio/") && (
              <MediaContent
                media={m.media}
                onOpen={() => m.media && controller.openViewer({ media: m.media, conversationId })}
              />
            )}
            {m.text && (
              <p class="text" dir="auto">
                <RichText text={m.text} />
              </p>
            )}
          </>
        )}
        <span class="meta">
          {m.editedAt && !m.deleted && <span class="edited-label">edited</span>}
          {m.expiresAt && !m.deleted && <ClockIcon class="disappearing-icon" label="Disappearing message" />}
          <time dateTime={m.sentAt}>{timeOfDay(m.sentAt)}</time>
          {mine && !m.deleted && <Ticks tick={tickFor(m.seq, receipts)} />}
        </span>
        <ReactionChips message={m} conversationId={conversationId} />
      </div>
      {extra.dialog}
    </li>
  );
}

/** My message before the server stored it: clock, upload progress, or why it failed. */
export function PendingBubble({ send }: { send: LocalSend }) {
  const controller = useController();
  const items: MenuItem[] = send.error
    ? [
        ...(send.file?.blob ? [{ label: "Retry", run: () => controller.messages.retryFailed(send.clientId) }] : []),
        { label: "Discard", danger: true, run: () => controller.messages.discardFailed(send.clientId) },
      ]
    : [];
  const at = new Date(send.queuedAt).toISOString();
  return (
    <li class="message out pending" data-client-id={send.clientId}>
      <div
        class={`bubble ${send.file || send.mediaId ? "has-media" : ""} ${send.file && !send.text && !send.error ? "media-only" : ""}`}
      >
        <MessageMenu items={items} align="right" />
        {send.file ? (
          <div class="upload">
            {isMediaType(send.file.type) ? (
              <MediaContent media={{ type: send.file.type }} localUrl={send.file.url} />
            ) : (
              <DocumentCard name={send.file.name} />
            )}
            {send.progress !== undefined && (
              <progress
                class="upload-progress"
                max={1}
                value={send.progress}
                aria-label={`Uploading ${send.file.name}`}
              />
            )}
          </div>
        ) : (
          send.mediaId && <p class="text muted">Photo or video</p>
        )}
        {send.text && (
          <p class="text" dir="auto">
            {send.text}
          </p>
        )}
        {send.error && (
          <p class="send-error" role="alert">
            {send.error}
          </p>
        )}
        <span class="meta">
          <time dateTime={at}>{timeOfDay(at)}</time>
          <Ticks tick={send.error ? "failed" : "pending"} />
        </span>
      </div>
    </li>
  );
}
