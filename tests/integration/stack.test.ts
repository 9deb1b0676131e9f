/**
 * The local stack itself: the Worker is healthy on both shards and Redis, the Upstash shim works
 * with @upstash/redis' default settings (base64 responses), and the ws relay is not an open proxy.
 */
import { Pool, neonConfig } from "@neondatabase/serverless";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { WebSocket } from "ws";
import { startWsRelay, type WsRelay } from "../../scripts/ws-relay.ts";
import { restartDevServer } from "./stack-control.ts";

const baseUrl = inject("baseUrl");
const redisRest = inject("redisRest");
const prefix = `it:stack:${Date.now()}:`;

describe("local stack", () => {
  it("answers /health/ready with both shards, redis and r2 ok", async () => {
    const res = await fetch(`${baseUrl}/health/ready`, {
      headers: { authorization: `Bearer ${inject("healthSecret")}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; checks: Record<string, string> };
    expect(inject("shardUrls")).toHaveLength(2);
    // The stack has VAPID keys and a subject (not production): push is configured.
    expect(body.checks).toEqual({
      postgres_0: "ok",
      postgres_1: "ok",
      redis: redisRest ? "ok" : "off",
      r2: "ok",
      push: "ok",
      reports: "ok",
    });
    // Rows the queues set aside for good, counted in Redis (absent without Redis).
    const { deadLetters } = body as unknown as { deadLetters?: Record<string, number> };
    if (redisRest)
      expect(deadLetters).toEqual({
        archive: expect.any(Number),
        media: expect.any(Number),
        fanout: expect.any(Number),
        profile: expect.any(Number),
        deletion: expect.any(Number),
      });
    else expect(deadLetters).toBeUndefined();
  });

  it("can be killed and restarted on the same address (tests/integration/stack-control.ts)", async () => {
    await restartDevServer({ signal: "SIGKILL" });
    expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
  });
});

describe.skipIf(!redisRest)("upstash shim with @upstash/redis defaults", () => {
  const redis = new Redis({ url: redisRest?.url ?? "", token: redisRest?.token ?? "" });

  it("set/get/incr with UTF-8 and JSON values", async () => {
    expect(await redis.set(`${prefix}s`, "héllo wörld ✓")).toBe("OK");
    expect(await redis.get(`${prefix}s`)).toBe("héllo wörld ✓");
    expect(await redis.incr(`${prefix}n`)).toBe(1);
    expect(await redis.incrby(`${prefix}n`, 41)).toBe(42);
    await redis.set(`${prefix}j`, { a: [1, "two", null], b: { c: true } });
    expect(await redis.get(`${prefix}j`)).toEqual({ a: [1, "two", null], b: { c: true } });
    expect(await redis.get(`${prefix}missing`)).toBeNull();
    expect(await redis.ping()).toBe("PONG");
  });

  it("pipeline and multi/exec", async () => {
    const p = redis.pipeline();
    p.set(`${prefix}p`, "v");
    p.get(`${prefix}p`);
    p.hset(`${prefix}h`, { f1: "x", f2: 2 });
    p.hgetall(`${prefix}h`);
    p.zadd(`${prefix}z`, { score: 2, member: "b" }, { score: 1, member: "a" });
    p.zrange(`${prefix}z`, 0, -1);
    expect(await p.exec()).toEqual(["OK", "v", 2, { f1: "x", f2: 2 }, 2, ["a", "b"]]);

    const m = redis.multi();
    m.set(`${prefix}m`, 10);
    m.incr(`${prefix}m`);
    m.get(`${prefix}m`);
    expect(await m.exec()).toEqual(["OK", 11, 11]);
  });

  it("expiry", async () => {
    await redis.set(`${prefix}e`, "soon", { ex: 100 });
    const ttl = await redis.ttl(`${prefix}e`);
    expect(ttl).toBeGreaterThan(90);
    expect(ttl).toBeLessThanOrEqual(100);
    await redis.set(`${prefix}px`, "gone", { px: 50 });
    await new Promise((r) => setTimeout(r, 120));
    expect(await redis.get(`${prefix}px`)).toBeNull();
  });

  it("Lua scripts with an Upstash shebang, and bad tokens are refused", async () => {
    const script = redis.createScript<string>("#!lua flags=allow-key-locking\nreturn ARGV[1]");
    expect(await script.exec([], ["one"])).toBe("one");
    expect(await script.exec([], ["two"])).toBe("two");
    const res = await fetch(redisRest?.url ?? "", { method: "POST", body: '["PING"]' });
    expect(res.status).toBe(401);
  });
});

describe("ws relay", () => {
  let relay: WsRelay;
  beforeAll(async () => {
    relay = await startWsRelay();
  });
  afterAll(() => relay.close());

  const upgradeStatus = (address: string) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${relay.port}/v2?address=${encodeURIComponent(address)}`);
      ws.on("open", () => {
        ws.close();
        resolve(101);
      });
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("error", () => resolve(-1));
    });

  it("refuses non-loopback addresses", async () => {
    expect(await upgradeStatus("10.0.0.1:5432")).toBe(403);
    expect(await upgradeStatus("example.com:5432")).toBe(403);
    expect(await upgradeStatus("127.0.0.1.nip.io:5432")).toBe(403);
    expect(await upgradeStatus("127.0.0.1")).toBe(403);
  });

  it("relays the Neon driver to a loopback Postgres", async () => {
    const shard = new URL(inject("shardUrls")[0] ?? "");
    expect(["127.0.0.1", "localhost", "[::1]"]).toContain(shard.hostname);
    neonConfig.wsProxy = (host, port) => `127.0.0.1:${relay.port}/v2?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
    const pool = new Pool({ connectionString: shard.toString(), max: 1 });
    try {
      const { rows } = await pool.query<{ n: number; db: string }>("select 1 + 1 as n, current_database() as db");
      expect(rows).toEqual([{ n: 2, db: decodeURIComponent(shard.pathname.slice(1)) }]);
    } finally {
      await pool.end();
    }
  });
});
