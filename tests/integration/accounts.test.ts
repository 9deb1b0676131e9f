/**
 * Accounts and profiles against the running stack (wrangler dev + two Postgres shards + Redis behind
 * the Upstash shim), checking the API answers and what actually landed in each store.
 *
 * Other test files share the stack and run in parallel, so every name here carries this run's random
 * suffix and "nothing changed" is checked on rows of this run only, never on whole-table counts.
 */
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ErrorBody, User } from "../../client/sdk/protocol/index.ts";
import { shardIndex, shardKey } from "../../db/shards.ts";
import { png } from "../fixtures/media-files.ts";

const baseUrl = inject("baseUrl");
const shardUrls = inject("shardUrls");
const redisUrl = inject("redisUrl");

const RUN = Math.random().toString(36).slice(2, 8);
let seq = 0;
/** A fresh, valid username for this run: `<persona>_<n>_<run>` (≤ 32 chars). */
const uname = (persona: string) => `${persona}_${++seq}_${RUN}`;

/** Every body these routes answer with; tests check the values, so the cast below is only a claim. */
type Body = Partial<{ user: User; users: User[]; token: string; error: ErrorBody["error"] }>;

interface Reply {
  status: number;
  json: Body;
}

async function api(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers["content-type"] ??= "application/json";
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Body) : {} };
}

interface Account {
  id: string;
  username: string;
  password: string;
  token: string;
}

async function register(persona: string, displayName = persona): Promise<Account> {
  const username = uname(persona);
  const password = `${persona} secret pw`;
  const reply = await api("POST", "/v1/auth/register", { body: { username, password, displayName } });
  expect(reply.status, JSON.stringify(reply.json)).toBe(201);
  return { id: reply.json.user?.id ?? "", username, password, token: reply.json.token ?? "" };
}

function sessionIdOf(token: string): string {
  const payload = token.split(".")[2] ?? ""; // v1.<key id>.<claims>.<mac>
  return (JSON.parse(Buffer.from(payload, "base64url").toString()) as { sid: string }).sid;
}

let pools: pg.Pool[] = [];
let redis: Redis | null = null;

function shard(i: number): pg.Pool {
  const pool = pools[i];
  if (!pool) throw new Error(`no shard ${i}`);
  return pool;
}

async function rows<T>(i: number, text: string, values: unknown[] = []): Promise<T[]> {
  return (await shard(i).query(text, values)).rows as T[];
}

/** Rows of this run on every shard: users/usernames by name suffix, credentials and sessions of those users. */
async function runRowCounts(): Promise<number[]> {
  const like = `%\\_${RUN}`;
  return Promise.all(
    pools.map(async (_, i) => {
      const [row] = await rows<{ n: string }>(
        i,
        `SELECT (SELECT count(*) FROM users WHERE username LIKE $1)
              + (SELECT count(*) FROM usernames WHERE username_lower LIKE $1)
              + (SELECT count(*) FROM credentials c JOIN users u ON u.id = c.user_id WHERE u.username LIKE $1)
              + (SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username LIKE $1) AS n`,
        [like],
      );
      return Number(row?.n);
    }),
  );
}

/** Retries `probe` until it returns a value (a failed assertion counts as "not yet"), for about 15 s. */
async function eventually<T>(probe: () => Promise<T | null | undefined>): Promise<T> {
  let last: unknown = new Error("probe never returned a value");
  for (let attempt = 0; attempt < 30; attempt++) {
    try {
      const value = await probe();
      if (value !== null && value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw last;
}

beforeAll(() => {
  pools = shardUrls.map((url) => new pg.Pool({ connectionString: url, max: 2 }));
  if (redisUrl) redis = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  redis?.disconnect();
});

describe("accounts round trip", () => {
  it("lets alice register, log in, read herself, and bob find her by id and by prefix", async () => {
    const alice = await register("alice", "Alice Liddell");
    expect(alice.id).toMatch(/^u_[0-9a-z]{26}$/);

    const login = await api("POST", "/v1/auth/login", { body: { username: alice.username, password: alice.password } });
    expect(login.status).toBe(200);
    expect(login.json.user?.id).toBe(alice.id);
    expect(login.json.token).not.toBe(alice.token);

    const me = await api("GET", "/v1/me", { token: login.json.token });
    expect(me.status).toBe(200);
    expect(me.json.user).toEqual({
      id: alice.id,
      username: alice.username,
      displayName: "Alice Liddell",
      about: "",
      pictureUrl: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });

    const bob = await register("bob");
    const byId = await api("GET", `/v1/users/${alice.id}`, { token: bob.token });
    expect(byId.status).toBe(200);
    expect(byId.json.user).toEqual(me.json.user);

    const found = await api("GET", `/v1/users?q=${encodeURIComponent(alice.username.slice(0, -2))}`, {
      token: bob.token,
    });
    expect(found.status).toBe(200);
    expect(found.json.users).toEqual([me.json.user]);
  });

  it("lets alice log in with her username in any case", async () => {
    const alice = await register("alice");
    const reply = await api("POST", "/v1/auth/login", {
      body: { username: alice.username.toUpperCase(), password: alice.password },
    });
    expect(reply.status).toBe(200);
    expect(reply.json.user?.id).toBe(alice.id);
  });

  it("stores alice's username in lower case when she registers it in mixed case", async () => {
    const name = uname("alice");
    const reply = await api("POST", "/v1/auth/register", {
      body: { username: name.toUpperCase(), password: "mixed case pw", displayName: "Alice" },
    });
    expect(reply.status).toBe(201);
    expect(reply.json.user?.username).toBe(name);
  });

  it("gives mallory the same answer for an unknown user and for a wrong password", async () => {
    const alice = await register("alice");
    const wrongPassword = await api("POST", "/v1/auth/login", {
      body: { username: alice.username, password: "not her password" },
    });
    const unknownUser = await api("POST", "/v1/auth/login", {
      body: { username: uname("nobody"), password: "not her password" },
    });
    for (const reply of [wrongPassword, unknownUser]) {
      expect(reply.status).toBe(401);
      expect(reply.json.error?.code).toBe("invalid_credentials");
    }
    expect(wrongPassword.json.error?.message).toBe(unknownUser.json.error?.message);
  });

  it("shows alice's picture as a media URL after she sets it, and none after she removes it", async () => {
    const alice = await register("alice");
    const upload = await fetch(`${baseUrl}/v1/media`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice.token}`, "content-type": "image/png" },
      body: png(),
    });
    expect(upload.status).toBe(201);
    const { media } = (await upload.json()) as { media: { id: string } };
    const set = await api("PATCH", "/v1/me", { token: alice.token, body: { pictureMediaId: media.id, about: "hi" } });
    expect(set.status).toBe(200);
    expect(set.json.user).toMatchObject({
      pictureUrl: `/v1/media/${media.id}?u=${alice.id}`,
      about: "hi",
      displayName: "alice",
    });
    const cleared = await api("PATCH", "/v1/me", { token: alice.token, body: { pictureMediaId: null } });
    expect(cleared.json.user).toMatchObject({ pictureUrl: null, about: "hi" });
  });

  it("answers not_found for a user id that does not exist", async () => {
    const bob = await register("bob");
    const reply = await api("GET", "/v1/users/u_00000000000000000000000000", { token: bob.token });
    expect(reply.status).toBe(404);
    expect(reply.json.error?.code).toBe("not_found");
  });
});

describe("sessions", () => {
  it("revokes alice's token at once on logout, even with the session cache warm", async () => {
    const alice = await register("alice");
    const sid = sessionIdOf(alice.token);
    expect((await api("GET", "/v1/me", { token: alice.token })).status).toBe(200);
    expect((await api("GET", "/v1/me", { token: alice.token })).status).toBe(200);
    // Warm for certain: a Worker that skipped the fill (Redis back-off) must not make this test vacuous.
    await redis?.set(`session:v1:${sid}`, "live", "EX", 60);

    expect((await api("POST", "/v1/auth/logout", { token: alice.token })).status).toBe(204);
    if (redis) expect(await redis.get(`session:v1:${sid}`)).toBe("revoked");
    const after = await api("GET", "/v1/me", { token: alice.token });
    expect(after.status).toBe(401);
    expect(after.json.error?.code).toBe("unauthorized");

    const i = shardIndex(shardKey.user(alice.id), shardUrls.length);
    const [row] = await rows<{ revoked_at: Date | null }>(i, "SELECT revoked_at FROM sessions WHERE id = $1", [sid]);
    expect(row?.revoked_at).toBeInstanceOf(Date);
  });

  it("ends only the session alice logs out of; her other device stays signed in", async () => {
    const alice = await register("alice");
    const phone = await api("POST", "/v1/auth/login", { body: { username: alice.username, password: alice.password } });
    expect((await api("POST", "/v1/auth/logout", { token: alice.token })).status).toBe(204);
    expect((await api("GET", "/v1/me", { token: alice.token })).status).toBe(401);
    expect((await api("GET", "/v1/me", { token: phone.json.token })).status).toBe(200);
  });

  it("refuses a session revoked in Postgres once no cache entry vouches for it", async () => {
    const alice = await register("alice");
    const sid = sessionIdOf(alice.token);
    const i = shardIndex(shardKey.user(alice.id), shardUrls.length);
    await rows(i, "UPDATE sessions SET revoked_at = now() WHERE id = $1", [sid]);
    await redis?.del(`session:v1:${sid}`);
    expect((await api("GET", "/v1/me", { token: alice.token })).status).toBe(401);
  });

  it("refuses a session whose row has expired, even though the token itself has not", async () => {
    const alice = await register("alice");
    const sid = sessionIdOf(alice.token);
    const i = shardIndex(shardKey.user(alice.id), shardUrls.length);
    await rows(i, "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1", [sid]);
    await redis?.del(`session:v1:${sid}`);
    expect((await api("GET", "/v1/me", { token: alice.token })).status).toBe(401);
  });
});

describe("passwords stored before argon2id", () => {
  it("logs alice in with the PBKDF2 hash she registered with, then stores argon2id in its place", async () => {
    const alice = await register("alice");
    const i = shardIndex(shardKey.user(alice.id), shardUrls.length);
    // Her hash as the product stored it before: PBKDF2-SHA-256, 100,000 iterations, no pepper.
    const salt = randomBytes(16);
    const old = `pbkdf2-sha256$100000$${salt.toString("base64")}$${pbkdf2Sync(alice.password, salt, 100_000, 32, "sha256").toString("base64")}`;
    await rows(i, "UPDATE credentials SET password_hash = $1 WHERE user_id = $2", [old, alice.id]);

    const wrong = await api("POST", "/v1/auth/login", { body: { username: alice.username, password: "not it 123" } });
    expect(wrong.status).toBe(401);
    const [unchanged] = await rows<{ password_hash: string }>(
      i,
      "SELECT password_hash FROM credentials WHERE user_id = $1",
      [alice.id],
    );
    expect(unchanged?.password_hash).toBe(old);

    const login = await api("POST", "/v1/auth/login", { body: { username: alice.username, password: alice.password } });
    expect(login.status).toBe(200);
    expect((await api("GET", "/v1/me", { token: login.json.token })).status).toBe(200);
    const [moved] = await rows<{ password_hash: string }>(
      i,
      "SELECT password_hash FROM credentials WHERE user_id = $1",
      [alice.id],
    );
    expect(moved?.password_hash).toMatch(/^argon2id\$v=19\$/);

    // The new hash is the one that works from now on; the old session kept working throughout.
    const again = await api("POST", "/v1/auth/login", { body: { username: alice.username, password: alice.password } });
    expect(again.status).toBe(200);
    const [same] = await rows<{ password_hash: string }>(
      i,
      "SELECT password_hash FROM credentials WHERE user_id = $1",
      [alice.id],
    );
    expect(same?.password_hash).toBe(moved?.password_hash);
    expect((await api("GET", "/v1/me", { token: alice.token })).status).toBe(200);
  });
});

describe("usernames across shards", () => {
  it("lets exactly one of two concurrent registrations of Alice and alice win", async () => {
    for (let round = 0; round < 5; round++) {
      const name = uname("alice");
      const [a, b] = await Promise.all([
        api("POST", "/v1/auth/register", {
          body: { username: name.toUpperCase(), password: "first pw 1", displayName: "A" },
        }),
        api("POST", "/v1/auth/register", { body: { username: name, password: "second pw 2", displayName: "B" } }),
      ]);
      expect([a.status, b.status].sort()).toEqual([201, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.json.error?.code).toBe("username_taken");

      const users = await Promise.all(
        pools.map((_, i) => rows<{ id: string }>(i, "SELECT id FROM users WHERE username = $1", [name])),
      );
      expect(users.flat()).toHaveLength(1);
    }
  });

  it("puts alice's rows on the shards shardIndex predicts, and nowhere else", async () => {
    const alice = await register("alice");
    const nameShard = shardIndex(shardKey.username(alice.username), shardUrls.length);
    const userShard = shardIndex(shardKey.user(alice.id), shardUrls.length);
    const sid = sessionIdOf(alice.token);

    for (let i = 0; i < shardUrls.length; i++) {
      const names = await rows<{ user_id: string }>(i, "SELECT user_id FROM usernames WHERE username_lower = $1", [
        alice.username,
      ]);
      const users = await rows(i, "SELECT 1 FROM users WHERE id = $1", [alice.id]);
      const creds = await rows<{ password_hash: string }>(
        i,
        "SELECT password_hash FROM credentials WHERE user_id = $1",
        [alice.id],
      );
      const sessions = await rows(i, "SELECT 1 FROM sessions WHERE id = $1 AND user_id = $2", [sid, alice.id]);
      expect(names.map((n) => n.user_id)).toEqual(i === nameShard ? [alice.id] : []);
      expect(users).toHaveLength(i === userShard ? 1 : 0);
      expect(sessions).toHaveLength(i === userShard ? 1 : 0);
      expect(creds).toHaveLength(i === userShard ? 1 : 0);
      for (const c of creds) {
        // The integration stack hashes at the test cost (PASSWORD_TEST_COST=1); production is m=19456,t=2.
        expect(c.password_hash).toMatch(
          /^argon2id\$v=19\$m=64,t=1,p=1,k=[A-Za-z0-9_-]{8}\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/,
        );
        expect(c.password_hash).not.toContain(alice.password);
      }
    }
  });

  it("spreads users over both shards and still finds each by id", async () => {
    // 16 users: all on one of two shards by chance is 1 in 32,768 (with 6 it was 1 in 32, a flaky test).
    const people = await Promise.all(Array.from({ length: 16 }, () => register("carol")));
    const used = new Set(people.map((p) => shardIndex(shardKey.user(p.id), shardUrls.length)));
    if (shardUrls.length > 1) expect(used.size).toBeGreaterThan(1);
    for (const p of people) {
      const reply = await api("GET", `/v1/users/${p.id}`, { token: people[0]?.token });
      expect(reply.json.user?.username).toBe(p.username);
    }
  });

  it("gives bob at most 20 matches from all shards, in username order", async () => {
    const prefix = `s${RUN}`;
    const names = Array.from({ length: 23 }, (_, n) => `${prefix}_${String(n).padStart(2, "0")}_${RUN}`);
    const created = await Promise.all(
      names.map((username) =>
        api("POST", "/v1/auth/register", { body: { username, password: "search pw 1", displayName: "S" } }),
      ),
    );
    expect(created.every((r) => r.status === 201)).toBe(true);
    const shardsUsed = new Set(names.map((n) => shardIndex(shardKey.username(n), shardUrls.length)));
    if (shardUrls.length > 1) expect(shardsUsed.size).toBeGreaterThan(1);

    const bob = await register("bob");
    const reply = await api("GET", `/v1/users?q=${prefix}`, { token: bob.token });
    expect(reply.status).toBe(200);
    expect(reply.json.users?.map((u) => u.username)).toEqual([...names].sort().slice(0, 20));
  });

  it("treats _, % and \\ in a search prefix as plain characters", async () => {
    const under = `w${RUN}_a`;
    const plain = `w${RUN}xa`;
    for (const username of [under, plain]) {
      const r = await api("POST", "/v1/auth/register", {
        body: { username, password: "search pw 1", displayName: "W" },
      });
      expect(r.status).toBe(201);
    }
    const bob = await register("bob");
    const search = async (q: string) =>
      (await api("GET", `/v1/users?q=${encodeURIComponent(q)}`, { token: bob.token })).json.users?.map(
        (u) => u.username,
      );
    expect(await search(`w${RUN}_`)).toEqual([under]);
    expect(await search(`w${RUN}%`)).toEqual([]);
    expect(await search(`w${RUN}\\`)).toEqual([]);
    expect(await search(`W${RUN}X`)).toEqual([plain]);
  });

  it("lets alice take over a name orphaned by a failed registration, but only once it is old", async () => {
    const stale = uname("alice");
    const fresh = uname("alice");
    for (const [name, age] of [
      [stale, "11 minutes"],
      [fresh, "1 minute"],
    ] as const) {
      const i = shardIndex(shardKey.username(name), shardUrls.length);
      await rows(
        i,
        "INSERT INTO usernames (username_lower, user_id, created_at) VALUES ($1, $2, now() - $3::interval)",
        [name, `u_ghost${RUN}${name.length}`, age],
      );
    }
    const body = (username: string) => ({ body: { username, password: "orphan pw 1", displayName: "A" } });
    const taken = await api("POST", "/v1/auth/register", body(stale));
    expect(taken.status).toBe(201);
    const login = await api("POST", "/v1/auth/login", { body: { username: stale, password: "orphan pw 1" } });
    expect(login.json.user?.id).toBe(taken.json.user?.id);
    const refused = await api("POST", "/v1/auth/register", body(fresh));
    expect(refused.status).toBe(409);
  });
});

describe("profile cache", () => {
  it.skipIf(!redisUrl)(
    "serves alice's profile from Redis after the first read, and drops it on PATCH",
    { timeout: 40_000 },
    async () => {
      const alice = await register("alice", "Alice");
      const bob = await register("bob");
      const key = `profile:v2:${alice.id}`;
      const readName = async () =>
        (await api("GET", `/v1/users/${alice.id}`, { token: bob.token })).json.user?.displayName;

      // The Worker skips cache reads for a few seconds after a slow Redis reply (e.g. while other test
      // files hash passwords on the same CPU), so the cache-served steps are polled, not one-shot.
      const cachedCopy = await eventually(async () => {
        expect(await readName()).toBe("Alice");
        return redis?.get(key);
      });
      const cached = JSON.parse(cachedCopy) as { user: { displayName: string }; visibility: string };
      expect(cached).toMatchObject({ user: { displayName: "Alice" }, visibility: "everyone" });
      const ttl = (await redis?.ttl(key)) ?? 0;
      expect(ttl).toBeGreaterThan(500);
      expect(ttl).toBeLessThanOrEqual(600);

      // Change only the cached copy: a read that shows it came from Redis, not Postgres.
      await redis?.set(
        key,
        JSON.stringify({ ...cached, user: { ...cached.user, displayName: "From Redis" } }),
        "KEEPTTL",
      );
      await eventually(async () => ((await readName()) === "From Redis" ? true : null));

      const patched = await api("PATCH", "/v1/me", { token: alice.token, body: { displayName: "Alice L." } });
      expect(patched.status).toBe(200);
      expect(await redis?.exists(key)).toBe(0);
      expect(await readName()).toBe("Alice L.");
      expect((await api("GET", "/v1/me", { token: alice.token })).json.user?.displayName).toBe("Alice L.");
    },
  );

  it.skipIf(!redisUrl)("ignores a corrupt cache entry and answers from Postgres", async () => {
    const alice = await register("alice", "Alice");
    await redis?.set(
      `profile:v2:${alice.id}`,
      '{"user":{"id":"u_someone_else","displayName":"Mallory"},"visibility":"everyone"}',
      "EX",
      600,
    );
    const reply = await api("GET", `/v1/users/${alice.id}`, { token: alice.token });
    expect(reply.json.user).toMatchObject({ id: alice.id, displayName: "Alice" });
  });
});

describe("bad input changes nothing", () => {
  let alice: Account;
  beforeAll(async () => {
    alice = await register("alice", "Alice");
  });

  const register400: Array<[string, unknown]> = [
    ["an unknown field", { username: "mallory_x", password: "long enough", displayName: "M", role: "admin" }],
    ["a short password", { username: "mallory_x", password: "short", displayName: "M" }],
    ["an overlong display name", { username: "mallory_x", password: "long enough", displayName: "M".repeat(65) }],
    ["an invalid username", { username: "mallory!", password: "long enough", displayName: "M" }],
    ["a missing field", { username: "mallory_x", password: "long enough" }],
  ];

  it.each(register400)("refuses mallory's registration with %s", async (_label, body) => {
    const before = await runRowCounts();
    const withRunName =
      typeof body === "object" && body !== null && "username" in body && body.username === "mallory_x"
        ? { ...body, username: uname("mallory") }
        : body;
    const reply = await api("POST", "/v1/auth/register", { body: withRunName });
    expect(reply.status).toBe(400);
    expect(reply.json.error?.code).toBe("invalid_request");
    expect(await runRowCounts()).toEqual(before);
  });

  it("refuses a body that is not JSON with invalid_json", async () => {
    const before = await runRowCounts();
    const reply = await api("POST", "/v1/auth/register", { raw: `{"username":"${uname("mallory")}",` });
    expect(reply.status).toBe(400);
    expect(reply.json.error?.code).toBe("invalid_json");
    expect(await runRowCounts()).toEqual(before);
  });

  it("refuses a body over 64 KiB with payload_too_large", async () => {
    const before = await runRowCounts();
    const reply = await api("POST", "/v1/auth/register", {
      body: { username: uname("mallory"), password: "long enough", displayName: "x".repeat(70_000) },
    });
    expect(reply.status).toBe(413);
    expect(reply.json.error?.code).toBe("payload_too_large");
    expect(await runRowCounts()).toEqual(before);
  });

  it("refuses alice's PATCH with an unknown field, an overlong name or nothing to change", async () => {
    const before = await runRowCounts();
    for (const body of [{ username: "root" }, { displayName: "A".repeat(65) }, { about: "x".repeat(141) }, {}]) {
      const reply = await api("PATCH", "/v1/me", { token: alice.token, body });
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.json.error?.code).toBe("invalid_request");
    }
    expect((await api("GET", "/v1/me", { token: alice.token })).json.user).toMatchObject({
      displayName: "Alice",
      about: "",
    });
    expect(await runRowCounts()).toEqual(before);
  });

  it("refuses mallory's calls with a missing, garbage or tampered token, changing nothing", async () => {
    const before = await runRowCounts();
    const [v, kid, payload, sig] = alice.token.split(".") as [string, string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as object;
    const tampered = `${v}.${kid}.${Buffer.from(JSON.stringify({ ...claims, exp: 9_999_999_999 })).toString("base64url")}.${sig}`;
    for (const token of [undefined, "garbage", tampered, `${alice.token}x`]) {
      for (const [method, path] of [
        ["PATCH", "/v1/me"],
        ["POST", "/v1/auth/logout"],
        ["GET", `/v1/users/${alice.id}`],
      ] as const) {
        const reply = await api(method, path, { token, body: method === "PATCH" ? { about: "pwned" } : undefined });
        expect(reply.status, `${method} ${path}`).toBe(401);
        expect(reply.json.error?.code).toBe("unauthorized");
      }
    }
    expect((await api("GET", "/v1/me", { token: alice.token })).json.user?.about).toBe("");
    expect(await runRowCounts()).toEqual(before);
  });

  it("creates no session for a failed login", async () => {
    const before = await runRowCounts();
    const reply = await api("POST", "/v1/auth/login", { body: { username: alice.username, password: "wrong pw!" } });
    expect(reply.status).toBe(401);
    expect(await runRowCounts()).toEqual(before);
  });

  it("keeps every error body free of stack traces", async () => {
    const replies = await Promise.all([
      api("POST", "/v1/auth/register", { raw: "{" }),
      api("POST", "/v1/auth/login", { body: { username: "x", password: "y" } }),
      api("GET", "/v1/me", { token: "garbage" }),
      api("GET", "/v1/users?q=", { token: alice.token }),
      api("GET", "/v1/users/not%20an%20id", { token: alice.token }),
    ]);
    for (const reply of replies) {
      expect(Object.keys(reply.json)).toEqual(["error"]);
      expect(JSON.stringify(reply.json)).not.toMatch(/\bat .+:\d+|\.ts\b|stack/);
    }
    expect(replies.map((r) => r.status)).toEqual([400, 401, 401, 400, 400]);
  });
});
