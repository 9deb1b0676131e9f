/**
 * Opens drizzle clients on the Postgres shards for one unit of work (a request, an alarm run).
 *
 * Workers cannot keep sockets across requests, so pools are created lazily per shard and closed by
 * `close()` (call it from `waitUntil` or a `finally`). Production talks to Neon over its WebSocket
 * proxy; locally `NEON_WS_PROXY` points the same driver at the relay in scripts/ws-relay.ts, which
 * forwards to a plain Postgres. Same code path, different address.
 */
import { Pool, neonConfig } from "@neondatabase/serverless";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import * as schema from "./schema.ts";
import { shardIndex, shardUrls } from "./shards.ts";
import { log } from "../lib/log.ts";

export type Db = NeonDatabase<typeof schema>;

export interface DbEnv {
  DATABASE_URLS?: string;
  DATABASE_URL?: string;
  /** Local only: host:port of the WebSocket→TCP relay in front of a plain Postgres. */
  NEON_WS_PROXY?: string;
}

let configuredProxy: string | undefined;

/** neonConfig is module-global; configure it once per isolate, and only for the local relay. */
function configureDriver(proxy: string | undefined): void {
  if (!proxy || proxy === configuredProxy) return;
  neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
  configuredProxy = proxy;
}

export class ShardSet {
  readonly urls: string[];
  /** `ending`: set by `close()`; a connection dropping after that is the close itself, not news. */
  private readonly pools = new Map<number, { pool: Pool; db: Db; ending: boolean }>();

  constructor(env: DbEnv) {
    this.urls = shardUrls(env);
    configureDriver(env.NEON_WS_PROXY);
  }

  get count(): number {
    return this.urls.length;
  }

  get configured(): boolean {
    return this.urls.length > 0;
  }

  /** The shard index that holds `key` (a `shardKey.*` value). */
  indexFor(key: string): number {
    if (!this.configured) throw new Error("no Postgres configured: set DATABASE_URLS or DATABASE_URL");
    return shardIndex(key, this.urls.length);
  }

  /** The drizzle client for the shard that holds `key`. */
  for(key: string): Db {
    return this.at(this.indexFor(key));
  }

  /** The drizzle client of shard `i` (0-based). */
  at(i: number): Db {
    const open = this.pools.get(i);
    if (open) return open.db;
    const url = this.urls[i];
    if (url === undefined) throw new RangeError(`no shard ${i}`);
    // One connection per shard per unit of work: Workers allow 6 open connections per invocation.
    const pool = new Pool({ connectionString: url, max: 1 });
    // A dropped connection surfaces as an 'error' event; unhandled, it would throw in the isolate.
    // The query that was using it fails on its own and its caller retries.
    const db = drizzle({ client: pool, schema });
    const entry = { pool, db, ending: false };
    pool.on("error", (error: Error) => {
      if (!entry.ending) log("warn", "postgres connection lost", { shard: i, error });
    });
    this.pools.set(i, entry);
    return db;
  }

  /** Ends every pool opened so far. Safe to call more than once. */
  async close(): Promise<void> {
    const open = [...this.pools.values()];
    this.pools.clear();
    for (const entry of open) entry.ending = true;
    await Promise.allSettled(open.map(({ pool }) => pool.end()));
  }
}

/**
 * Runs `work` with `open(shards)` (a store, or the ShardSet itself) over freshly opened shards, then
 * closes them: in the background when the caller passes `waitUntil` (a request's
 * `executionCtx.waitUntil`), else before returning. The one way a unit of work opens and closes its
 * Postgres connections: `withShards(env, (shards) => new UserStore(shards), (store) => …, waitUntil)`.
 */
export async function withShards<S, T>(
  env: DbEnv,
  open: (shards: ShardSet) => S,
  work: (store: S) => Promise<T>,
  waitUntil?: (promise: Promise<unknown>) => void,
): Promise<T> {
  const shards = new ShardSet(env);
  try {
    return await work(open(shards));
  } finally {
    const closing = shards.close();
    if (waitUntil) waitUntil(closing);
    else await closing;
  }
}
