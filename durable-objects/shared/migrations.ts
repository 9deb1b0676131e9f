/**
 * Schema migrations for a Durable Object's SQLite. `PRAGMA user_version` is not available in DOs, so
 * applied steps are tracked in a table of our own. Run from `blockConcurrencyWhile` in the
 * constructor: a step is applied once, in order, atomically with its bookkeeping row (all pending
 * steps in one transaction).
 */
export function migrate(storage: DurableObjectStorage, steps: readonly string[]): void {
  const sql = storage.sql;
  sql.exec("CREATE TABLE IF NOT EXISTS _migrations (step INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  const row = sql.exec<{ done: number }>("SELECT COUNT(*) AS done FROM _migrations").one();
  if (row.done >= steps.length) return;
  // Every pending step in one transaction: a new object (most of them, at scale) pays one commit
  // for its whole schema instead of one per step.
  storage.transactionSync(() => {
    const now = Date.now();
    for (let i = row.done; i < steps.length; i++) {
      sql.exec(steps[i]!);
      sql.exec("INSERT INTO _migrations (step, applied_at) VALUES (?, ?)", i, now);
    }
  });
}
