/**
 * The durable message history in Postgres, sharded by conversation id. Conversation DOs write it
 * from their outbox in batches; the Worker reads pages older than a DO's hot window from it.
 */
import { and, asc, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { Media, Message, SystemEvent } from "../client/sdk/protocol/index.ts";
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
      .values(rows.map((r) => ({ ...r, media: r.media, system: r.system })))
      .onConflictDoUpdate({
        target: [messages.conversationId, messages.seq],
        set: {
          text: sql`excluded.text`,
          media: sql`excluded.media`,
          system: sql`excluded.system`,
          deletedAt: sql`excluded.deleted_at`,
          version: sql`excluded.version`,
        },
        setWhere: sql`${messages.version} < excluded.version`,
      });
  }

  /** The page of up to `limit` messages with `minSeq ≤ seq < before`, ascending. */
  async page(conversationId: string, opts: { before: number; minSeq: number; limit: number }): Promise<Message[]> {
    const db = this.shards.for(shardKey.conversation(conversationId));
    const rows = await db
      .select()
      .from(messages)
      .where(
        and(eq(messages.conversationId, conversationId), lt(messages.seq, opts.before), gte(messages.seq, opts.minSeq)),
      )
      .orderBy(desc(messages.seq))
      .limit(opts.limit);
    return rows.reverse().map(toMessage);
  }

  /** Every archived message of a conversation, ascending (tests and the soak oracle). */
  async all(conversationId: string): Promise<Message[]> {
    const db = this.shards.for(shardKey.conversation(conversationId));
    const rows = await db
      .select()
      .from(messages)
      .where(eq(messages.conversationId, conversationId))
      .orderBy(asc(messages.seq));
    return rows.map(toMessage);
  }
}

function toMessage(row: typeof messages.$inferSelect): Message {
  const deleted = row.deletedAt !== null;
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
  };
}
