/**
 * The rest of what a person does every day, in Chromium: video, profile and sessions, group
 * administration, and the composer's limits and keys.
 */
import { describe, expect, it } from "vitest";
import {
  bubble,
  hasText,
  openChat,
  recordWebm,
  sendText,
  startChatWith,
  startGroupWith,
  until,
  visible,
  makePng,
  noisyPng,
} from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
const { person } = browserSuite();

describe("web client, everyday features", () => {
  it(
    "plays a video alice sends, and bob can seek in it",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      const video = await recordWebm(alice.page);
      await startChatWith(alice, bob);
      const [chooser] = await Promise.all([
        alice.page.waitForEvent("filechooser"),
        alice.page.getByRole("button", { name: "Attach a photo or video" }).click(),
      ]);
      await chooser.setFiles({ name: "clip.webm", mimeType: "video/webm", buffer: video });
      const dialog = alice.page.getByRole("dialog", { name: "Send video" });
      await visible(dialog.getByLabel("Video preview"));
      await dialog.getByRole("button", { name: "Send" }).click();

      await openChat(bob.page, "Alice");
      await bob.page.getByRole("button", { name: "Play video" }).click();
      const player = bob.page.getByRole("dialog", { name: "Video" }).getByLabel("Video");
      await visible(player);
      await until("metadata loaded", () => player.evaluate((v) => (v as HTMLVideoElement).readyState >= 1), true);
      expect(await player.evaluate((v) => (v as HTMLVideoElement).controls)).toBe(true);
      const landed = await player.evaluate(
        (v) =>
          new Promise<number>((resolve, reject) => {
            const el = v as HTMLVideoElement;
            el.pause();
            el.onseeked = () => resolve(el.currentTime);
            setTimeout(() => reject(new Error("no seek")), 5_000);
            el.currentTime = 1.2;
          }),
      );
      expect(landed).toBeCloseTo(1.2, 1);
    },
    TEST_MS,
  );

  it(
    "shows a progress bar on the bubble while a picture uploads",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      // A slow uplink (256 KB/s) so the upload lasts long enough to watch.
      const cdp = await alice.context.newCDPSession(alice.page);
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: 20,
        downloadThroughput: 10_000_000,
        uploadThroughput: 256 * 1024,
      });
      const picture = noisyPng(900, 700);
      const [chooser] = await Promise.all([
        alice.page.waitForEvent("filechooser"),
        alice.page.getByRole("button", { name: "Attach a photo or video" }).click(),
      ]);
      await chooser.setFiles({ name: "big.png", mimeType: "image/png", buffer: picture });
      await alice.page.getByRole("dialog", { name: "Send photo" }).getByRole("button", { name: "Send" }).click();
      const bar = alice.page.getByRole("progressbar", { name: "Uploading big.png" });
      await visible(bar);
      await until("upload under way", async () => Number(await bar.getAttribute("value")) > 0, true, 20_000);
      await until("upload done", () => bar.count(), 0, 60_000);
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
      await openChat(bob.page, "Alice");
      const photo = bob.page.getByRole("log", { name: "Messages" }).getByRole("img", { name: "Photo" });
      await until("bob's picture decoded", () => photo.evaluate((img) => (img as HTMLImageElement).naturalWidth), 900);
    },
    TEST_MS,
  );

  it(
    "lets alice edit her profile and picture, and keeps her chats across logging out and in",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      await sendText(alice.page, "Profile test");

      await alice.page.getByRole("button", { name: "Profile and settings" }).click();
      const name = alice.page.getByRole("textbox", { name: "Your name" });
      await name.fill("Alice Liddell");
      await name.press("Enter");
      await visible(alice.page.getByRole("status").filter({ hasText: "Saved" }));
      await alice.page.getByRole("textbox", { name: "About" }).fill("Down the rabbit hole");
      await alice.page.getByRole("button", { name: "Save" }).click();
      const [chooser] = await Promise.all([
        alice.page.waitForEvent("filechooser"),
        alice.page.getByRole("button", { name: "Change profile photo" }).click(),
      ]);
      await chooser.setFiles({ name: "me.png", mimeType: "image/png", buffer: makePng(200, 200) });
      const picture = alice.page.getByRole("button", { name: "Change profile photo" }).locator("img");
      await visible(picture);
      await until("the picture decoded", () => picture.evaluate((img) => (img as HTMLImageElement).naturalWidth), 200);

      // Bob sees the new name and about (profiles are read when his app loads).
      await bob.page.reload();
      await openChat(bob.page, "Alice Liddell");
      await bob.page.getByRole("button", { name: /Alice Liddell: contact info/ }).click();
      await visible(bob.page.getByText("Down the rabbit hole"));
      const seen = bob.page.getByRole("region", { name: "Contact info" }).locator(".avatar img");
      await until(
        "alice's picture, for bob",
        () => seen.evaluate((img) => (img as HTMLImageElement).naturalWidth),
        200,
      );

      await alice.page.getByRole("button", { name: "Log out" }).click();
      await visible(alice.page.getByRole("heading", { name: "Log in" }));
      await alice.page.getByLabel("Username").fill(alice.username);
      await alice.page.getByLabel("Password").fill(alice.password);
      await alice.page.getByRole("button", { name: "Log in" }).click();
      await openChat(alice.page, "Bob");
      await visible(bubble(alice.page, "Profile test"));
    },
    TEST_MS,
  );

  it(
    "lets a group admin add and remove members, and a member leave",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      const carol = await person("Carol");
      await startGroupWith(alice, [bob], "Garden");
      await sendText(alice.page, "Tomatoes are in");

      // Alice adds Carol from the group info.
      await alice.page.getByRole("button", { name: /Garden: group info/ }).click();
      const info = alice.page.getByRole("region", { name: "Group info" });
      await info.getByRole("button", { name: "+ Add members" }).click();
      await info.getByRole("searchbox", { name: "Search people by username" }).fill(carol.username);
      await info.getByRole("checkbox", { name: /Carol/ }).check();
      await info.getByRole("button", { name: /^Add/ }).click();
      await visible(info.getByRole("button", { name: "Remove Carol" }));
      const [chooser] = await Promise.all([
        alice.page.waitForEvent("filechooser"),
        info.getByRole("button", { name: "Change group photo" }).click(),
      ]);
      await chooser.setFiles({ name: "garden.png", mimeType: "image/png", buffer: makePng(120, 120) });
      const heroPhoto = info.getByRole("button", { name: "Change group photo" }).locator("img");
      await until(
        "the group photo, for alice",
        () => heroPhoto.evaluate((img) => (img as HTMLImageElement).naturalWidth),
        120,
      );
      await visible(info.getByText("3 members", { exact: true }));
      await openChat(carol.page, "Garden");
      await visible(carol.page.getByText("Alice added you"));
      const groupPhoto = carol.page.locator(".conversation-header .avatar img");
      await until(
        "the group photo, for carol",
        () => groupPhoto.evaluate((img) => (img as HTMLImageElement).naturalWidth),
        120,
      );

      // Alice removes Bob: his chat stays, read-only.
      await openChat(bob.page, "Garden");
      await info.getByRole("button", { name: "Remove Bob" }).click();
      await alice.page
        .getByRole("dialog", { name: /^Remove Bob from/ })
        .getByRole("button", { name: "Remove", exact: true })
        .click();
      await visible(bob.page.getByText("You can't send messages to this group because you're no longer a member."));
      await until("composer gone", () => bob.page.getByRole("textbox", { name: "Type a message" }).count(), 0);

      // Carol leaves by herself.
      await carol.page.getByRole("button", { name: /Garden: group info/ }).click();
      await carol.page.getByRole("button", { name: "Exit group" }).click();
      await visible(carol.page.getByText("You can't send messages to this group because you're no longer a member."));
      await visible(alice.page.getByText("Carol left"));
      await visible(info.getByText("1 member", { exact: true }));
    },
    TEST_MS,
  );

  it(
    "counts characters left near the 700-byte limit, sends on Enter and breaks lines on Shift+Enter",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      const box = alice.page.getByRole("textbox", { name: "Type a message" });
      const send = alice.page.getByRole("button", { name: "Send", exact: true });

      await box.fill("a".repeat(500));
      expect(await alice.page.getByText(/characters left/).count()).toBe(0);
      await box.fill("a".repeat(650));
      await visible(alice.page.getByText("50 characters left"));
      await box.fill("a".repeat(650) + "é".repeat(30)); // é is 2 bytes: 710
      await visible(alice.page.getByText("5 characters too many")); // five é must go
      expect(await send.isDisabled()).toBe(true);
      await box.press("Enter");
      expect(await bubble(alice.page, "aaaa").count()).toBe(0);

      await box.fill("");
      await box.pressSequentially("line one");
      await box.press("Shift+Enter");
      await box.pressSequentially("line two");
      await box.press("Enter");
      await openChat(bob.page, "Alice");
      const received = bob.page.getByRole("log", { name: "Messages" }).locator(".text", { hasText: "line one" });
      await visible(received);
      expect(await received.textContent()).toBe("line one\nline two");
      expect(await box.inputValue()).toBe("");
    },
    TEST_MS,
  );
});
