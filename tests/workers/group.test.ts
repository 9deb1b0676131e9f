import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";

const conv = (id: string) => env.CONVERSATION.getByName(id);

async function group(id: string, creator: string, members: string[]) {
  const r = await conv(id).open({ id, type: "group", creatorId: creator, memberIds: members, name: "Team" });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.conversation;
}

describe("Group conversations", () => {
  it("makes the creator admin and records the creation as message 1", async () => {
    const g = await group("g_create", "alice", ["bob", "carol"]);
    expect(g.members.find((m) => m.userId === "alice")?.role).toBe("admin");
    const page = await conv("g_create").history("bob", { limit: 10 });
    expect(page.ok && page.value.messages[0]).toMatchObject({ seq: 1, system: { kind: "created", by: "alice" } });
  });

  it("refuses the 201st member and changes nothing", async () => {
    const members = Array.from({ length: 198 }, (_, i) => `u${i}`);
    await group("g_full", "alice", members);
    const ok = await conv("g_full").addMembers("alice", ["u198"]);
    expect(ok.ok && ok.value.members.length).toBe(200);
    const full = await conv("g_full").addMembers("alice", ["u199"]);
    expect(full).toMatchObject({ ok: false, error: { code: "group_full" } });
    const after = await conv("g_full").describe("alice");
    expect(after.ok && after.value.members.length).toBe(200);
  });

  it("lets only admins add, remove and promote", async () => {
    await group("g_admin", "alice", ["bob"]);
    expect(await conv("g_admin").addMembers("bob", ["carol"])).toMatchObject({
      ok: false,
      error: { code: "forbidden" },
    });
    expect(await conv("g_admin").removeMember("bob", "alice")).toMatchObject({
      ok: false,
      error: { code: "forbidden" },
    });
    expect((await conv("g_admin").setRole("alice", "bob", "admin")).ok).toBe(true);
    expect((await conv("g_admin").addMembers("bob", ["carol"])).ok).toBe(true);
  });

  it("hides everything after carol's removal from carol, and keeps the chat read-only for her", async () => {
    await group("g_remove", "r_alice", ["r_bob", "r_carol"]);
    await conv("g_remove").send("r_alice", { clientId: "before", text: "before" });
    expect((await conv("g_remove").removeMember("r_alice", "r_carol")).ok).toBe(true);
    await conv("g_remove").send("r_alice", { clientId: "after", text: "secret plans" });
    await runDurableObjectAlarm(conv("g_remove"));
    const page = await conv("g_remove").history("r_carol", { limit: 50 });
    const texts = page.ok ? page.value.messages.map((m) => m.text ?? m.system?.kind) : [];
    expect(texts).toEqual(["created", "before", "member_removed"]);
    expect(await conv("g_remove").send("r_carol", { clientId: "x", text: "hey" })).toMatchObject({
      ok: false,
      error: { code: "forbidden" },
    });
    const list = await env.USER_HUB.getByName("r_carol").chatList();
    expect(list.find((c) => c.id === "g_remove")).toMatchObject({
      active: false,
      lastMessage: { system: { kind: "member_removed" } },
    });
    const bobList = await env.USER_HUB.getByName("r_bob").chatList();
    expect(bobList.find((c) => c.id === "g_remove")?.lastMessage?.text).toBe("secret plans");
  });

  it("promotes the oldest member when the last admin leaves", async () => {
    await group("g_leave", "alice", ["bob", "carol"]);
    expect((await conv("g_leave").removeMember("alice", "alice")).ok).toBe(true);
    const g = await conv("g_leave").describe("bob");
    expect(g.ok && g.value.members.map((m) => [m.userId, m.role])).toEqual([
      ["bob", "admin"],
      ["carol", "member"],
    ]);
  });

  it("reports none, some, then all for delivered and read as members catch up", async () => {
    await group("g_status", "alice", ["bob", "carol"]);
    const sent = await conv("g_status").send("alice", { clientId: "m", text: "hello all" });
    const seq = sent.ok ? sent.value.message.seq : 0;
    const status = async () => {
      const r = await conv("g_status").messageStatus("alice", seq);
      return r.ok ? [r.value.delivered, r.value.read] : null;
    };
    expect(await status()).toEqual(["none", "none"]);
    await conv("g_status").markDelivered("bob", seq);
    expect(await status()).toEqual(["some", "none"]);
    await conv("g_status").markRead("carol", seq);
    expect(await status()).toEqual(["all", "some"]);
    await conv("g_status").markRead("bob", seq);
    expect(await status()).toEqual(["all", "all"]);
  });
});
