/**
 * Read receipts off against the running stack, through the SDK (README "Privacy"): in direct chats
 * the user neither sends reads nor sees others'; groups always show reads; delivered is unaffected;
 * chats opened after the change follow the setting too.
 */
import { describe, expect, it } from "vitest";
import { ApiError } from "../../client/sdk/index.ts";
import { eventually, person } from "./people.ts";

describe("read receipts off", () => {
  it("shows alice delivered but not read in her direct chat with bob, while the group they share shows reads", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const before = await alice.client.api.openDirect(bob.id); // opened before the change
    const group = await alice.client.api.createGroup("Both", [bob.id]);
    expect(await bob.client.api.setPrivacy({ readReceipts: false })).toMatchObject({ readReceipts: false });
    expect(await bob.client.api.privacySettings()).toMatchObject({ readReceipts: false, presence: "everyone" });
    await bob.connect();

    const direct = await alice.client.api.sendMessage(before.id, { clientId: "d1", text: "direct" });
    const inGroup = await alice.client.api.sendMessage(group.id, { clientId: "g1", text: "group" });
    await eventually(async () =>
      expect((await alice.client.api.messageStatus(before.id, direct.seq)).delivered).toBe("all"),
    );
    await bob.client.api.markRead(before.id, direct.seq);
    await bob.client.api.markRead(group.id, inGroup.seq);

    await eventually(async () =>
      expect((await alice.client.api.messageStatus(group.id, inGroup.seq)).read).toBe("all"),
    );
    const status = await alice.client.api.messageStatus(before.id, direct.seq);
    expect(status).toMatchObject({ delivered: "all", read: "none" });
    expect(status.recipients[0]?.readAt).toBeNull();
    // Bob's own unread count still follows his reads (his read marker may ride with other events
    // for up to LAZY_DELAY_MS).
    await eventually(async () =>
      expect((await bob.client.api.conversations()).find((c) => c.id === before.id)?.unreadCount).toBe(0),
    );
    // Alice's chat list carries the same watermarks: delivered, not read (ticks may take a moment
    // to reach her hub: they ride with other events for up to LAZY_DELAY_MS).
    await eventually(async () => {
      const row = (await alice.client.api.conversations()).find((c) => c.id === before.id);
      expect(row?.status).toMatchObject({ deliveredAll: direct.seq, readAll: 0 });
    });
    bob.client.close();
  });

  it("hides reads in a chat opened after the change, both ways, and shows them again once turned back on", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    await alice.client.api.setPrivacy({ readReceipts: false });
    const chat = await bob.client.api.openDirect(alice.id); // opened after the change, by the other side
    const fromBob = await bob.client.api.sendMessage(chat.id, { clientId: "b1", text: "to alice" });
    const fromAlice = await alice.client.api.sendMessage(chat.id, { clientId: "a1", text: "to bob" });
    await alice.client.api.markRead(chat.id, fromBob.seq);
    await bob.client.api.markRead(chat.id, fromAlice.seq);
    // Alice sends no read receipts, and sees none.
    expect((await bob.client.api.messageStatus(chat.id, fromBob.seq)).read).toBe("none");
    expect((await alice.client.api.messageStatus(chat.id, fromAlice.seq)).read).toBe("none");

    await alice.client.api.setPrivacy({ readReceipts: true });
    expect((await bob.client.api.messageStatus(chat.id, fromBob.seq)).read).toBe("all");
    expect((await alice.client.api.messageStatus(chat.id, fromAlice.seq)).read).toBe("all");
  });

  it("refuses a malformed or empty privacy change and keeps the settings", async () => {
    const alice = await person("alice");
    for (const body of [{}, { readReceipts: "no" }, { readReceipts: false, extra: 1 }]) {
      const failed = await alice.client.api.request("PUT", "/v1/me/privacy", null, body).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(ApiError);
      expect((failed as ApiError).code).toBe("invalid_request");
    }
    expect(await alice.client.api.privacySettings()).toEqual({
      presence: "everyone",
      readReceipts: true,
      profile: "everyone",
    });
  });
});
