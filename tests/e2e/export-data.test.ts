/**
 * In Chromium: alice exports her data from her settings. The button starts the export, the client
 * polls while the server prepares it, then a download link appears; the file it saves is the JSON
 * archive with her profile and her chat with bob, holding the message they exchanged.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DataArchive } from "../../client/sdk/protocol/index.ts";
import { bubble, openChat, sendText, startChatWith, visible } from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
const { person } = browserSuite();

describe("web client, exporting my data", () => {
  it(
    "starts an export, waits for it, and downloads messenger-export.json with her chat in it",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      await sendText(alice.page, "Keep this in my archive");
      await openChat(bob.page, "Alice");
      await visible(bubble(bob.page, "Keep this in my archive"));

      await alice.page.getByRole("button", { name: "Profile and settings" }).click();
      await alice.page.getByRole("button", { name: "Export my data" }).click();
      const link = alice.page.getByRole("link", { name: "Download messenger-export.json" });
      await visible(link, 60_000);
      const [download] = await Promise.all([alice.page.waitForEvent("download"), link.click()]);
      expect(download.suggestedFilename()).toBe("messenger-export.json");
      const archive = DataArchive.parse(JSON.parse(readFileSync(await download.path(), "utf8")));
      expect(archive.user.username).toBe(alice.username);
      expect(archive.conversations).toHaveLength(1);
      expect(archive.conversations[0]!.messages.map((m) => m.text)).toContain("Keep this in my archive");
    },
    TEST_MS,
  );
});
