/**
 * Issue 14 against the running stack: poison strings are refused at the edge and store nothing
 * (item 1), names that hide or flip text are refused (11), weak passwords (10), a pinned picture
 * survives deleting a message that carried it (2), the bare media path for members (contract),
 * message_too_large and group_full whatever the size (contract), no-store on authenticated JSON (13)
 * and readiness behind its secret (8).
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { MAX_GROUP_MEMBERS } from "../../client/sdk/protocol/index.ts";
import { png } from "../fixtures/media-files.ts";
import { eventually, fullHistory, person, type Person } from "./people.ts";

const baseUrl = inject("baseUrl");

let pools: pg.Pool[] = [];
beforeAll(() => {
  pools = inject("shardUrls").map((connectionString) => new pg.Pool({ connectionString, max: 2 }));
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

async function everyShard<T>(text: string, values: unknown[]): Promise<T[]> {
  const results = await Promise.all(pools.map((p) => p.query(text, values)));
  return results.flatMap((r) => r.rows as T[]);
}

interface Reply {
  status: number;
  code: string | undefined;
  headers: Headers;
  body: unknown;
}

async function call(method: string, path: string, token: string | null, body?: unknown): Promise<Reply> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as { error?: { code: string } }) : null;
  return { status: res.status, code: parsed?.error?.code, headers: res.headers, body: parsed };
}

const tokenOf = (p: Person) => p.client.api.token ?? "";
const shape = (r: Reply) => `${r.status} ${r.code ?? ""}`.trim();

describe("poison strings (U+0000 and other controls)", () => {
  let alice: Person;
  let bob: Person;
  let chat: string;
  beforeAll(async () => {
    alice = await person("alice");
    bob = await person("bob");
    chat = (await alice.client.api.openDirect(bob.id)).id;
  });

  it("refuses a text with U+0000 over REST with invalid_request and stores nothing", async () => {
    const before = await fullHistory(alice, chat);
    for (const text of ["a\u0000b", "\u0000", "bell\u0007", "c1\u0085", "cr\r\nlf"]) {
      const reply = await call("POST", `/v1/conversations/${chat}/messages`, tokenOf(alice), {
        clientId: `nul-${text.length}-${text.charCodeAt(1)}`,
        text,
      });
      expect(shape(reply), JSON.stringify(text)).toBe("400 invalid_request");
    }
    const clientId = "nul\u0000id";
    expect(
      shape(await call("POST", `/v1/conversations/${chat}/messages`, tokenOf(alice), { clientId, text: "x" })),
    ).toBe("400 invalid_request");
    // The next good message takes the very next seq: nothing refused was stored.
    const good = await alice.client.api.sendMessage(chat, { clientId: "after-nul", text: "line one\n\tline two" });
    expect(good.seq).toBe((before.at(-1)?.seq ?? 0) + 1);
    expect((await fullHistory(bob, chat)).map((m) => m.text)).toEqual([
      ...before.map((m) => m.text),
      "line one\n\tline two",
    ]);
    await eventually(async () => {
      const rows = await everyShard<{ text: string }>("SELECT text FROM messages WHERE conversation_id = $1", [chat]);
      expect(rows.map((r) => r.text)).toContain("line one\n\tline two");
    });
  });

  it("refuses the same text through the WebSocket send frame with an invalid_request error frame", async () => {
    await alice.connect();
    const connection = alice.client.connection!;
    await expect(connection.send(chat, { text: "ws\u0000nul" })).rejects.toMatchObject({ code: "invalid_request" });
    const sent = await connection.send(chat, { text: "ws fine" });
    const history = await fullHistory(bob, chat);
    expect(history.at(-1)).toMatchObject({ seq: sent.seq, text: "ws fine" });
    expect(history.some((m) => m.text?.includes("\u0000"))).toBe(false);
    alice.client.connection?.close();
  });

  it("refuses U+0000 in a display name, about, registration and a search: 400, never 500, nothing stored", async () => {
    const carol = await person("carol");
    for (const patch of [{ displayName: "Car\u0000ol" }, { about: "hi\u0000" }, { displayName: "Carol\u009b" }]) {
      expect(shape(await call("PATCH", "/v1/me", tokenOf(carol), patch)), JSON.stringify(patch)).toBe(
        "400 invalid_request",
      );
    }
    expect(await carol.client.api.me()).toMatchObject({ displayName: "carol", about: "" });
    for (const q of ["a\u0000", "\u0000", "al%00"]) {
      const path = q.includes("%") ? `/v1/users?q=${q}` : `/v1/users?q=${encodeURIComponent(q)}`;
      expect(shape(await call("GET", path, tokenOf(carol))), q).toBe("400 invalid_request");
    }
    const username = `nul_${Date.now().toString(36)}`;
    const register = await call("POST", "/v1/auth/register", null, {
      username,
      password: "correct horse",
      displayName: "N\u0000L",
    });
    expect(shape(register)).toBe("400 invalid_request");
    expect(await everyShard("SELECT 1 FROM usernames WHERE username_lower = $1", [username])).toHaveLength(0);
  });
});

describe("names people read", () => {
  it("refuses a display name of zero-width characters only, or one with a bidi override, and keeps the old one", async () => {
    const dave = await person("dave");
    for (const displayName of ["\u200b\u200b", "\u2060", "\u3164", "dave\u202egnp.exe", "\u2066dave\u2069"]) {
      expect(shape(await call("PATCH", "/v1/me", tokenOf(dave), { displayName })), JSON.stringify(displayName)).toBe(
        "400 invalid_request",
      );
    }
    expect(shape(await call("PATCH", "/v1/me", tokenOf(dave), { about: "\u200b" }))).toBe("400 invalid_request");
    const group = await dave.client.api.createGroup("Real name", []);
    expect(shape(await call("PATCH", `/v1/conversations/${group.id}`, tokenOf(dave), { name: "\u200d" }))).toBe(
      "400 invalid_request",
    );
    expect((await dave.client.api.me()).displayName).toBe("dave");
    expect((await dave.client.api.conversation(group.id)).name).toBe("Real name");
  });
});

describe("weak passwords", () => {
  it("refuses the most common passwords and one repeated character with weak_password, and creates nobody", async () => {
    for (const password of ["password", "12345678", "qwertyui", "Password1", "aaaaaaaa", "        "]) {
      const username = `weak_${Math.random().toString(36).slice(2, 10)}`;
      const reply = await call("POST", "/v1/auth/register", null, { username, password, displayName: "Weak" });
      expect(shape(reply), JSON.stringify(password)).toBe("400 weak_password");
      expect((reply.body as { error: { message: string } }).error.message).toMatch(/password/);
      expect(await everyShard("SELECT 1 FROM usernames WHERE username_lower = $1", [username])).toHaveLength(0);
    }
  });
});

describe("sizes with their own codes", () => {
  it("answers message_too_large (413) for any over-long text, over REST and WebSocket", async () => {
    const erin = await person("erin");
    const frank = await person("frank");
    const chat = (await erin.client.api.openDirect(frank.id)).id;
    for (const text of ["x".repeat(701), "é".repeat(351), "x".repeat(4_097), "x".repeat(20_000)]) {
      const reply = await call("POST", `/v1/conversations/${chat}/messages`, tokenOf(erin), {
        clientId: `big-${text.length}`,
        text,
      });
      expect(shape(reply), `${text.length} chars`).toBe("413 message_too_large");
    }
    await erin.connect();
    for (const text of ["x".repeat(701), "x".repeat(5_000)]) {
      await expect(erin.client.connection!.send(chat, { text })).rejects.toMatchObject({ code: "message_too_large" });
    }
    erin.client.connection?.close();
    expect(await fullHistory(frank, chat)).toEqual([]);
  });

  it("answers group_full (409) for more than 200 member ids in a create or an add, and changes nothing", async () => {
    const gina = await person("gina");
    const ids = Array.from({ length: MAX_GROUP_MEMBERS + 1 }, (_, i) => `u_nobody_${i}`);
    expect(
      shape(await call("POST", "/v1/conversations", tokenOf(gina), { type: "group", name: "Big", memberIds: ids })),
    ).toBe("409 group_full");
    const group = await gina.client.api.createGroup("Small", []);
    expect(shape(await call("POST", `/v1/conversations/${group.id}/members`, tokenOf(gina), { userIds: ids }))).toBe(
      "409 group_full",
    );
    expect((await gina.client.api.conversation(group.id)).members).toHaveLength(1);
    expect((await gina.client.api.conversations()).filter((c) => c.name === "Big")).toEqual([]);
  });
});

describe("media", () => {
  it("keeps a profile picture that was also sent in a chat when that message is deleted for everyone", async () => {
    const hana = await person("hana");
    const ivan = await person("ivan");
    const media = await hana.client.api.uploadMedia(png(), "image/png");
    const me = await hana.client.api.updateMe({ pictureMediaId: media.id });
    const chat = (await hana.client.api.openDirect(ivan.id)).id;
    const sent = await hana.client.api.sendMessage(chat, { clientId: `pin-${media.id}`, mediaId: media.id });
    const refs = () => everyShard("SELECT 1 FROM media_refs WHERE media_id = $1", [media.id]);
    await eventually(async () => expect(await refs()).toHaveLength(1));

    await hana.client.api.deleteMessage(chat, sent.seq, "everyone");
    await eventually(async () => expect(await refs()).toHaveLength(0));
    // The reference removal has run; give its R2 delete (same batch) a moment, then look.
    await new Promise((r) => setTimeout(r, 500));
    const [row] = await everyShard<{ deleted_at: Date | null }>("SELECT deleted_at FROM media WHERE id = $1", [
      media.id,
    ]);
    expect(row?.deleted_at).toBeNull();
    const seen = await ivan.client.api.user(hana.id);
    expect(seen.pictureUrl).toBe(me.pictureUrl);
    const download = await fetch(`${baseUrl}${seen.pictureUrl!}`, {
      headers: { authorization: `Bearer ${tokenOf(ivan)}` },
    });
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(png());
  });

  it("serves the bare /v1/media/:id to a member of a conversation it was sent in, not to a stranger", async () => {
    const jane = await person("jane");
    const ken = await person("ken");
    const lea = await person("lea");
    const mallory = await person("mallory");
    const media = await jane.client.api.uploadMedia(png(), "image/png");
    const toKen = (await jane.client.api.openDirect(ken.id)).id;
    const toLea = (await jane.client.api.openDirect(lea.id)).id;
    await jane.client.api.sendMessage(toKen, { clientId: `bare-k-${media.id}`, mediaId: media.id });
    await jane.client.api.sendMessage(toLea, { clientId: `bare-l-${media.id}`, mediaId: media.id });
    await eventually(async () =>
      expect(await everyShard("SELECT 1 FROM media_refs WHERE media_id = $1", [media.id])).toHaveLength(2),
    );
    const bare = (p: Person) =>
      fetch(`${baseUrl}/v1/media/${media.id}`, { headers: { authorization: `Bearer ${tokenOf(p)}` } }).then(
        async (res) => {
          await res.arrayBuffer();
          return res.status;
        },
      );
    expect(await bare(jane)).toBe(200);
    expect(await bare(ken)).toBe(200);
    expect(await bare(lea)).toBe(200);
    expect(await bare(mallory)).toBe(404);
  });
});

describe("caching and health", () => {
  it("marks authenticated JSON answers no-store", async () => {
    const max = await person("max");
    for (const path of ["/v1/me", "/v1/conversations", "/v1/users?q=ma", "/v1/me/privacy"]) {
      const reply = await call("GET", path, tokenOf(max));
      expect(reply.status, path).toBe(200);
      expect(reply.headers.get("cache-control"), path).toBe("no-store");
    }
  });

  it("answers /health without touching dependencies and hides /health/ready from a wrong secret", async () => {
    const live = await call("GET", "/health", null);
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: "ok" });
    expect(shape(await call("GET", "/health/ready", null))).toBe("404 not_found");
    expect(shape(await call("GET", "/health/ready", "not-the-secret"))).toBe("404 not_found");
    const ready = await call("GET", "/health/ready", inject("healthSecret"));
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: "ok", checks: { postgres_0: "ok", postgres_1: "ok", r2: "ok" } });
  });
});
