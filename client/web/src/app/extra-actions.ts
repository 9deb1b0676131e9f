/**
 * Replies, reactions, edits and forwards from the web app. The reply being written is per chat and
 * lives here (a small store the composer reads); reactions and edits are applied from the answer at
 * once and again by their events (both idempotent); forwards go to up to MAX_FORWARD_TARGETS chats.
 */
import { createStore } from "../lib/tiny-store.ts";
import { ApiError, MAX_FORWARD_TARGETS, type Message } from "../lib/sdk.ts";
import { applyEdit, applyReactions } from "../state/message-extras.ts";
import { applyMessage } from "../state/reducers.ts";
import type { SessionPort } from "./session-port.ts";

/** How many older pages "jump to the quoted message" loads at most before giving up. */
const MAX_JUMP_PAGES = 20;

export class MessageExtraActions {
  /** Per chat: the message the composer is replying to. */
  readonly replying = createStore<Record<string, Message | undefined>>({});

  constructor(
    private readonly app: SessionPort,
    private readonly loadOlder: (conversationId: string) => Promise<void>,
  ) {}

  startReply(conversationId: string, message: Message): void {
    this.replying.set((s) => ({ ...s, [conversationId]: message }));
  }

  cancelReply(conversationId: string): void {
    this.replying.set((s) => (s[conversationId] ? { ...s, [conversationId]: undefined } : s));
  }

  /** The seq the next send in this chat replies to (and forgets it). */
  takeReply(conversationId: string): number | undefined {
    const seq = this.replying.get()[conversationId]?.seq;
    this.cancelReply(conversationId);
    return seq;
  }

  /** Sets my reaction (or removes it: `emoji` null, or the one I already have). */
  async react(conversationId: string, message: Message, emoji: string | null): Promise<void> {
    const me = this.app.state().me.id;
    const mine = message.reactions?.find((r) => r.userIds.includes(me))?.emoji ?? null;
    try {
      if (emoji === null || emoji === mine) {
        await this.app.api.unreact(conversationId, message.seq);
        const reactions = (message.reactions ?? [])
          .map((r) => ({ ...r, userIds: r.userIds.filter((u) => u !== me) }))
          .map((r) => ({ ...r, count: r.userIds.length }))
          .filter((r) => r.count > 0);
        this.app.update((s) => applyReactions(s, conversationId, message.seq, reactions));
      } else {
        const reactions = await this.app.api.react(conversationId, message.seq, emoji);
        this.app.update((s) => applyReactions(s, conversationId, message.seq, reactions));
      }
    } catch (error) {
      this.app.toast(error instanceof ApiError ? error.message : "Could not react, try again");
    }
  }

  async edit(conversationId: string, seq: number, text: string): Promise<boolean> {
    try {
      const m = await this.app.api.editMessage(conversationId, seq, text);
      this.app.update((s) => applyEdit(s, conversationId, seq, m.text ?? text, m.editedAt ?? new Date().toISOString()));
      return true;
    } catch (error) {
      this.app.toast(error instanceof ApiError && error.code === "forbidden" ? error.message : "Could not edit");
      return false;
    }
  }

  async forward(from: { conversationId: string; seq: number }, targets: readonly string[]): Promise<void> {
    if (targets.length === 0 || targets.length > MAX_FORWARD_TARGETS) return;
    try {
      const sent = await this.app.api.forward(from, targets);
      for (const m of sent) this.app.update((s) => applyMessage(s, m, this.app.isViewing(m.conversationId)));
      this.app.toast(targets.length === 1 ? "Forwarded" : `Forwarded to ${targets.length} chats`);
    } catch (error) {
      this.app.toast(error instanceof ApiError && error.status === 404 ? "That message is gone" : "Could not forward");
    }
  }

  /** Uploads a recorded voice note (its duration and waveform with it) and sends it. */
  async sendVoice(conversationId: string, audio: Blob, durationMs: number, waveform: number[]): Promise<void> {
    try {
      const media = await this.app.api.uploadMedia(audio, audio.type, {
        durationMs: Math.max(1, Math.round(durationMs)),
        ...(waveform.length > 0 ? { waveform } : {}),
      });
      const message = await this.app.api.sendMessage(conversationId, {
        clientId: crypto.randomUUID(),
        mediaId: media.id,
      });
      this.app.update((s) => applyMessage(s, message, this.app.isViewing(conversationId)));
    } catch (error) {
      this.app.toast(error instanceof ApiError ? `Voice note not sent: ${error.message}` : "Voice note not sent");
    }
  }

  /** Scrolls to a quoted message, loading older pages until it is there. */
  async jumpTo(conversationId: string, seq: number): Promise<void> {
    for (let page = 0; page <= MAX_JUMP_PAGES; page++) {
      const thread = this.app.state().threads[conversationId];
      const found = document.querySelector<HTMLElement>(`.messages [data-seq="${seq}"]`);
      if (found) {
        found.scrollIntoView({ block: "center" });
        found.classList.add("flash");
        setTimeout(() => found.classList.remove("flash"), 1_500);
        return;
      }
      if (!thread?.hasOlder) break;
      await this.loadOlder(conversationId);
      await new Promise((r) => requestAnimationFrame(r));
    }
    this.app.toast("The original message is no longer available");
  }
}
