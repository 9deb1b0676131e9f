/**
 * Web Push end to end: the running stack pushes to a fake push service on 127.0.0.1 that checks
 * every request's VAPID signature and decrypts its aes128gcm body with the subscription's private
 * key, like a browser (tests/integration/push-service.ts). The hub waits PUSH_DELAY_MS (3 s) for a
 * device ack before pushing, so "nothing was sent" is asserted after SETTLE_MS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { inject } from "vitest";
import { ApiError } from "../../client/sdk/index.ts";
import { MuteAnswer, NotificationPrefs, VapidKeyAnswer } from "../../client/sdk/protocol/index.ts";
import { eventually, person, receivedMessages, type Person } from "./people.ts";
import { FakePushService, type Browser } from "./push-service.ts";

/** Push delay (3 s) + alarm + request, with margin: after this, a push that was coming has come. */
const SETTLE_MS = 7_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const Created = z.object({ subscription: z.object({ endpoint: z.string() }) });

let service: FakePushService;
beforeAll(async () => {
  service = new FakePushService();
  await service.start();
});
afterAll(() => service.stop());

async function subscribe(p: Person): Promise<Browser> {
  const browser = service.browser();
  const out = await p.client.api.request("POST", "/v1/push/subscriptions", Created, browser.subscription);
  expect(out.subscription.endpoint).toBe(browser.subscription.endpoint);
  return browser;
}

async function pair(): Promise<{ alice: Person; bob: Person; chatId: string }> {
  const alice = await person("alice");
  const bob = await person("bob");
  const chat = await alice.client.api.openDirect(bob.id);
  // The chat reaches bob's list with its first message; bob writes it, so nothing is unread for him.
  await bob.client.api.sendMessage(chat.id, { clientId: "hello", text: "hello" });
  return { alice, bob, chatId: chat.id };
}

const say = (p: Person, chatId: string, text: string) =>
  p.client.api.sendMessage(chatId, { clientId: `${text}-${Math.random()}`, text });

describe("push notifications", () => {
  it("sends offline bob exactly one signed, encrypted push for alice's burst of three", async () => {
    const { alice, bob, chatId } = await pair();
    const phone = await subscribe(bob);
    const endpoint = phone.subscription.endpoint;
    for (const text of ["one", "two", "three"]) await say(alice, chatId, text);

    await eventually(() => expect(service.to(endpoint)).toHaveLength(1), 15_000);
    await sleep(4_000);
    expect(service.to(endpoint)).toHaveLength(1);
    expect(service.errors).toEqual([]);

    const [push] = service.to(endpoint);
    expect(push?.payload).toEqual({
      conversationId: chatId,
      title: "alice",
      body: "3 new messages from alice",
      count: 3,
    });
    const { publicKey } = await bob.client.api.request("GET", "/v1/push/vapid-key", VapidKeyAnswer);
    expect(push?.vapidKey).toBe(publicKey);
    expect(push?.claims.aud).toBe(new URL(endpoint).origin);
    expect(push?.claims.sub).toBe("mailto:tests@localhost");
    expect(push!.claims.exp - Date.now() / 1000).toBeLessThanOrEqual(24 * 3600);
    expect(push!.claims.exp - Date.now() / 1000).toBeGreaterThan(0);
    expect(push?.headers).toMatchObject({ ttl: "86400", urgency: "high", topic: expect.stringMatching(/^[\w-]{32}$/) });
  });

  it("previews a single message's text, and only says 'New message' with private previews", async () => {
    const { alice, bob, chatId } = await pair();
    const endpoint = (await subscribe(bob)).subscription.endpoint;
    await say(alice, chatId, "lunch at noon?");
    await eventually(() => expect(service.to(endpoint)).toHaveLength(1), 15_000);
    expect(service.to(endpoint)[0]?.payload).toMatchObject({ title: "alice", body: "lunch at noon?", count: 1 });

    const prefs = await bob.client.api.request("PUT", "/v1/me/notifications", NotificationPrefs, { previews: false });
    expect(prefs).toEqual({ previews: false });
    await say(alice, chatId, "the secret plan");
    await eventually(() => expect(service.to(endpoint)).toHaveLength(2), 15_000);
    expect(service.to(endpoint)[1]?.payload).toEqual({
      conversationId: chatId,
      title: "New message",
      body: "New message",
      count: 2,
    });
  });

  it("sends nothing while bob is online and acking", async () => {
    const { alice, bob, chatId } = await pair();
    const endpoint = (await subscribe(bob)).subscription.endpoint;
    await bob.connect();
    try {
      await say(alice, chatId, "are you there?");
      const fromAlice = () => receivedMessages(bob, chatId).filter((m) => m.senderId === alice.id);
      await eventually(() => expect(fromAlice()).toHaveLength(1));
      await sleep(SETTLE_MS);
      expect(service.to(endpoint)).toHaveLength(0);
    } finally {
      bob.client.close();
    }
  });

  it("sends nothing for a muted chat, and pushes again once bob unmutes", async () => {
    const { alice, bob, chatId } = await pair();
    const endpoint = (await subscribe(bob)).subscription.endpoint;
    const muted = await bob.client.api.request("PUT", `/v1/conversations/${chatId}/mute`, MuteAnswer, {
      until: "always",
    });
    expect(muted.mute).toEqual({ conversationId: chatId, until: "always" });
    await say(alice, chatId, "muted one");
    await sleep(SETTLE_MS);
    expect(service.to(endpoint)).toHaveLength(0);

    const unmuted = await bob.client.api.request("PUT", `/v1/conversations/${chatId}/mute`, MuteAnswer, {
      until: null,
    });
    expect(unmuted.mute.until).toBeNull();
    await say(alice, chatId, "audible one");
    await eventually(() => expect(service.to(endpoint)).toHaveLength(1), 15_000);
  });

  it("mutes for 8 hours with an ISO time, and refuses to mute a chat bob is not in", async () => {
    const { bob, chatId } = await pair();
    const until = new Date(Date.now() + 8 * 3600_000).toISOString();
    const muted = await bob.client.api.request("PUT", `/v1/conversations/${chatId}/mute`, MuteAnswer, { until });
    expect(muted.mute.until).toBe(until);
    const mallory = await person("mallory");
    await expect(
      mallory.client.api.request("PUT", `/v1/conversations/${chatId}/mute`, MuteAnswer, { until: "always" }),
    ).rejects.toMatchObject({ status: 404, code: "not_found" });
  });

  it("cancels the push when alice deletes her only message for everyone before it went out", async () => {
    const { alice, bob, chatId } = await pair();
    const endpoint = (await subscribe(bob)).subscription.endpoint;
    const sent = await say(alice, chatId, "oops, wrong chat");
    await alice.client.api.deleteMessage(chatId, sent.seq, "everyone");
    await sleep(SETTLE_MS);
    expect(service.to(endpoint)).toHaveLength(0);
  });

  it("forgets a subscription the push service answers 410 for", async () => {
    const { alice, bob, chatId } = await pair();
    const endpoint = (await subscribe(bob)).subscription.endpoint;
    service.answer(endpoint, 410);
    await say(alice, chatId, "first");
    await eventually(() => expect(service.to(endpoint)).toHaveLength(1), 15_000);
    expect(service.to(endpoint)[0]?.status).toBe(410);
    await say(alice, chatId, "second");
    await sleep(SETTLE_MS);
    expect(service.to(endpoint)).toHaveLength(1);
  });

  it("retries after a 503 with Retry-After and delivers the same notification once", async () => {
    const { alice, bob, chatId } = await pair();
    const endpoint = (await subscribe(bob)).subscription.endpoint;
    service.answer(endpoint, 503);
    await say(alice, chatId, "try again");
    await eventually(() => expect(service.to(endpoint)).toHaveLength(2), 20_000);
    const [first, second] = service.to(endpoint);
    expect(first?.status).toBe(503);
    expect(second?.status).toBe(201);
    expect(second?.payload).toEqual(first?.payload);
    await sleep(3_000);
    expect(service.to(endpoint)).toHaveLength(2);
  });

  it("stops pushing to a subscription bob deleted", async () => {
    const { alice, bob, chatId } = await pair();
    const endpoint = (await subscribe(bob)).subscription.endpoint;
    await bob.client.api.request("DELETE", "/v1/push/subscriptions", null, { endpoint });
    await say(alice, chatId, "anyone?");
    await sleep(SETTLE_MS);
    expect(service.to(endpoint)).toHaveLength(0);
  });

  it("refuses bad subscriptions with 400 invalid_request", async () => {
    const bob = await person("bob");
    const good = service.browser().subscription;
    const bad: unknown[] = [
      { ...good, keys: { ...good.keys, p256dh: good.keys.p256dh.slice(0, 60) } },
      { ...good, keys: { ...good.keys, auth: good.keys.auth.slice(0, 10) } },
      { ...good, keys: { ...good.keys, p256dh: `B${"A".repeat(86)}` } }, // right length, not on the curve
      { ...good, endpoint: "not a url" },
      { ...good, endpoint: "ftp://127.0.0.1/push/x" },
      { ...good, endpoint: "http://user:pw@127.0.0.1/push/x" },
      { endpoint: good.endpoint },
      { ...good, senderId: "mallory" },
    ];
    for (const body of bad) {
      const failure = await bob.client.api.request("POST", "/v1/push/subscriptions", Created, body).catch((e) => e);
      expect(failure, JSON.stringify(body)).toBeInstanceOf(ApiError);
      expect(failure).toMatchObject({ status: 400, code: "invalid_request" });
    }
  });

  it("requires a session to subscribe, but serves the VAPID key to anyone", async () => {
    const res = await fetch(`${inject("baseUrl")}/v1/push/subscriptions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(service.browser().subscription),
    });
    expect(res.status).toBe(401);
    const key = VapidKeyAnswer.parse(await (await fetch(`${inject("baseUrl")}/v1/push/vapid-key`)).json());
    expect(Buffer.from(key.publicKey, "base64url")).toHaveLength(65);
  });
});
