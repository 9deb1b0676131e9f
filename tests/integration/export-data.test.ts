/**
 * "Export my data" against the running stack, through the SDK (README "Exporting my data"): the
 * start answers 202 at once, polling answers 202 until the archive is ready, then 200 with a JSON
 * attachment holding my profile, my chats and every message I can see in each (more than one history
 * page, media with the API's `media.url`, nothing I deleted for me, nothing of a chat I am not in);
 * another user's poll of my export id is 404.
 */
import { describe, expect, inject, it } from "vitest";
import { ApiError } from "../../client/sdk/index.ts";
import { DataArchive, MAX_HISTORY_PAGE } from "../../client/sdk/protocol/index.ts";
import { png } from "../fixtures/media-files.ts";
import { eventually, fullHistory, person, type Person } from "./people.ts";

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof ApiError ? `${e.status} ${e.code}` : String(e)),
  );

async function rawGet(p: Person, path: string): Promise<Response> {
  return fetch(`${inject("baseUrl")}${path}`, { headers: { authorization: `Bearer ${p.client.api.token}` } });
}

describe("exporting my data", () => {
  it("archives my profile, my chats and the messages I can see; only I can read it", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const carol = await person("carol");
    await alice.client.api.updateMe({ about: "exporting today" });

    const direct = await alice.client.api.openDirect(bob.id);
    const count = MAX_HISTORY_PAGE + 5;
    for (let i = 1; i <= count; i++) {
      const sender = i % 2 === 0 ? bob : alice;
      await sender.client.api.sendMessage(direct.id, { clientId: `c${i}`, text: `direct ${i}` });
    }
    const picture = await bob.client.api.uploadMedia(png(), "image/png");
    const withMedia = await bob.client.api.sendMessage(direct.id, { clientId: "m1", mediaId: picture.id, text: "pic" });
    const hidden = await bob.client.api.sendMessage(direct.id, { clientId: "h1", text: "hidden-for-alice" });
    await alice.client.api.deleteMessage(direct.id, hidden.seq, "me");

    const group = await alice.client.api.createGroup("Export group", [bob.id]);
    await bob.client.api.sendMessage(group.id, { clientId: "g1", text: "group hello" });
    // A chat alice is not in: none of it may reach her archive.
    const other = await bob.client.api.openDirect(carol.id);
    await carol.client.api.sendMessage(other.id, { clientId: "o1", text: "not-for-alice" });

    const started = await alice.client.api.startExport();
    expect(started.status).toBe("preparing");
    expect(started.id).toMatch(/^x_/);

    let ready: Awaited<ReturnType<typeof alice.client.api.dataExport>> | undefined;
    await eventually(
      async () => {
        const polled = await alice.client.api.dataExport(started.id);
        expect(polled.export.status).not.toBe("failed");
        expect(polled.export.status).toBe("ready");
        ready = polled;
      },
      60_000,
      200,
    );

    // Served as a JSON attachment.
    const res = await rawGet(alice, `/v1/me/export/${started.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="messenger-export.json"');
    const archive = DataArchive.parse(await res.json());
    expect(ready!.archive).toEqual(archive);

    expect(archive.user.id).toBe(alice.id);
    expect(archive.user.username).toBe(alice.username);
    expect(archive.user.about).toBe("exporting today");
    expect(archive.conversations.map((c) => c.conversation.id).sort()).toEqual([direct.id, group.id].sort());

    const directArchived = archive.conversations.find((c) => c.conversation.id === direct.id)!;
    // Exactly what alice's own history shows, past one page, oldest first.
    expect(directArchived.messages).toEqual(await fullHistory(alice, direct.id));
    const texts = directArchived.messages.map((m) => m.text);
    for (let i = 1; i <= count; i++) expect(texts).toContain(`direct ${i}`);
    expect(texts).not.toContain("hidden-for-alice");
    const archivedMedia = directArchived.messages.find((m) => m.seq === withMedia.seq)!;
    expect(archivedMedia.media?.url).toBe(withMedia.media?.url);
    expect(archivedMedia.media?.url).toBeTruthy();

    const groupArchived = archive.conversations.find((c) => c.conversation.id === group.id)!;
    expect(groupArchived.messages.map((m) => m.text)).toContain("group hello");
    expect(JSON.stringify(archive)).not.toContain("not-for-alice");

    // Only alice: for bob (in both chats) and carol the id is the 404 of a made-up one.
    expect(await codeOf(bob.client.api.dataExport(started.id))).toBe("404 not_found");
    expect(await codeOf(carol.client.api.dataExport(started.id))).toBe("404 not_found");
    expect(await codeOf(alice.client.api.dataExport("x_doesnotexist"))).toBe("404 not_found");
    expect(await codeOf(alice.client.api.dataExport("bad id!"))).toBe("400 invalid_request");
  });
});
