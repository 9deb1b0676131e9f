/**
 * Schema migrations for a Durable Object's SQLite. `PRAGMA user_version` is not available in DOs, so
 * applied steps are tracked in a table of our own. Run from `blockConcurrencyWhile` in the
 * constructor: a step is applied once, in order, atomically with its bookkeeping row.
 */
export function migrate(storage: DurableObjectStorage, steps: readonly string[]): void {
  const sql = storage.sql;
  sql.exec("CREATE TABLE IF NOT EXISTS _migrations (step INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  const row = sql.exec<{ done: number }>("SELECT COUNT(*) AS done FROM _migrations").one();
  for (let i = row.done; i < steps.length; i++) {
    const step = steps[i];
    if (step === undefined) continue;
    storage.transactionSync(() => {
      sql.exec(step);
      sql.exec("INSERT INTO _migrations (step, applied_at) VALUES (?, ?)", i, Date.now());
    });
  }
}
