/**
 * Copies messages to the Postgres archive from the DO's outbox, in batches, then trims the hot
 * window. Idempotent end to end: the upsert is keyed on (conversation, seq) and versioned, and an
 * outbox row is removed only if the version it archived is still the current one.
 * While Postgres is down the outbox simply grows and nothing is trimmed; chat goes on.
 */
import { errorSummary } from "../../lib/log.ts";
import { ShardSet, type DbEnv } from "../../db/connection.ts";
import { HistoryStore, type ArchivedMessage } from "../../db/history-store.ts";
import type { Media, SystemEvent } from "../../client/sdk/protocol/index.ts";
import type { MessageRow } from "./rows.ts";
import { backoffMs } from "../shared/bounded.ts";

/** Rows per upsert: one round trip for a busy second of a conversation. */
const ARCHIVE_BATCH = 200;

export class Archiver {
  private failures = 0;
  private running: Promise<void> | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly env: DbEnv,
    private readonly conversationId: () => string,
    private readonly hotWindow: number,
    private readonly scheduleAlarm: (at: number) => void,
  ) {}

  get enabled(): boolean {
    return new ShardSet(this.env).configured;
  }

  run(): Promise<void> {
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    if (!this.enabled) return;
    const shards = new ShardSet(this.env);
    const store = new HistoryStore(shards);
    try {
      for (;;) {
        const batch = this.sql
          .exec<MessageRow & { outbox_version: number }>(
            `SELECT m.*, o.version AS outbox_version FROM archive_outbox o JOIN messages m ON m.seq = o.seq
             ORDER BY o.seq LIMIT ?`,
            ARCHIVE_BATCH,
          )
          .toArray();
        if (batch.length === 0) break;
        await store.upsert(
          this.conversationId(),
          batch.map((row) => this.toArchived(row)),
        );
        for (const row of batch) {
          this.sql.exec("DELETE FROM archive_outbox WHERE seq = ? AND version = ?", row.seq, row.outbox_version);
        }
        if (batch.length < ARCHIVE_BATCH) break;
      }
      this.failures = 0;
      this.trimHotWindow();
    } catch (error) {
      this.failures++;
      console.log(
        JSON.stringify({
          level: "warn",
          msg: "archive failed, will retry",
          failures: this.failures,
          error: errorSummary(error),
        }),
      );
      this.scheduleAlarm(Date.now() + backoffMs(this.failures));
    } finally {
      await shards.close();
    }
  }

  private toArchived(row: MessageRow): ArchivedMessage {
    const deleted = row.deleted_at !== null;
    return {
      conversationId: this.conversationId(),
      seq: row.seq,
      clientId: row.client_id,
      senderId: row.sender_id,
      text: deleted ? null : row.text,
      media: deleted || row.media === null ? null : (JSON.parse(row.media) as Media),
      system: row.system === null ? null : (JSON.parse(row.system) as SystemEvent),
      sentAt: new Date(row.sent_at),
      deletedAt: row.deleted_at === null ? null : new Date(row.deleted_at),
      version: row.version,
    };
  }

  /** Keeps the newest `hotWindow` messages in SQLite; everything older is safely in Postgres. */
  private trimHotWindow(): void {
    const { last_seq: lastSeq, hot_floor: hotFloor } = this.sql
      .exec<{ last_seq: number; hot_floor: number }>("SELECT last_seq, hot_floor FROM meta")
      .one();
    const pending = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM archive_outbox").one().n;
    if (pending > 0) return;
    const floor = lastSeq - this.hotWindow + 1;
    this.sql.exec("DELETE FROM messages WHERE seq < ?", floor);
    if (floor > hotFloor) this.sql.exec("UPDATE meta SET hot_floor = ?", floor);
  }
}
