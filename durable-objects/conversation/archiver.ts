/**
 * Copies messages to the Postgres archive from the object's outbox, in batches, then trims the hot
 * window. Idempotent end to end: the upsert is keyed on (conversation, seq) and versioned, and an
 * outbox row is removed only if the version it archived is still the current one. While Postgres is
 * down the outbox simply grows and nothing is trimmed; chat goes on. A row Postgres refuses for good
 * is set aside as a dead letter (../shared/isolate.ts) so the rest still lands.
 */
import { ShardSet, type DbEnv } from "../../db/connection.ts";
import { HistoryStore, type ArchivedMessage } from "../../db/history-store.ts";
import { errorSummary, log } from "../../lib/log.ts";
import type { PassOutcome } from "../shared/drain.ts";
import { applyIsolating } from "../shared/isolate.ts";
import { toMessage, type MessageRow } from "./rows.ts";
import type { ConversationStore } from "./store.ts";

/** Rows per upsert: one round trip for a busy second of a conversation. */
export const ARCHIVE_BATCH = 200;

/** Where archived messages go: the Postgres history (`postgresArchive`), or a stand-in in tests. */
export interface ArchiveTarget {
  /** False when no Postgres is configured: nothing is archived and the hot window is kept. */
  readonly configured: boolean;
  /** Upserts one batch of one conversation; throws if any row is refused (the batch is atomic). */
  upsert(conversationId: string, rows: ArchivedMessage[]): Promise<void>;
  /** Deletes disappearing messages whose time came (idempotent). Absent: the target keeps none. */
  remove?(conversationId: string, seqs: number[]): Promise<void>;
}

/** The Postgres history of `env`'s shards, one connection set per batch. */
export function postgresArchive(env: DbEnv): ArchiveTarget {
  return {
    configured: new ShardSet(env).configured,
    async upsert(conversationId, rows) {
      const shards = new ShardSet(env);
      try {
        await new HistoryStore(shards).upsert(conversationId, rows);
      } finally {
        await shards.close();
      }
    },
    async remove(conversationId, seqs) {
      const shards = new ShardSet(env);
      try {
        await new HistoryStore(shards).remove(conversationId, seqs);
      } finally {
        await shards.close();
      }
    },
  };
}

/** One archive pass: up to one batch, then the hot window is trimmed once nothing is pending. */
export async function archivePass(
  store: ConversationStore,
  archive: ArchiveTarget,
  hotWindow: number,
  setAside: (queue: "archive") => void = () => undefined,
): Promise<PassOutcome> {
  const meta = store.meta;
  if (!meta || !archive.configured) return {};
  // Disappearing messages whose time came leave Postgres first (a plain DELETE: retried until done).
  const removals = store.archiveRemovals(ARCHIVE_BATCH);
  if (removals.length > 0) {
    await archive.remove?.(meta.id, removals);
    store.archiveRemoved(removals);
    if (removals.length === ARCHIVE_BATCH) return { more: true };
  }
  const batch = store.archiveBatch(ARCHIVE_BATCH);
  if (batch.length === 0) {
    store.trimHotWindow(hotWindow);
    return {};
  }
  await applyIsolating(
    batch,
    (rows) =>
      archive.upsert(
        meta.id,
        rows.map((row) => toArchived(meta.id, row)),
      ),
    (row, error) => {
      log("error", "archive refused a message, set aside", { conversationId: meta.id, seq: row.seq, error });
      store.deadLetterArchive(row, errorSummary(error), Date.now());
      setAside("archive");
    },
  );
  // No await between these writes: one commit for the batch.
  for (const row of batch) store.archived(row.seq, row.outbox_version);
  if (batch.length === ARCHIVE_BATCH) return { more: true };
  store.trimHotWindow(hotWindow);
  return {};
}

/** The archive's row: the same mapping as every other reader (`toMessage`), plus its version and times. */
function toArchived(conversationId: string, row: MessageRow): ArchivedMessage {
  const { sentAt: _sentAt, deleted: _deleted, ...message } = toMessage(conversationId, row);
  return {
    ...message,
    sentAt: new Date(row.sent_at),
    deletedAt: row.deleted_at === null ? null : new Date(row.deleted_at),
    version: row.version,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at).toISOString(),
  };
}
