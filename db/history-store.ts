/**
 * The durable message history in Postgres, sharded by conversation id. Conversation DOs write it
 * from their outbox in batches; the Worker reads pages older than a DO's hot window from it.
 */
import { and, asc, desc, eq, gt, gte, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Media, Message, ReplyQuote, SystemEvent } from "../client/sdk/protocol/index.ts";
import type { ShardSet } from "./connection.ts";
import { messages } from "./schema.ts";
import { shardKey } from "./shards.ts";

/** One message row as the archive stores it; `version` orders concurrent writes of the same seq. */
export interface ArchivedMessage {
  conversationId: string;
  seq: number;
  clientId: string;
  senderId: string;
  text: string | null;
  media: Media | null;
  system: SystemEvent | null;
  sentAt: Date;
  deletedAt: Date | null;
  version: number;
  replyTo?: ReplyQuote | null;
  forwarded?: boolean;
  editedAt?: string | null;
  expiresAt?: string | null;
}

export class HistoryStore {
  private readonly shards: ShardSet;

  constructor(shards: ShardSet) {
    this.shards = shards;
  }

  /**
   * Upserts a batch of one conversation's messages. Idempotent: replaying a batch, or an older
   * version arriving after a newer one, leaves the newest version in place.
   */
  async upsert(conversationId: string, rows: readonly ArchivedMessage[]): Promise<void> {
    if (rows.length === 0) return;
    const db = this.shards.for(shardKey.conversation(conversationId));
    await db
      .insert(messages)
      .values(rows.map(toRow))
      .onConflictDoUpdate({
        target: [messages.conversationId, messages.seq],
        set: {
          text: sql`excluded.text`,
          media: sql`excluded.media`,
          system: sql`excluded.system`,
          deletedAt: sql`excluded.deleted_at`,
          version: sql`excluded.version`,
          replyTo: sql`excluded.reply_to`,
          replyToSeq: sql`excluded.reply_to_seq`,
          forwarded: sql`excluded.forwarded`,
          editedAt: sql`excluded.edited_at`,
          expiresAt: sql`excluded.expires_at`,
        },
        setWhere: sql`${messages.version} < excluded.version`,
      });
  }

  /** Removes disappearing messages whose time came (idempotent: a replay deletes nothing more). */
  async remove(conversationId: string, seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    const db = this.shards.for(shardKey.conversation(conversationId));
    await db.delete(messages).where(and(eq(messages.conversationId, conversationId), inArray(messages.seq, [...seqs])));
  }

  /**
   * The page of up to `limit` messages with `minSeq ≤ seq < before`, ascending. A disappearing
   * message past its time is skipped even before its object's alarm removes the row.
   */
  async page(conversationId: string, opts: { before: number; minSeq: number; limit: number }): Promise<Message[]> {
    const db = this.shards.for(shardKey.conversation(conversationId));
    // A reply's quote shows "deleted" once its original is a tombstone here.
    const quoted = alias(messages, "quoted");
    const rows = await db
      .select({ row: messages, quotedDeletedAt: quoted.deletedAt })
      .from(messages)
      .leftJoin(quoted, and(eq(quoted.conversationId, messages.conversationId), eq(quoted.seq, messages.replyToSeq)))
      .where(
        and(
          eq(messages.conversationId, conversationId),
          lt(messages.seq, opts.before),
          gte(messages.seq, opts.minSeq),
          or(isNull(messages.expiresAt), gt(messages.expiresAt, new Date())),
        ),
      )
      .orderBy(desc(messages.seq))
      .limit(opts.limit);
    return rows.reverse().map((r) => toMessage(r.row, r.quotedDeletedAt !== null));
  }

  /** Every archived message of a conversation, ascending (tests and the soak oracle). */
  async all(conversationId: string): Promise<Message[]> {
    const db = this.shards.for(shardKey.conversation(conversationId));
    const rows = await db
      .select()
      .from(messages)
      .where(eq(messages.conversationId, conversationId))
      .orderBy(asc(messages.seq));
    return rows.map((r) => toMessage(r));
  }
}

/** The row of an archived message: the quote without its read-time `deleted` flag. */
function toRow(r: ArchivedMessage): typeof messages.$inferInsert {
  const { replyTo, forwarded, editedAt, expiresAt, ...rest } = r;
  const quote = replyTo
    ? { seq: replyTo.seq, senderId: replyTo.senderId, snippet: replyTo.snippet, mediaType: replyTo.mediaType ?? null }
    : null;
  return {
    ...rest,
    replyTo: quote,
    replyToSeq: quote?.seq ?? null,
    forwarded: forwarded ?? false,
    editedAt: editedAt ? new Date(editedAt) : null,
    expiresAt: expiresAt ? new Date(expiresAt) : null,
  };
}

function toMessage(row: typeof messages.$inferSelect, quoteDeleted = false): Message {
  const deleted = row.deletedAt !== null;
  const quote = row.replyTo as Omit<ReplyQuote, "deleted"> | null;
  return {
    conversationId: row.conversationId,
    seq: row.seq,
    clientId: row.clientId,
    senderId: row.senderId,
    text: deleted ? null : row.text,
    media: deleted ? null : ((row.media as Media | null) ?? null),
    system: (row.system as SystemEvent | null) ?? null,
    sentAt: row.sentAt.toISOString(),
    deleted,
    // As the Conversation DO sends them: present only when set, none on a tombstone.
    ...(deleted || !quote
      ? {}
      : {
          replyTo: quoteDeleted
            ? { ...quote, snippet: null, mediaType: null, deleted: true }
            : { ...quote, deleted: false },
        }),
    ...(!deleted && row.forwarded ? { forwarded: true } : {}),
    ...(!deleted && row.editedAt ? { editedAt: row.editedAt.toISOString() } : {}),
    ...(row.expiresAt ? { expiresAt: row.expiresAt.toISOString() } : {}),
  };
}
