/**
 * Reports over the Postgres shards (README "Reports"). A report sits on the shard of its id, so
 * filing and resolving one touch one database; the operator's list is the exception and asks every
 * shard for its newest page, then merges (rare, and only for operators).
 */
import { and, desc, eq, isNotNull, isNull } from "drizzle-orm";
import type { Message, Report } from "../client/sdk/protocol/index.ts";
import { newId } from "../lib/ids.ts";
import { withShards, type DbEnv, type ShardSet } from "./connection.ts";
import { reports } from "./schema.ts";
import { shardKey } from "./shards.ts";

export interface NewReport {
  reporterId: string;
  userId: string | null;
  conversationId: string | null;
  reason: string;
  messages: Message[];
}

type Row = typeof reports.$inferSelect;

function toReport(row: Row): Report {
  return {
    id: row.id,
    reporterId: row.reporterId,
    userId: row.userId,
    conversationId: row.conversationId,
    reason: row.reason,
    messages: row.messages as Message[],
    createdAt: row.createdAt.toISOString(),
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    resolution: row.resolution,
    note: row.note,
  };
}

export class ReportStore {
  constructor(private readonly shards: ShardSet) {}

  async create(input: NewReport): Promise<{ id: string }> {
    const id = newId("r");
    await this.shards
      .for(shardKey.report(id))
      .insert(reports)
      .values({ id, ...input });
    return { id };
  }

  /** The newest `limit` reports with that status, across all shards. */
  async list(status: "open" | "resolved", limit: number): Promise<Report[]> {
    const where = status === "open" ? isNull(reports.resolvedAt) : isNotNull(reports.resolvedAt);
    const perShard = await Promise.all(
      this.shards.urls.map((_, i) =>
        this.shards.at(i).select().from(reports).where(where).orderBy(desc(reports.createdAt)).limit(limit),
      ),
    );
    return perShard
      .flat()
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .slice(0, limit)
      .map(toReport);
  }

  /**
   * Resolves an open report; answers the report, or null if there is none with that id. Resolving
   * again keeps the first decision (and answers it): a retried request changes nothing.
   */
  async resolve(id: string, resolution: "dismissed" | "actioned", note: string | null): Promise<Report | null> {
    const db = this.shards.for(shardKey.report(id));
    const [updated] = await db
      .update(reports)
      .set({ resolvedAt: new Date(), resolution, note })
      .where(and(eq(reports.id, id), isNull(reports.resolvedAt)))
      .returning();
    if (updated) return toReport(updated);
    const [existing] = await db.select().from(reports).where(eq(reports.id, id));
    return existing ? toReport(existing) : null;
  }
}

export function withReportStore<T>(
  env: DbEnv,
  work: (store: ReportStore) => Promise<T>,
  waitUntil?: (promise: Promise<unknown>) => void,
): Promise<T> {
  return withShards(env, (shards) => new ReportStore(shards), work, waitUntil);
}
