/**
 * Copies messages to the Postgres archive from the object's outbox, in batches, then trims the hot
 * window. Idempotent end to end: the upsert is keyed on (conversation, seq) and versioned, and an
 * outbox row is removed only if the version it archived is still the current one. While Postgres is
 * down the outbox simply grows and nothing is trimmed; chat goes on. A row Postgres refuses for good
 * is set aside as a dead letter (../shared/isolate.ts) so the rest still lands.
 */
import type { Media, SystemEvent } from "../../client/sdk/protocol/index.ts";
import { ShardSet, type DbEnv } from "../../db/connection.ts";
import { HistoryStore, type ArchivedMessage } from "../../db/history-store.ts";
import { errorSummary, log } from "../../lib/log.ts";
import type { PassOutcome } from "../shared/drain.ts";
import { applyIsolating } from "../shared/isolate.ts";
import type { MessageRow } from "./rows.ts";
import type { ConversationStore } from "./store.ts";

/** Rows per upsert: one round trip for a busy second of a conversation. */
export const ARCHIVE_BATCH = 200;

/** One archive pass: up to one batch, then the hot window is trimmed once nothing is pending. */
export async function archivePass(store: ConversationStore, env: DbEnv, hotWindow: number): Promise<PassOutcome> {
  const meta = store.meta;
  const shards = new ShardSet(env);
  if (!meta || !shards.configured) return {};
  const batch = store.archiveBatch(ARCHIVE_BATCH);
  if (batch.length === 0) {
    store.trimHotWindow(hotWindow);
    return {};
  }
  const history = new HistoryStore(shards);
  try {
    await applyIsolating(
      batch,
      (rows) =>
        history.upsert(
          meta.id,
          rows.map((row) => toArchived(meta.id, row)),
        ),
      (row, error) => {
        log("error", "archive refused a message, set aside", { conversationId: meta.id, seq: row.seq, error });
        store.deadLetterArchive(row, errorSummary(error), Date.now());
      },
    );
  } finally {
    await shards.close();
  }
  // No await between these writes: one commit for the batch.
  for (const row of batch) store.archived(row.seq, row.outbox_version);
  if (batch.length === ARCHIVE_BATCH) return { more: true };
  store.trimHotWindow(hotWindow);
  return {};
}

function toArchived(conversationId: string, row: MessageRow): ArchivedMessage {
  const deleted = row.deleted_at !== null;
  return {
    conversationId,
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
