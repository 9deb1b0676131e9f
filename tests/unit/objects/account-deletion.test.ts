/**
 * The hub's account-deletion job in plain Node over SQLite (durable-objects/user-hub/account-deletion.ts):
 * starting twice queues once; the account's rows come first and the profile is announced; a group
 * that cannot be reached is retried while the others are left; a group whose code keeps refusing
 * is set aside as a dead letter instead of wedging the job; a new object instance resumes the queue.
 */
import { describe, expect, it } from "vitest";
import type { User } from "../../../client/sdk/protocol/index.ts";
import { err, ok, type Result } from "../../../lib/result.ts";
import {
  HubAccountDeletion,
  type AccountRowsDeleted,
  type DeletionHost,
} from "../../../durable-objects/user-hub/account-deletion.ts";
import { HUB_MIGRATIONS } from "../../../durable-objects/user-hub/schema.ts";
import { REFUSALS_BEFORE_ISOLATING } from "../../../durable-objects/shared/isolate.ts";
import { migrate } from "../../../durable-objects/shared/migrations.ts";
import { NodeStorage } from "./sqlite-storage.ts";

const deletedAlice: User = {
  id: "alice",
  username: "",
  displayName: "Deleted account",
  about: "",
  pictureUrl: null,
  createdAt: new Date(0).toISOString(),
  deleted: true,
};

/** A hub's deletion job with scripted dependencies; `storage` survives a "restart". */
function job(options: {
  storage?: NodeStorage;
  groups?: string[];
  leave?: (id: string) => Promise<Result<unknown>>;
  rows?: () => Promise<AccountRowsDeleted | null>;
}) {
  const storage = options.storage ?? new NodeStorage();
  if (!options.storage) migrate(storage.storage, HUB_MIGRATIONS);
  const seen = {
    closed: 0,
    pushForgotten: 0,
    ended: [] as string[],
    announced: [] as User[],
    left: [] as string[],
    setAside: 0,
  };
  const host: DeletionHost = {
    userId: () => "alice",
    sql: storage.sqlStorage,
    transaction: (write) => storage.transactionSync(write),
    activeGroups: () => options.groups ?? [],
    forgetPush: () => void seen.pushForgotten++,
    closeSockets: () => void seen.closed++,
    deleteRows: options.rows ?? (async () => ({ user: deletedAlice, version: 7, sessionIds: ["s_1", "s_2"] })),
    endSessions: async (ids) => void seen.ended.push(...ids),
    announce: (user) => void seen.announced.push(user),
    leaveGroup: async (id) => {
      const answer = await (options.leave ?? (async () => ok(null)))(id);
      seen.left.push(id);
      return answer;
    },
    setAside: () => void seen.setAside++,
  };
  return { storage, seen, deletion: new HubAccountDeletion(host) };
}

/** Makes every queued item due now (skips the backoff). */
function dueNow(storage: NodeStorage) {
  storage.sqlStorage.exec("UPDATE deletion_queue SET due = 0");
}

/** Like a DO's own code throwing over RPC: remote, not retryable. */
const refusal = () => Object.assign(new Error("poisoned"), { remote: true });

describe("account deletion job, in Node", () => {
  it("queues once however often it starts, closing the sockets each time", () => {
    const { deletion, seen } = job({ groups: ["g_1", "g_2"] });
    expect(deletion.started).toBe(false);
    deletion.begin(1);
    deletion.begin(2);
    expect(deletion.started).toBe(true);
    expect(deletion.pending()).toEqual(["account", "group:g_1", "group:g_2"]);
    expect(seen.pushForgotten).toBe(1);
    expect(seen.closed).toBe(2);
    expect(deletion.accountDone).toBe(false);
  });

  it("ends sessions, announces 'Deleted account' and leaves every group in one pass", async () => {
    const { deletion, seen } = job({ groups: ["g_1", "g_2"] });
    deletion.begin(1);
    expect(await deletion.pass()).toEqual({ more: false, dueAt: null });
    expect(deletion.accountDone).toBe(true);
    expect(deletion.pending()).toEqual([]);
    expect(seen.ended).toEqual(["s_1", "s_2"]);
    expect(seen.announced).toEqual([deletedAlice]);
    expect(seen.left.sort()).toEqual(["g_1", "g_2"]);
  });

  it("does nothing before it started", async () => {
    const { deletion, seen } = job({ groups: ["g_1"] });
    expect(await deletion.pass()).toEqual({});
    expect(seen.left).toEqual([]);
  });

  it("treats 'not a member' as already left", async () => {
    const { deletion } = job({ groups: ["g_1"], leave: async () => err("not_found", "not a member") });
    deletion.begin(1);
    await deletion.pass();
    expect(deletion.pending()).toEqual([]);
  });

  it("retries an unreachable Postgres later while the groups are still left", async () => {
    let down = true;
    const { deletion, seen, storage } = job({
      groups: ["g_1"],
      rows: async () => {
        if (down) throw new Error("connect ECONNREFUSED");
        return { user: deletedAlice, version: 7, sessionIds: [] };
      },
    });
    deletion.begin(1);
    const outcome = await deletion.pass();
    expect(deletion.accountDone).toBe(false);
    expect(outcome.dueAt).toBeGreaterThan(Date.now());
    expect(seen.left).toEqual(["g_1"]);
    // Outages never become dead letters, however many.
    for (let i = 0; i < REFUSALS_BEFORE_ISOLATING + 2; i++) {
      dueNow(storage);
      await deletion.pass();
    }
    expect(seen.setAside).toBe(0);
    down = false;
    dueNow(storage);
    await deletion.pass();
    expect(deletion.accountDone).toBe(true);
    expect(seen.announced).toHaveLength(1);
  });

  it("sets aside a group whose object keeps refusing, and finishes the rest", async () => {
    const { deletion, seen, storage } = job({
      groups: ["g_bad", "g_ok"],
      leave: async (id) => {
        if (id === "g_bad") throw refusal();
        return ok(null);
      },
    });
    deletion.begin(1);
    for (let i = 0; i < REFUSALS_BEFORE_ISOLATING; i++) {
      dueNow(storage);
      await deletion.pass();
    }
    expect(deletion.pending()).toEqual([]);
    expect(seen.setAside).toBe(1);
    const dead = storage.sqlStorage.exec("SELECT queue, item FROM dead_letters").toArray();
    expect(dead).toEqual([{ queue: "deletion", item: "group:g_bad" }]);
  });

  it("resumes after a restart from what it stored", async () => {
    const first = job({ groups: ["g_1"], leave: async () => Promise.reject(new Error("network")) });
    first.deletion.begin(1);
    await first.deletion.pass();
    expect(first.deletion.pending()).toEqual(["group:g_1"]);
    // A new instance over the same storage (the isolate died) picks the job up.
    const second = job({ storage: first.storage, groups: ["g_1"] });
    expect(second.deletion.started).toBe(true);
    dueNow(first.storage);
    await second.deletion.pass();
    expect(second.deletion.pending()).toEqual([]);
    expect(second.seen.left).toEqual(["g_1"]);
  });
});
