/**
 * WebSocket abuse controls inside workerd with limits on: single-use tickets (a reused, expired,
 * tampered, foreign-origin or logged-out ticket is refused), the Origin allowlist on the upgrade, no
 * session token as a subprotocol, and send rate limits per user (hub) and per conversation (DO) that
 * answer `rate_limited` without consuming a seq.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SENDS_PER_CONVERSATION, SENDS_PER_USER, WS_CONNECTS_PER_USER } from "../../lib/rate-limits.ts";
import { signToken } from "../../lib/tokens.ts";
import { signTicket } from "../../lib/ws-ticket.ts";
import { isType, openDevice } from "../workers/hub-socket.ts";
import { AUTH_SECRET, worker } from "../workers/bindings.ts";

const BASE = "https://messenger.test";

function upgrade(protocols: string, headers: Record<string, string> = {}): Promise<Response> {
  return worker.fetch(
    new Request(`${BASE}/v1/ws`, {
      headers: { upgrade: "websocket", "sec-websocket-protocol": protocols, ...headers },
    }),
  );
}

/** The status of an upgrade answer; a 101's socket is accepted and closed again. */
async function outcome(res: Response): Promise<number> {
  if (res.webSocket) {
    res.webSocket.accept();
    res.webSocket.close(1000, "test done");
  } else {
    await res.arrayBuffer();
  }
  return res.status;
}

const ticketFor = async (sub: string, sid: string, origin: string | null = null, nowMs?: number) =>
  (await signTicket(AUTH_SECRET, { sub, sid, origin }, nowMs)).ticket;

describe("WebSocket tickets", () => {
  it("opens a socket once per ticket; a reused ticket is refused", async () => {
    const ticket = await ticketFor("t_alice", "s1");
    const first = await upgrade(`messenger.v1, ticket.${ticket}`);
    expect(first.headers.get("sec-websocket-protocol")).toBe("messenger.v1");
    expect(await outcome(first)).toBe(101);
    expect(await outcome(await upgrade(`messenger.v1, ticket.${ticket}`))).toBe(401);
    // A fresh ticket works again.
    expect(await outcome(await upgrade(`messenger.v1, ticket.${await ticketFor("t_alice", "s1")}`))).toBe(101);
  });

  it("opens a socket with a ticket the previous AUTH_SECRET signed (rotation), not with an unknown secret", async () => {
    const previous = env.AUTH_SECRET_PREVIOUS ?? "";
    expect(previous).not.toBe("");
    const old = (await signTicket(previous, { sub: "t_rotated", sid: "s1", origin: null })).ticket;
    expect(await outcome(await upgrade(`messenger.v1, ticket.${old}`))).toBe(101);
    const foreign = (await signTicket(`${previous}-not`, { sub: "t_rotated", sid: "s1", origin: null })).ticket;
    expect(await outcome(await upgrade(`messenger.v1, ticket.${foreign}`))).toBe(401);
  });

  it("refuses expired, tampered and logged-out tickets, and session tokens as subprotocols", async () => {
    const expired = await ticketFor("t_bob", "s1", null, Date.now() - 31_000);
    expect(await outcome(await upgrade(`messenger.v1, ticket.${expired}`))).toBe(401);
    const good = await ticketFor("t_bob", "s1");
    const [v, kid, payload, mac] = good.split(".") as [string, string, string, string];
    const forged = `${v}.${kid}.${payload.slice(0, -2)}${payload.endsWith("A") ? "B" : "A"}${payload.slice(-1)}.${mac}`;
    expect(await outcome(await upgrade(`messenger.v1, ticket.${forged}`))).toBe(401);
    // A session token is not a ticket, and is no longer accepted as a subprotocol at all.
    const { token } = await signToken(AUTH_SECRET, { sub: "t_bob", sid: "s1" });
    expect(await outcome(await upgrade(`messenger.v1, ticket.${token}`))).toBe(401);
    expect(await outcome(await upgrade(`messenger.v1, ${token}`))).toBe(401);
    // Logout: tickets minted before it no longer open sockets.
    const beforeLogout = await ticketFor("t_bob", "s_gone");
    await env.USER_HUB.getByName("t_bob").closeSession("s_gone");
    expect(await outcome(await upgrade(`messenger.v1, ticket.${beforeLogout}`))).toBe(401);
  });

  it("counts upgrades with a bearer token in the connect budget, like ticket minting", async () => {
    const { token } = await signToken(AUTH_SECRET, { sub: "t_bearer_flood", sid: "s1" });
    const bearer = { authorization: `Bearer ${token}` };
    // Whatever each attempt answers (no database here), it spends the budget before anything else.
    for (let i = 0; i < WS_CONNECTS_PER_USER.limit; i++) await outcome(await upgrade("messenger.v1", bearer));
    const refused = await upgrade("messenger.v1", bearer);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    await refused.arrayBuffer();
  });

  it("checks Origin: allowlisted and same origin pass, foreign is refused, none is a non-browser client", async () => {
    const withOrigin = async (origin: string | null, minted: string | null = origin) =>
      outcome(
        await upgrade(
          `messenger.v1, ticket.${await ticketFor("t_carol", "s1", minted)}`,
          origin === null ? {} : { origin },
        ),
      );
    expect(await withOrigin("https://app.example.com")).toBe(101);
    expect(await withOrigin(BASE)).toBe(101);
    expect(await withOrigin(null)).toBe(101);
    expect(await withOrigin("https://evil.example")).toBe(403);
    // A ticket minted by one page cannot be used from another (or from no page).
    expect(await withOrigin(BASE, "https://app.example.com")).toBe(401);
    expect(await withOrigin(null, "https://app.example.com")).toBe(401);
  });
});

describe("send rate limits", () => {
  const conv = (id: string) => env.CONVERSATION.getByName(id);
  const lastSeq = async (id: string, userId: string) => (await conv(id).access(userId)).maxSeq;

  it("answers the send over the per-user rate with rate_limited and consumes no seq", async () => {
    const opened = await conv("d_rl_user").open({
      id: "d_rl_user",
      type: "direct",
      creatorId: "rl_a",
      memberIds: ["rl_b"],
    });
    expect(opened.ok).toBe(true);
    const dev = await openDevice("rl_a");
    dev.send({ type: "hello", v: 1, deviceId: "p", cursor: 0 });
    await dev.next(isType("synced"));
    // A burst of limit + 10: the bucket refills 3 per second meanwhile, so one or two extra may pass.
    const total = SENDS_PER_USER.limit + 10;
    for (let i = 1; i <= total; i++)
      dev.send({ type: "send", id: `s${i}`, conversationId: "d_rl_user", clientId: `c${i}`, text: `m${i}` });
    await dev.until((fs) => fs.filter((f) => f.type === "sent" || f.type === "error").length >= total);
    const sent = dev.frames.filter(isType("sent"));
    const errors = dev.frames.filter(isType("error"));
    expect(sent.length).toBeGreaterThanOrEqual(SENDS_PER_USER.limit);
    expect(errors.length).toBeGreaterThan(0);
    expect(sent.length + errors.length).toBe(total);
    for (const e of errors) expect(e.code).toBe("rate_limited");
    // No seq consumed by a refused send: the head is exactly the number stored, seqs 1..n.
    expect(await lastSeq("d_rl_user", "rl_a")).toBe(sent.length);
    expect(sent.map((f) => f.message.seq).sort((x, y) => x - y)).toEqual(
      Array.from({ length: sent.length }, (_, i) => i + 1),
    );
    // The socket stays usable.
    dev.send({ type: "ping" });
    await dev.next(isType("pong"));
  });

  it("limits sends per conversation across members; retries of stored messages still answer", async () => {
    const id = "g_rl_conv";
    const members = ["rc_0", "rc_1", "rc_2", "rc_3", "rc_4"];
    const opened = await conv(id).open({
      id,
      type: "group",
      creatorId: "rc_0",
      memberIds: members.slice(1),
      name: "busy",
    });
    expect(opened.ok).toBe(true);
    const start = await lastSeq(id, "rc_0"); // the "created" system message
    // A burst of limit + 20 at once: the bucket refills 1 per 100 ms meanwhile, so a few extra may pass.
    const burst = SENDS_PER_CONVERSATION.limit + 20;
    const results = await Promise.all(
      Array.from({ length: burst }, (_, i) =>
        conv(id).send(members[i % members.length]!, { clientId: `c${i}`, text: `m${i}` }),
      ),
    );
    const stored = results.filter((r) => r.ok).length;
    const limited = results.filter((r) => !r.ok && r.error.code === "rate_limited").length;
    expect(stored + limited).toBe(burst);
    expect(stored).toBeGreaterThanOrEqual(SENDS_PER_CONVERSATION.limit);
    expect(limited).toBeGreaterThan(0);
    // Refused sends consumed no seq: the head moved by exactly the stored ones, gap-free.
    expect(await lastSeq(id, "rc_0")).toBe(start + stored);
    const seqs = results.flatMap((r) => (r.ok ? [r.value.message.seq] : [])).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: stored }, (_, i) => start + 1 + i));
    const firstStored = results.findIndex((r) => r.ok);
    const retry = await conv(id).send(members[firstStored % members.length]!, {
      clientId: `c${firstStored}`,
      text: `m${firstStored}`,
    });
    expect(retry.ok && retry.value.duplicate).toBe(true);
    expect(await lastSeq(id, "rc_0")).toBe(start + stored);
  });
});
