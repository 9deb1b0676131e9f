/**
 * Replies, reactions, edits and forwards against the running stack (wrangler dev, Postgres shards,
 * Redis; hot window 20), driven through the SDK: what alice and bob see live, after a reconnect and
 * in history pages read from the Postgres archive.
 */
import { describe, expect, inject, it } from "vitest";
import { png } from "../fixtures/media-files.ts";
import type { Message } from "../../client/sdk/protocol/index.ts";
import { eventually, fullHistory, person, receivedMessages } from "./people.ts";

async function chatOfTwo() {
  const alice = await person("alice");
  const bob = await person("bob");
  const chat = await alice.client.api.openDirect(bob.id);
  return { alice, bob, chat };
}

/** Pushes a chat's first messages past the hot window (20) into the Postgres archive. */
async function archiveOlderThan(send: (i: number) => Promise<unknown>, history: () => Promise<Message[]>) {
  for (let i = 0; i < 30; i++) await send(i);
  await eventually(async () => {
    const page = await history();
    expect(page.length).toBeGreaterThan(30);
  }, 20_000);
}

describe("replies", () => {
  it("shows bob's reply with a quote of alice's message live, in the hot window and from the archive", async () => {
    const { alice, bob, chat } = await chatOfTwo();
    await bob.connect();
    const original = await alice.client.api.sendMessage(chat.id, { clientId: "o", text: "lunch at noon?" });
    const reply = await bob.client.api.sendMessage(chat.id, { clientId: "r", text: "yes!", replyTo: original.seq });
    const quote = { seq: original.seq, senderId: alice.id, snippet: "lunch at noon?", deleted: false };
    expect(reply.replyTo).toMatchObject(quote);
    await eventually(() => expect(receivedMessages(bob, chat.id).at(-1)?.replyTo).toMatchObject(quote));
    await archiveOlderThan(
      (i) => alice.client.api.sendMessage(chat.id, { clientId: `f${i}`, text: `filler ${i}` }),
      () => fullHistory(alice, chat.id),
    );
    await eventually(async () => {
      const page = await alice.client.api.history(chat.id, { before: reply.seq + 1, limit: 1 });
      expect(page[0]).toMatchObject({ seq: reply.seq, replyTo: quote });
    }, 20_000);
    bob.client.close();
  });

  it("answers a reply to a seq that does not exist with 404 and stores nothing", async () => {
    const { alice, chat } = await chatOfTwo();
    await alice.client.api.sendMessage(chat.id, { clientId: "1", text: "one" });
    await expect(
      alice.client.api.sendMessage(chat.id, { clientId: "2", text: "two", replyTo: 99 }),
    ).rejects.toMatchObject({ status: 404, code: "not_found" });
    expect((await alice.client.api.history(chat.id)).map((m) => m.text)).toEqual(["one"]);
  });

  it("turns the quote into 'deleted' once the original is deleted for everyone", async () => {
    const { alice, bob, chat } = await chatOfTwo();
    const original = await alice.client.api.sendMessage(chat.id, { clientId: "o", text: "oops" });
    await bob.client.api.sendMessage(chat.id, { clientId: "r", text: "what?", replyTo: original.seq });
    await alice.client.api.deleteMessage(chat.id, original.seq, "everyone");
    const [, reply] = await bob.client.api.history(chat.id);
    expect(reply?.replyTo).toMatchObject({ seq: original.seq, snippet: null, deleted: true });
  });
});

describe("reactions", () => {
  it("sets, changes and removes bob's reaction, live for alice, without a seq or an unread count", async () => {
    const { alice, bob, chat } = await chatOfTwo();
    await alice.connect();
    const m = await alice.client.api.sendMessage(chat.id, { clientId: "m", text: "good news" });
    expect(await bob.client.api.react(chat.id, m.seq, "👍")).toEqual([{ emoji: "👍", count: 1, userIds: [bob.id] }]);
    await bob.client.api.react(chat.id, m.seq, "🎉");
    await eventually(() => {
      const last = alice.events.filter((e) => e.kind === "reaction").at(-1);
      expect(last).toMatchObject({ seq: m.seq, reactions: [{ emoji: "🎉", count: 1, userIds: [bob.id] }] });
    });
    expect((await alice.client.api.history(chat.id))[0]?.reactions).toEqual([
      { emoji: "🎉", count: 1, userIds: [bob.id] },
    ]);
    const aliceChat = (await alice.client.api.conversations()).find((c) => c.id === chat.id);
    expect(aliceChat).toMatchObject({ unreadCount: 0, lastMessage: { seq: m.seq } });
    await bob.client.api.unreact(chat.id, m.seq);
    expect((await alice.client.api.history(chat.id))[0]?.reactions).toBeUndefined();
    alice.client.close();
  });

  it("refuses anything but one emoji with 400, and mallory with 404", async () => {
    const { alice, chat } = await chatOfTwo();
    const mallory = await person("mallory");
    const m = await alice.client.api.sendMessage(chat.id, { clientId: "m", text: "hi" });
    for (const emoji of ["ok", "👍👍", "", ":)"])
      await expect(alice.client.api.react(chat.id, m.seq, emoji)).rejects.toMatchObject({ status: 400 });
    await expect(mallory.client.api.react(chat.id, m.seq, "👍")).rejects.toMatchObject({ status: 404 });
    expect((await alice.client.api.history(chat.id))[0]?.reactions).toBeUndefined();
  });

  it("reacts to a message already in the Postgres archive and shows it in the archived page", async () => {
    const { alice, bob, chat } = await chatOfTwo();
    const old = await alice.client.api.sendMessage(chat.id, { clientId: "old", text: "old news" });
    await archiveOlderThan(
      (i) => alice.client.api.sendMessage(chat.id, { clientId: `f${i}`, text: `filler ${i}` }),
      () => fullHistory(alice, chat.id),
    );
    await eventually(async () => {
      await bob.client.api.react(chat.id, old.seq, "😂");
      const page = await bob.client.api.history(chat.id, { before: 2, limit: 1 });
      expect(page[0]).toMatchObject({ seq: old.seq, text: "old news", reactions: [{ emoji: "😂", count: 1 }] });
    }, 20_000);
  });
});

describe("edits", () => {
  it("shows alice's edit on bob's device, in history and in the archive, with the same seq", async () => {
    const { alice, bob, chat } = await chatOfTwo();
    await bob.connect();
    const m = await alice.client.api.sendMessage(chat.id, { clientId: "m", text: "see you at 5" });
    const edited = await alice.client.api.editMessage(chat.id, m.seq, "see you at 6");
    expect(edited).toMatchObject({ seq: m.seq, text: "see you at 6", editedAt: expect.any(String) });
    await eventually(() =>
      expect(bob.events.find((e) => e.kind === "message_edited")).toMatchObject({ seq: m.seq, text: "see you at 6" }),
    );
    expect((await bob.client.api.history(chat.id))[0]).toMatchObject({ text: "see you at 6" });
    expect((await bob.client.api.conversations()).find((c) => c.id === chat.id)?.lastMessage?.text).toBe(
      "see you at 6",
    );
    await archiveOlderThan(
      (i) => alice.client.api.sendMessage(chat.id, { clientId: `f${i}`, text: `filler ${i}` }),
      () => fullHistory(alice, chat.id),
    );
    await eventually(async () => {
      const page = await bob.client.api.history(chat.id, { before: 2, limit: 1 });
      expect(page[0]).toMatchObject({ seq: m.seq, text: "see you at 6", editedAt: edited.editedAt });
    }, 20_000);
    bob.client.close();
  });

  it("refuses bob's edit of alice's message and an edit after deletion with 403", async () => {
    const { alice, bob, chat } = await chatOfTwo();
    const m = await alice.client.api.sendMessage(chat.id, { clientId: "m", text: "mine" });
    await expect(bob.client.api.editMessage(chat.id, m.seq, "mine now")).rejects.toMatchObject({
      status: 403,
      code: "forbidden",
    });
    await alice.client.api.deleteMessage(chat.id, m.seq, "everyone");
    await expect(alice.client.api.editMessage(chat.id, m.seq, "back")).rejects.toMatchObject({ status: 403 });
  });
});

describe("forwards", () => {
  it("forwards a picture bob received to two chats: labelled, same bytes, readable in each", async () => {
    const { alice, bob, chat } = await chatOfTwo();
    const carol = await person("carol");
    const dave = await person("dave");
    const toCarol = await bob.client.api.openDirect(carol.id);
    const toDave = await bob.client.api.openDirect(dave.id);
    const picture = png();
    const media = await alice.client.api.uploadMedia(picture, "image/png");
    const sent = await alice.client.api.sendMessage(chat.id, { clientId: "p", mediaId: media.id, text: "look" });
    const [a, b] = await bob.client.api.forward({ conversationId: chat.id, seq: sent.seq }, [toCarol.id, toDave.id]);
    for (const [m, target, reader] of [
      [a, toCarol.id, carol],
      [b, toDave.id, dave],
    ] as const) {
      expect(m).toMatchObject({ forwarded: true, text: "look", senderId: bob.id, media: { id: media.id } });
      expect(m?.media?.url).toContain(`c=${target}`);
      const bytes = await fetch(`${inject("baseUrl")}${m!.media!.url}`, {
        headers: { authorization: `Bearer ${reader.client.api.token}` },
      });
      expect(bytes.status).toBe(200);
      expect(new Uint8Array(await bytes.arrayBuffer())).toEqual(picture);
    }
  });

  it("answers a forward of a message carol cannot see, or of media she was never sent, with 404", async () => {
    const { alice, bob, chat } = await chatOfTwo();
    const carol = await person("carol");
    const toBob = await carol.client.api.openDirect(bob.id);
    const secret = await alice.client.api.sendMessage(chat.id, { clientId: "s", text: "secret" });
    await expect(
      carol.client.api.sendMessage(toBob.id, {
        clientId: "f",
        forwardOf: { conversationId: chat.id, seq: secret.seq },
      }),
    ).rejects.toMatchObject({ status: 404 });
    expect(await carol.client.api.history(toBob.id)).toEqual([]);
  });

  it("forwards a message already in the Postgres archive", async () => {
    const { alice, bob, chat } = await chatOfTwo();
    const carol = await person("carol");
    const toCarol = await bob.client.api.openDirect(carol.id);
    const old = await alice.client.api.sendMessage(chat.id, { clientId: "old", text: "from long ago" });
    await archiveOlderThan(
      (i) => alice.client.api.sendMessage(chat.id, { clientId: `f${i}`, text: `filler ${i}` }),
      () => fullHistory(alice, chat.id),
    );
    await eventually(async () => {
      // Archived once the hot window no longer holds it: the page before seq 2 comes from Postgres.
      expect((await bob.client.api.history(chat.id, { before: 2, limit: 1 }))[0]?.text).toBe("from long ago");
    }, 20_000);
    const [sent] = await bob.client.api.forward({ conversationId: chat.id, seq: old.seq }, [toCarol.id]);
    expect(sent).toMatchObject({ text: "from long ago", forwarded: true });
  });

  it("refuses more than 5 chats at once", async () => {
    const { alice, chat } = await chatOfTwo();
    const m = await alice.client.api.sendMessage(chat.id, { clientId: "m", text: "chain letter" });
    await expect(
      alice.client.api.forward({ conversationId: chat.id, seq: m.seq }, ["a", "b", "c", "d", "e", "f"]),
    ).rejects.toMatchObject({ status: 400 });
  });
});
