/** SQLite rows of the Conversation DO and their conversion to wire objects. */
import type {
  EventBody,
  Media,
  Message,
  ReactionSummary,
  ReplyQuote,
  Role,
  SystemEvent,
} from "../../client/sdk/protocol/index.ts";
import { iso } from "../../lib/time.ts";

/** What a non-member is told: exactly what a conversation that does not exist answers. */
export const NOT_FOUND = "conversation not found";

export type MetaRow = {
  id: string;
  type: "direct" | "group";
  name: string | null;
  picture_media_id: string | null;
  created_by: string;
  created_at: number;
  last_seq: number;
  last_ev: number;
  hot_floor: number;
  /** Direct chats: ids of members who blocked the other, comma-separated (./blocks.ts); null = none. */
  blocked_by: string | null;
  /** Direct chats: ids of members with read receipts off, comma-separated (./read-privacy.ts); null = none. */
  private_reads: string | null;
  /** Groups: the description (./group-settings.ts); null = none. */
  description: string | null;
  /** Groups: 1 = only admins may send. */
  only_admins_send: number;
  /** Groups: 1 = only admins may change name, picture and description (the default). */
  only_admins_edit: number;
  /** Disappearing-messages timer, seconds (0 = off; ./disappearing.ts). */
  disappearing_seconds: number;
  /** Groups: the current invite link's secret (./invites.ts); null = none. */
  invite_secret: string | null;
};

export type MemberRow = {
  user_id: string;
  role: Role;
  joined_at: number;
  joined_seq: number;
  joined_ev: number;
  left_seq: number | null;
  left_ev: number | null;
  delivered_upto: number;
  delivered_at: number | null;
  read_upto: number;
  read_at: number | null;
  fanout_ev: number;
  fanout_due: number;
  fanout_failures: number;
  status_sent: string | null;
  /** The group as the member last saw it (JSON `Conversation`), set when they leave or are removed. */
  left_view: string | null;
};

export type MessageRow = {
  seq: number;
  client_id: string;
  sender_id: string;
  text: string | null;
  media: string | null;
  system: string | null;
  sent_at: number;
  deleted_at: number | null;
  version: number;
  /** A reply's quote (JSON `ReplyQuote` without `deleted`), else null. */
  reply: string | null;
  /** 1 when forwarded from another chat. */
  forwarded: number;
  edited_at: number | null;
  /** Sent while the disappearing timer was on: removed at this time (ms). */
  expires_at: number | null;
};

/** What a message row does not hold itself: whether its quote's original is deleted, its reactions. */
export interface MessageExtras {
  quoteDeleted?: boolean;
  reactions?: ReactionSummary[];
}

export type EventRow = { ev: number; target: string | null; body: string };

/** What a Conversation DO hands a hub: its event number (the idempotency key) and the body. */
export interface ConversationEvent {
  ev: number;
  body: EventBody;
}

/** The lowest and highest seq `m` may read. */
export function readableRange(m: MemberRow, lastSeq: number): { low: number; high: number } {
  return { low: Math.max(1, m.joined_seq), high: m.left_seq ?? lastSeq };
}

/** A member row as it starts: joined now at `joinedSeq`/`joinedEv`, with watermarks at `upto`. */
export function newMember(
  userId: string,
  role: Role,
  now: number,
  at: { joinedSeq: number; joinedEv: number; fanoutEv: number; upto: number },
): MemberRow {
  return {
    user_id: userId,
    role,
    joined_at: now,
    joined_seq: at.joinedSeq,
    joined_ev: at.joinedEv,
    left_seq: null,
    left_ev: null,
    delivered_upto: at.upto,
    delivered_at: null,
    read_upto: at.upto,
    read_at: null,
    fanout_ev: at.fanoutEv,
    fanout_due: 0,
    fanout_failures: 0,
    status_sent: null,
    left_view: null,
  };
}

export function toMessage(conversationId: string, row: MessageRow, extras: MessageExtras = {}): Message {
  const deleted = row.deleted_at !== null;
  return {
    conversationId,
    seq: row.seq,
    clientId: row.client_id,
    senderId: row.sender_id,
    text: deleted ? null : row.text,
    media: deleted || row.media === null ? null : (JSON.parse(row.media) as Media),
    system: row.system === null ? null : (JSON.parse(row.system) as SystemEvent),
    sentAt: iso(row.sent_at),
    deleted,
    ...(deleted ? {} : extrasOf(row, extras)),
  };
}

/** The optional fields of a message, present only when set (absent = null / false / []). */
function extrasOf(row: MessageRow, extras: MessageExtras): Partial<Message> {
  const out: Partial<Message> = {};
  if (row.reply !== null) {
    const quote = JSON.parse(row.reply) as Omit<ReplyQuote, "deleted">;
    out.replyTo = extras.quoteDeleted
      ? { ...quote, snippet: null, mediaType: null, deleted: true }
      : { ...quote, deleted: false };
  }
  if (row.forwarded) out.forwarded = true;
  if (row.edited_at !== null) out.editedAt = iso(row.edited_at);
  if (row.expires_at !== null) out.expiresAt = iso(row.expires_at);
  if (extras.reactions && extras.reactions.length > 0) out.reactions = extras.reactions;
  return out;
}
