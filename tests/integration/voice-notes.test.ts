/**
 * Voice notes against the running stack: an audio upload is sniffed like other media, carries its
 * duration and waveform into the message, and plays for the other member.
 */
import { describe, expect, inject, it } from "vitest";
import { filler } from "../fixtures/media-files.ts";
import { person } from "./people.ts";

const ogg = () => new Uint8Array([...new TextEncoder().encode("OggS"), 0, 2, ...filler(8 * 1024, 5)]);

describe("voice notes", () => {
  it("sends alice's voice note with its duration and waveform, and bob plays the same bytes", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    const bytes = ogg();
    const waveform = [0, 40, 255, 128, 7];
    const media = await alice.client.api.uploadMedia(bytes, "audio/ogg", { durationMs: 3_200, waveform });
    expect(media).toMatchObject({ type: "audio/ogg", durationMs: 3_200, waveform });
    await alice.client.api.sendMessage(chat.id, { clientId: "v", mediaId: media.id });
    const [received] = await bob.client.api.history(chat.id);
    expect(received?.media).toMatchObject({ type: "audio/ogg", durationMs: 3_200, waveform });
    const res = await fetch(`${inject("baseUrl")}${received!.media!.url}`, {
      headers: { authorization: `Bearer ${bob.client.api.token}`, range: "bytes=0-3" },
    });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-type")).toBe("audio/ogg");
    expect(new TextDecoder().decode(await res.arrayBuffer())).toBe("OggS");
  });

  it("refuses bytes that are not the declared audio, and a waveform over 100 samples or out of range", async () => {
    const alice = await person("alice");
    await expect(alice.client.api.uploadMedia(ogg(), "audio/mpeg")).rejects.toMatchObject({ status: 415 });
    await expect(alice.client.api.uploadMedia(new TextEncoder().encode("<html>"), "audio/webm")).rejects.toMatchObject({
      status: 415,
    });
    await expect(
      alice.client.api.uploadMedia(ogg(), "audio/ogg", { waveform: Array.from({ length: 101 }, () => 1) }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(alice.client.api.uploadMedia(ogg(), "audio/ogg", { waveform: [256] })).rejects.toMatchObject({
      status: 400,
    });
  });
});
