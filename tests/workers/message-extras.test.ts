/**
 * Replies, reactions, edits and forward sources in the Conversation DO, inside workerd with its real
 * SQLite (the schema steps run as a deployed object runs them) and typed RPC.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Message } from "../../client/sdk/protocol/index.ts";

const conv = (id: string) => env.CONVERSATION.getByName(id);

async function openDirect(id: string, a: string, b: string) {
  const r = await conv(id).open({ id, type: "direct", creatorId: a, memberIds: [b] });
  if (!r.ok) throw new Error(r.error.message);
}

async function send(id: string, userId: string, clientId: string, text: string, replyTo?: number): Promise<Message> {
  const r = await conv(id).send(userId, { clientId, text, replyTo });
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value.message;
}

describe("Conversation DO: replies, reactions, edits, forwards", () => {
  it("stores bob's reply with a quote of alice's message and answers a retry with the same quote", async () => {
    await openDirect("d_x_reply", "alice", "bob");
    await send("d_x_reply", "alice", "o", "are you coming?");
    const reply = await send("d_x_reply", "bob", "r", "yes", 1);
    expect(reply.replyTo).toEqual({
      seq: 1,
      senderId: "alice",
      snippet: "are you coming?",
      mediaType: null,
      deleted: false,
    });
    const retry = await conv("d_x_reply").send("bob", { clientId: "r", text: "yes", replyTo: 1 });
    expect(retry.ok && retry.value).toMatchObject({ duplicate: true, message: { seq: 2, replyTo: { seq: 1 } } });
    const missing = await conv("d_x_reply").send("bob", { clientId: "r2", text: "?", replyTo: 7 });
    expect(missing).toMatchObject({ ok: false, error: { code: "not_found" } });
  });

  it("keeps reactions without a seq and shows them in history", async () => {
    await openDirect("d_x_react", "alice", "bob");
    await send("d_x_react", "alice", "o", "cake!");
    expect((await conv("d_x_react").react("bob", 1, "🎂")).ok).toBe(true);
    expect((await conv("d_x_react").react("alice", 1, "🎂")).ok).toBe(true);
    const page = await conv("d_x_react").history("bob", { limit: 10 });
    expect(page.ok && page.value.messages).toHaveLength(1);
    expect(page.ok && page.value.messages[0]?.reactions).toEqual([
      { emoji: "🎂", count: 2, userIds: ["bob", "alice"] },
    ]);
    const mallory = await conv("d_x_react").react("mallory", 1, "🎂");
    expect(mallory).toMatchObject({ ok: false, error: { code: "not_found" } });
  });

  it("lets alice edit her text and refuses bob", async () => {
    await openDirect("d_x_edit", "alice", "bob");
    await send("d_x_edit", "alice", "o", "helo");
    const edited = await conv("d_x_edit").editMessage("alice", 1, "hello");
    expect(edited.ok && edited.value).toMatchObject({ seq: 1, text: "hello", editedAt: expect.any(String) });
    expect(await conv("d_x_edit").editMessage("bob", 1, "mine")).toMatchObject({
      ok: false,
      error: { code: "forbidden" },
    });
    const page = await conv("d_x_edit").history("bob", { limit: 10 });
    expect(page.ok && page.value.messages[0]?.text).toBe("hello");
  });

  it("hands bob a message to forward and mallory nothing", async () => {
    await openDirect("d_x_fwd", "alice", "bob");
    await send("d_x_fwd", "alice", "o", "pass it on");
    const source = await conv("d_x_fwd").forwardSource("bob", 1);
    expect(source.ok && "message" in source.value && source.value.message.text).toBe("pass it on");
    expect(await conv("d_x_fwd").forwardSource("mallory", 1)).toMatchObject({
      ok: false,
      error: { code: "not_found" },
    });
  });
});
