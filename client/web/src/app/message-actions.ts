/**
 * What a person does to messages: send text (through the SDK outbox, kept in IndexedDB), send a
 * picture or video (upload with progress, then send), typing indicators, and deleting.
 */
import { isLargeDocument, uploadLargeDocument } from "./large-upload.ts";
import { ApiError, MAX_DOCUMENT_BYTES, SendError, isMediaType, type Message } from "../lib/sdk.ts";
import { describeFile, rememberLocal } from "../lib/media.ts";
import { fileSize, sizeLimit, span } from "../lib/format.ts";
import { sendErrorText } from "./send-errors.ts";
import {
  addLocalSend,
  applyEvent,
  applyMessage,
  discardLocalSend,
  failLocalSend,
  patchLocalSend,
} from "../state/reducers.ts";
import type { SessionPort } from "./session-port.ts";

/** My own "typing" is re-sent at most this often, and "stopped" follows this long after the last key. */
const TYPING_RENEW_MS = 3_000;
const TYPING_IDLE_MS = 4_000;

export class MessageActions {
  private readonly typingSent = new Map<string, { at: number; timer: ReturnType<typeof setTimeout> }>();
  /** Per chat: settles once every earlier upload there has been handed to the outbox (keeps send order). */
  private readonly uploadGates = new Map<string, Promise<void>>();

  constructor(private readonly app: SessionPort) {}

  dispose(): void {
    for (const { timer } of this.typingSent.values()) clearTimeout(timer);
    this.typingSent.clear();
  }

  sendText(conversationId: string, text: string, replyTo?: number): void {
    const clientId = crypto.randomUUID();
    const content = replyTo === undefined ? { text } : { text, replyTo };
    this.stopTyping(conversationId);
    // Behind a picture still uploading in this chat, so the chat keeps the order things were sent in:
    // shown at once, handed to the outbox when the picture is.
    const gate = this.uploadGates.get(conversationId);
    if (gate) {
      this.app.update((s) => addLocalSend(s, { clientId, conversationId, text, queuedAt: Date.now() }));
      void gate.then(() => this.transmit(conversationId, clientId, content));
    } else {
      // Its bubble comes from the SDK's outbox once it is in IndexedDB (a few ms): a tab closed right
      // after still sends it next time.
      void this.transmit(conversationId, clientId, content);
    }
  }

  /**
   * Sends through the SDK's outbox (kept in IndexedDB until the server stores it, then resolves);
   * the pending bubble follows the outbox. A refusal stays on the bubble until discarded.
   */
  private async transmit(
    conversationId: string,
    clientId: string,
    content: { text?: string; mediaId?: string; replyTo?: number },
  ): Promise<void> {
    const connection = this.app.connection();
    const queuedAt = Date.now();
    try {
      // No connection yet (never after start): straight over REST, shown meanwhile.
      if (!connection) this.app.update((s) => addLocalSend(s, { clientId, conversationId, ...content, queuedAt }));
      const message = connection
        ? await connection.send(conversationId, content, clientId)
        : await this.app.api.sendMessage(conversationId, { clientId, ...content });
      this.placeOwn(message);
    } catch (error) {
      const text = sendErrorText(error, this.app.state().config);
      this.app.update((s) => failLocalSend(s, { clientId, conversationId, ...content, queuedAt }, text));
    }
  }

  private placeOwn(message: Message): void {
    const viewing = this.app.isViewing(message.conversationId);
    this.app.update((s) => applyMessage(s, message, viewing));
  }

  /** A send the outbox stored (this session's or an earlier one's): in the thread now, not pending. */
  sent(message: Message): void {
    this.placeOwn(message);
  }

  /**
   * Uploads a picture or video (with progress on the bubble), then sends it with an optional caption.
   * `asDocument`: any file up to MAX_DOCUMENT_BYTES, sent under its name, downloaded as an attachment.
   */
  async sendMedia(conversationId: string, file: File, caption: string, asDocument = false): Promise<void> {
    if (!asDocument && !isMediaType(file.type))
      return this.app.toast("Only JPEG, PNG, GIF, WebP pictures and MP4, WebM, MOV videos can be sent");
    const maxMediaBytes = asDocument ? MAX_DOCUMENT_BYTES : this.app.state().config.maxMediaBytes;
    if (file.size > maxMediaBytes)
      return this.app.toast(`That file is ${fileSize(file.size)}; the limit is ${sizeLimit(maxMediaBytes)}`);
    const clientId = crypto.randomUUID();
    const objectUrl = URL.createObjectURL(file);
    const text = caption.trim() || undefined;
    this.app.update((s) =>
      addLocalSend(s, {
        clientId,
        conversationId,
        text,
        file: { url: objectUrl, type: file.type, name: file.name, blob: file },
        progress: 0,
        queuedAt: Date.now(),
      }),
    );
    const before = this.uploadGates.get(conversationId) ?? Promise.resolve();
    const uploaded = (async (): Promise<string | null> => {
      try {
        const onProgress = (sent: number, total: number) =>
          this.app.update((s) => patchLocalSend(s, clientId, { progress: total > 0 ? sent / total : 0 }));
        // A large document goes up in parts, resumable after a drop or a reload (./large-upload.ts).
        const facts = asDocument ? { filename: file.name || "file" } : await describeFile(file);
        const media =
          asDocument && isLargeDocument(file)
            ? await uploadLargeDocument(this.app.api, file, onProgress)
            : await this.app.api.uploadMedia(file, file.type || "application/octet-stream", { ...facts, onProgress });
        rememberLocal(media.url, objectUrl, file.size);
        rememberLocal(
          `/v1/media/${encodeURIComponent(media.id)}?c=${encodeURIComponent(conversationId)}`,
          objectUrl,
          file.size,
        );
        this.app.update((s) => patchLocalSend(s, clientId, { progress: undefined, mediaId: media.id }));
        await before;
        return media.id;
      } catch (error) {
        this.app.update((s) =>
          patchLocalSend(s, clientId, { error: sendErrorText(error, this.app.state().config), progress: undefined }),
        );
        await before;
        return null;
      }
    })();
    // Handing the send to the outbox opens the gate for whatever was sent after this picture.
    const handed = uploaded.then((mediaId) => {
      if (mediaId) void this.transmit(conversationId, clientId, { mediaId, ...(text ? { text } : {}) });
    });
    this.uploadGates.set(conversationId, handed);
    await handed;
    if (this.uploadGates.get(conversationId) === handed) this.uploadGates.delete(conversationId);
  }

  /** Forgets a send the server refused (shown with its error). */
  discardFailed(clientId: string): void {
    this.app.update((s) => discardLocalSend(s, clientId));
  }

  /** Tries a refused upload again with the file kept for it (also after a reload: app/failed-sends.ts). */
  retryFailed(clientId: string): void {
    const send = this.app.state().local.find((p) => p.clientId === clientId);
    const blob = send?.file?.blob;
    if (!send || !send.file || !blob) return;
    this.discardFailed(clientId);
    const file = new File([blob], send.file.name, { type: send.file.type });
    void this.sendMedia(send.conversationId, file, send.text ?? "", !isMediaType(send.file.type));
  }

  typing(conversationId: string): void {
    const connection = this.app.connection();
    if (connection?.state !== "live") return;
    const sent = this.typingSent.get(conversationId);
    const now = Date.now();
    if (sent) clearTimeout(sent.timer);
    const renew = !sent || now - sent.at > TYPING_RENEW_MS;
    if (renew) connection.typing(conversationId, true);
    this.typingSent.set(conversationId, {
      at: renew ? now : (sent?.at ?? now),
      timer: setTimeout(() => this.stopTyping(conversationId), TYPING_IDLE_MS),
    });
  }

  stopTyping(conversationId: string): void {
    const sent = this.typingSent.get(conversationId);
    if (!sent) return;
    clearTimeout(sent.timer);
    this.typingSent.delete(conversationId);
    const connection = this.app.connection();
    if (connection?.state === "live") connection.typing(conversationId, false);
  }

  // ---- deleting -----------------------------------------------------------------------------------

  async deleteMessage(conversationId: string, seq: number, scope: "me" | "everyone"): Promise<void> {
    const connection = this.app.connection();
    try {
      if (connection?.state === "live") await connection.deleteMessage(conversationId, seq, scope);
      else await this.app.api.deleteMessage(conversationId, seq, scope);
      const kind = scope === "everyone" ? "message_deleted" : "message_hidden";
      this.app.update((s) =>
        applyEvent(s, { kind, conversationId, seq, cursor: 0, at: new Date().toISOString() }, true),
      );
      if (scope === "me") this.app.scheduleChatsRefresh();
    } catch (error) {
      const code = error instanceof SendError || error instanceof ApiError ? error.code : null;
      this.app.toast(
        code === "forbidden"
          ? `Only the sender can delete a message for everyone, and only within ${span(this.app.state().config.deleteForEveryoneWindowSeconds)}`
          : code === "network" || code === "unavailable"
            ? "You're offline: try again when connected"
            : "Couldn't delete the message",
      );
    }
  }
}
