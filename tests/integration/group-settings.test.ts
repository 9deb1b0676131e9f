/**
 * Group description and settings against the running stack, through the SDK (README "Groups"):
 * each change reaches members as a system message; "only admins send" answers members 403 over
 * REST and WebSocket with nothing stored; only admins change settings; bad input is refused.
 */
import { describe, expect, it } from "vitest";
import { ApiError, SendError } from "../../client/sdk/index.ts";
import { MAX_DESCRIPTION_BYTES } from "../../client/sdk/protocol/index.ts";
import { eventually, fullHistory, person, receivedMessages } from "./people.ts";

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof ApiError ? `${e.status} ${e.code}` : e instanceof SendError ? e.code : String(e)),
  );

describe("group settings", () => {
  it("lets only admins send once set, over REST and WebSocket, and tells every member in the seq stream", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const group = await alice.client.api.createGroup("Announcements", [bob.id]);
    await bob.connect();
    const updated = await alice.client.api.updateGroup(group.id, {
      description: "News only.\nAsk in the other group.",
      onlyAdminsSend: true,
    });
    expect(updated).toMatchObject({ description: "News only.\nAsk in the other group.", onlyAdminsSend: true });
    await eventually(() =>
      expect(receivedMessages(bob, group.id).flatMap((m) => (m.system ? [m.system.kind] : []))).toEqual([
        "created",
        "description_changed",
        "settings_changed",
      ]),
    );
    const lastSeq = (await fullHistory(alice, group.id)).at(-1)!.seq;

    expect(await codeOf(bob.client.api.sendMessage(group.id, { clientId: "b1", text: "hi" }))).toBe("403 forbidden");
    expect(await codeOf(bob.client.connection!.send(group.id, { text: "hi" }))).toBe("forbidden");
    expect((await fullHistory(bob, group.id)).at(-1)!.seq).toBe(lastSeq);
    await alice.client.api.sendMessage(group.id, { clientId: "a1", text: "Meeting at 5" });
    await eventually(() => expect(receivedMessages(bob, group.id).at(-1)?.text).toBe("Meeting at 5"));

    // Bob cannot change the settings or the info; a promoted bob can.
    expect(await codeOf(bob.client.api.updateGroup(group.id, { onlyAdminsSend: false }))).toBe("403 forbidden");
    expect(await codeOf(bob.client.api.updateGroup(group.id, { description: "mine" }))).toBe("403 forbidden");
    await alice.client.api.setRole(group.id, bob.id, "admin");
    expect(await codeOf(bob.client.api.sendMessage(group.id, { clientId: "b2", text: "now I can" }))).toBe("ok");
    bob.client.close();
  });

  it("lets members edit the info once only-admins-edit is off, never the settings", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const group = await alice.client.api.createGroup("Club", [bob.id]);
    expect((await bob.client.api.conversation(group.id)).onlyAdminsEdit).toBe(true);
    expect(await codeOf(bob.client.api.updateGroup(group.id, { name: "Bob's club" }))).toBe("403 forbidden");
    await alice.client.api.updateGroup(group.id, { onlyAdminsEdit: false });
    expect((await bob.client.api.updateGroup(group.id, { name: "Bob's club", description: "hi" })).name).toBe(
      "Bob's club",
    );
    expect(await codeOf(bob.client.api.updateGroup(group.id, { onlyAdminsEdit: true }))).toBe("403 forbidden");
    expect((await alice.client.api.conversation(group.id)).onlyAdminsEdit).toBe(false);
  });

  it("refuses an over-long or unclean description, and descriptions in direct chats", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const group = await alice.client.api.createGroup("Club", [bob.id]);
    const long = "é".repeat(MAX_DESCRIPTION_BYTES / 2 + 1); // 2 bytes each
    expect(await codeOf(alice.client.api.updateGroup(group.id, { description: long }))).toBe("400 invalid_request");
    expect(await codeOf(alice.client.api.updateGroup(group.id, { description: "a\u0000b" }))).toBe(
      "400 invalid_request",
    );
    expect(await codeOf(alice.client.api.updateGroup(group.id, { description: "é".repeat(256) }))).toBe("ok");
    const chat = await alice.client.api.openDirect(bob.id);
    expect(await codeOf(alice.client.api.updateGroup(chat.id, { description: "x" }))).toBe("400 invalid_request");
  });
});
