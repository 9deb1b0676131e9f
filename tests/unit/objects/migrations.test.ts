/**
 * `migrate`: the objects' schema steps, applied once each, in order, all pending ones in a single
 * transaction (a new object pays one commit for its schema), and none of them if one fails.
 */
import { describe, expect, it } from "vitest";
import { migrate } from "../../../durable-objects/shared/migrations.ts";
import { HUB_MIGRATIONS } from "../../../durable-objects/user-hub/schema.ts";
import { NodeStorage } from "./sqlite-storage.ts";

/** A storage that counts the transactions opened on it. */
function counted() {
  const storage = new NodeStorage();
  let transactions = 0;
  const inner = storage.transactionSync.bind(storage);
  storage.transactionSync = <T>(fn: () => T): T => {
    transactions++;
    return inner(fn);
  };
  return { storage, transactions: () => transactions };
}

const applied = (storage: NodeStorage) =>
  storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM _migrations").one().n;

describe("migrate", () => {
  it("builds a new hub's whole schema in one transaction, and does nothing the second time", () => {
    const { storage, transactions } = counted();
    migrate(storage.storage, HUB_MIGRATIONS);
    expect(transactions()).toBe(1);
    expect(applied(storage)).toBe(HUB_MIGRATIONS.length);
    migrate(storage.storage, HUB_MIGRATIONS);
    expect(transactions()).toBe(1);
  });

  it("applies only the steps an older object lacks, in order", () => {
    const { storage } = counted();
    migrate(storage.storage, ["CREATE TABLE a (x INTEGER)"]);
    storage.sql.exec("INSERT INTO a (x) VALUES (1)");
    migrate(storage.storage, ["CREATE TABLE a (x INTEGER)", "ALTER TABLE a ADD COLUMN y INTEGER NOT NULL DEFAULT 7"]);
    expect(storage.sql.exec("SELECT x, y FROM a").toArray()).toEqual([{ x: 1, y: 7 }]);
  });

  it("leaves the schema as it was when a step fails", () => {
    const { storage } = counted();
    const steps = ["CREATE TABLE a (x INTEGER)", "CREATE TABLE b (x INTEGER)", "NOT SQL"];
    expect(() => migrate(storage.storage, steps)).toThrow();
    const tables = storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('a', 'b')")
      .toArray();
    expect(tables).toEqual([]);
  });
});
