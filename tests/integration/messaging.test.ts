/**
 * The messaging core against the running stack (wrangler dev, two Postgres shards, Redis), driven
 * through the SDK: ordering, exactly-once delivery across disconnects and restarts, history from
 * both the DO's hot window and the Postgres archive (the harness sets the hot window to 20).
 */
import { describe, expect, it } from "vitest";
import { ApiError } from "../../client/sdk/index.ts";
import { eventually, fullHistory, person, range, receivedMessages } from "./people.ts";
import { restartDevServer } from "./stack-control.ts";

describe("1:1 messaging", () => {
  it("gives the same chat back when alice opens it twice, and lists it for both", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const first = await alice.client.api.openDirect(bob.id);
    const again = await alice.client.api.openDirect(bob.id);
    const fromBob = await bob.client.api.openDirect(alice.id);
    expect(again.id).toBe(first.id);
    expect(fromBob.id).toBe(first.id);
    await alice.client.api.sendMessage(first.id, { clientId: "c1", text: "hi bob" });
    await eventually(async () => {
      const list = await bob.client.api.conversations();
      expect(list[0]).toMatchObject({
        id: first.id,
        peerId: alice.id,
        unreadCount: 1,
        lastMessage: { text: "hi bob" },
      });
    });
  });

  it("orders 1,000 concurrent messages from each of two senders identically for both and in history", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    await alice.connect();
    await bob.connect();
    const sends = [
      ...range(1, 1000).map((i) => alice.client.connection!.send(chat.id, { text: `a${i}` })),
      ...range(1, 1000).map((i) => bob.client.connection!.send(chat.id, { text: `b${i}` })),
    ];
    const acked = await Promise.all(sends);
    expect(acked.map((m) => m.seq).sort((a, b) => a - b)).toEqual(range(1, 2000));
    await eventually(() => {
      expect(receivedMessages(alice, chat.id)).toHaveLength(2000);
      expect(receivedMessages(bob, chat.id)).toHaveLength(2000);
    }, 60_000);
    const aliceOrder = receivedMessages(alice, chat.id).map((m) => `${m.seq}:${m.text}`);
    const bobOrder = receivedMessages(bob, chat.id).map((m) => `${m.seq}:${m.text}`);
    expect(aliceOrder).toEqual(bobOrder);
    expect(receivedMessages(alice, chat.id).map((m) => m.seq)).toEqual(range(1, 2000));
    // Each sender's own messages keep the order they were sent in.
    const aliceTexts = receivedMessages(bob, chat.id)
      .filter((m) => m.senderId === alice.id)
      .map((m) => m.text);
    expect(aliceTexts).toEqual(range(1, 1000).map((i) => `a${i}`));
    const history = await fullHistory(alice, chat.id);
    expect(history.map((m) => `${m.seq}:${m.text}`)).toEqual(aliceOrder);
    alice.client.close();
    bob.client.close();
  });

  it("delivers 500 messages sent while bob was offline, once each and in order, when he returns", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    await alice.connect();
    await Promise.all(range(1, 500).map((i) => alice.client.connection!.send(chat.id, { text: `m${i}` })));
    await bob.connect();
    await eventually(() => expect(receivedMessages(bob, chat.id)).toHaveLength(500));
    expect(receivedMessages(bob, chat.id).map((m) => m.text)).toEqual(range(1, 500).map((i) => `m${i}`));
    alice.client.close();
    bob.client.close();
  });

  it("loses and repeats nothing when bob's connection is cut 20 times during a 500-message stream", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    await alice.connect();
    await bob.connect();
    const sending = (async () => {
      for (let i = 1; i <= 500; i++) {
        await alice.client.connection!.send(chat.id, { text: `m${i}` });
      }
    })();
    for (let cut = 0; cut < 20; cut++) {
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
      bob.client.connection!.drop();
    }
    await sending;
    await eventually(() => expect(receivedMessages(bob, chat.id)).toHaveLength(500), 30_000);
    expect(receivedMessages(bob, chat.id).map((m) => m.seq)).toEqual(range(1, 500));
    alice.client.close();
    bob.client.close();
  });

  it("keeps every acknowledged message and creates no duplicate when the dev server is killed mid-stream", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    await alice.connect();
    const acked: number[] = [];
    const sends = range(1, 300).map((i) =>
      alice.client.connection!.send(chat.id, { text: `m${i}` }, `client-${i}`).then((m) => {
        acked.push(m.seq);
        return m;
      }),
    );
    await new Promise((r) => setTimeout(r, 150));
    await restartDevServer({ signal: "SIGKILL" });
    const messages = await Promise.all(sends);
    expect(new Set(messages.map((m) => m.seq)).size).toBe(300);
    await bob.connect();
    await eventually(() => expect(receivedMessages(bob, chat.id)).toHaveLength(300), 30_000);
    const history = await fullHistory(bob, chat.id);
    expect(history.map((m) => m.seq)).toEqual(range(1, 300));
    expect(history.map((m) => m.clientId).sort()).toEqual(
      range(1, 300)
        .map((i) => `client-${i}`)
        .sort(),
    );
    alice.client.close();
    bob.client.close();
  });

  it("reads the same messages from the hot window and from the Postgres archive", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    for (let i = 1; i <= 75; i++) await alice.client.api.sendMessage(chat.id, { clientId: `h${i}`, text: `h${i}` });
    await bob.connect();
    await eventually(() => expect(receivedMessages(bob, chat.id)).toHaveLength(75));
    // Wait for the archive to catch up and the hot window (20) to be trimmed: then old pages come from Postgres.
    await eventually(async () => {
      const history = await fullHistory(bob, chat.id);
      expect(history.map((m) => m.text)).toEqual(receivedMessages(bob, chat.id).map((m) => m.text));
    });
    const page = await bob.client.api.history(chat.id, { before: 30, limit: 10 });
    expect(page.map((m) => m.seq)).toEqual(range(20, 29));
    bob.client.close();
  });
});

describe("deleting messages", () => {
  it("turns a message deleted for everyone into a tombstone for live devices, returning devices and history", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    const m = await alice.client.api.sendMessage(chat.id, { clientId: "oops", text: "wrong chat!" });
    await bob.connect();
    await eventually(() => expect(receivedMessages(bob, chat.id)).toHaveLength(1));
    bob.client.close();
    await alice.client.api.deleteMessage(chat.id, m.seq, "everyone");
    // bob's other device comes back: it resumes and sees the deletion.
    const events = bob.events.length;
    await bob.connect();
    await eventually(() =>
      expect(bob.events.slice(events).some((e) => e.kind === "message_deleted" && e.seq === m.seq)).toBe(true),
    );
    const history = await bob.client.api.history(chat.id);
    expect(history[0]).toMatchObject({ seq: m.seq, deleted: true, text: null });
    await expect(bob.client.api.deleteMessage(chat.id, m.seq, "everyone")).rejects.toMatchObject({ code: "forbidden" });
    bob.client.close();
  });

  it("hides a message deleted for me on my side only", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    const m1 = await alice.client.api.sendMessage(chat.id, { clientId: "1", text: "one" });
    await alice.client.api.sendMessage(chat.id, { clientId: "2", text: "two" });
    await bob.client.api.deleteMessage(chat.id, m1.seq, "me");
    expect((await bob.client.api.history(chat.id)).map((m) => m.text)).toEqual(["two"]);
    expect((await alice.client.api.history(chat.id)).map((m) => m.text)).toEqual(["one", "two"]);
  });
});

describe("who may do what", () => {
  it("answers mallory, a non-member, as if alice and bob's chat did not exist", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const mallory = await person("mallory");
    const chat = await alice.client.api.openDirect(bob.id);
    await alice.client.api.sendMessage(chat.id, { clientId: "x", text: "private" });
    const fakeId = `d_${"a".repeat(32)}`;
    for (const id of [chat.id, fakeId]) {
      await expect(mallory.client.api.history(id)).rejects.toMatchObject({
        status: 404,
        code: "not_found",
        message: "conversation not found",
      });
      await expect(mallory.client.api.conversation(id)).rejects.toMatchObject({ status: 404, code: "not_found" });
      await expect(mallory.client.api.sendMessage(id, { clientId: "m", text: "hi" })).rejects.toMatchObject({
        status: 404,
      });
      await expect(mallory.client.api.markRead(id, 1)).rejects.toMatchObject({ status: 404 });
    }
    await mallory.connect();
    await expect(mallory.client.connection!.send(chat.id, { text: "let me in" })).rejects.toMatchObject({
      code: "not_found",
    });
    await alice.client.api.sendMessage(chat.id, { clientId: "y", text: "still private" });
    await new Promise((r) => setTimeout(r, 500));
    expect(mallory.events.filter((e) => "conversationId" in e || e.kind === "message")).toEqual([]);
    mallory.client.close();
  });

  it("refuses text over 700 bytes with message_too_large and stores nothing", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    const err = await alice.client.api
      .sendMessage(chat.id, { clientId: "big", text: "€".repeat(234) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 413, code: "message_too_large" });
    expect(await alice.client.api.history(chat.id)).toEqual([]);
  });

  it("answers malformed, unknown and oversized frames with error frames and keeps the socket open", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    await alice.connect();
    const errors: string[] = [];
    alice.client.connection!.on("error", (e) => errors.push(e.code));
    alice.client.connection!.sendRaw("{not json");
    alice.client.connection!.sendRaw(JSON.stringify({ type: "explode" }));
    alice.client.connection!.sendRaw(
      JSON.stringify({ type: "send", id: "f", conversationId: chat.id, clientId: "f", text: "hi", senderId: bob.id }),
    );
    alice.client.connection!.sendRaw(JSON.stringify({ type: "ack", cursor: "yes" }));
    alice.client.connection!.sendRaw("x".repeat(70_000));
    await eventually(() => expect(errors).toHaveLength(5));
    expect(errors).toEqual([
      "invalid_json",
      "invalid_request",
      "invalid_request",
      "invalid_request",
      "frame_too_large",
    ]);
    const m = await alice.client.connection!.send(chat.id, { text: "still here" });
    expect(m.seq).toBe(1);
    expect(alice.client.connection!.state).toBe("live");
    alice.client.close();
  });
});
