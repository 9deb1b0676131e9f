/**
 * tests/harness.ts as another suite would use it: a second product beside the integration stack,
 * on its own port with its own scratch database, driven over REST, then stopped.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withDatabase } from "../../scripts/postgres.ts";
import { freePort, portOpen } from "../../scripts/stack.ts";
import { startProduct, type Product } from "../harness.ts";

const START_MS = 180_000;

async function databaseExists(url: string): Promise<boolean> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const client = new pg.Client({ connectionString: withDatabase(url, "postgres") });
  await client.connect();
  try {
    return (await client.query("select 1 from pg_database where datname = $1", [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

describe("tests/harness.ts: startProduct", () => {
  let product: Product;
  let port: number;
  const alice = { username: `alice_${Date.now().toString(36)}`, password: "correct horse", displayName: "Alice" };

  beforeAll(async () => {
    port = await freePort();
    product = await startProduct({ port, redisUrl: inject("redisUrl") });
  }, START_MS);

  afterAll(async () => {
    await product?.stop();
  }, START_MS);

  it("runs a second product on its own port and its own database", () => {
    expect(product.baseUrl).toBe(`http://127.0.0.1:${port}`);
    expect(product.baseUrl).not.toBe(inject("baseUrl"));
    expect(product.shardUrls).toHaveLength(1);
    expect(inject("shardUrls")).not.toContain(product.shardUrls[0]);
  });

  it("answers /health/ready with its database and Redis (when there is one)", async () => {
    const res = await fetch(`${product.baseUrl}/health/ready`, {
      headers: { authorization: `Bearer ${product.healthSecret}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { checks: Record<string, string> };
    expect(body.checks).toMatchObject({ postgres_0: "ok", redis: inject("redisUrl") ? "ok" : "off" });
  });

  it("registers alice through the REST API, and she exists on this product only", async () => {
    const res = await fetch(`${product.baseUrl}/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(alice),
    });
    expect(res.status).toBe(201);
    const { user, token } = (await res.json()) as { user: { username: string }; token: string };
    expect(user.username).toBe(alice.username);

    const me = await fetch(`${product.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { username: string } }).user.username).toBe(alice.username);

    const elsewhere = await fetch(`${inject("baseUrl")}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: alice.username, password: alice.password }),
    });
    expect(elsewhere.status).toBe(401);
  });

  it(
    "stops: the port is closed and the scratch database is gone",
    async () => {
      const [shard] = product.shardUrls;
      await product.stop();
      expect(await portOpen(port)).toBe(false);
      expect(await databaseExists(shard ?? "")).toBe(false);
      // The integration stack is untouched.
      expect((await fetch(`${inject("baseUrl")}/health`)).status).toBe(200);
    },
    START_MS,
  );
});
