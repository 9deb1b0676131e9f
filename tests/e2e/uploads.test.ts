/**
 * A large document in Chromium: it goes up in parts (multipart upload) with the bubble's progress
 * bar moving as parts arrive, and bob downloads the whole file. The second part is held at the
 * network layer until the test has seen the bar part-way, so nothing depends on timing.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MULTIPART_PART_BYTES } from "../../client/sdk/protocol/index.ts";
import { filler } from "../fixtures/media-files.ts";
import { bubble, openChat, startChatWith, until, visible } from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
const { person } = browserSuite();
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("web client, large documents", () => {
  it(
    "uploads a large document in parts with progress, and bob downloads it whole",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      const file = Buffer.from(filler(2 * MULTIPART_PART_BYTES + 4_321, 99));
      file.set(Buffer.from("%PDF-1.7\n"), 0);

      const parts: string[] = [];
      let release = () => {};
      const held = new Promise<void>((r) => (release = r));
      await alice.page.route("**/v1/media/uploads/*/parts/*", async (route) => {
        const part = route.request().url().split("/").at(-1) ?? "?";
        parts.push(part);
        if (part === "2") await held;
        await route.continue();
      });
      const [chooser] = await Promise.all([
        alice.page.waitForEvent("filechooser"),
        alice.page.getByRole("button", { name: "Attach a document" }).click(),
      ]);
      await chooser.setFiles({ name: "big.pdf", mimeType: "application/pdf", buffer: file });

      // Part 1 is in, part 2 held: the bar shows part of the way.
      const bar = alice.page.getByRole("progressbar", { name: "Uploading big.pdf" });
      await visible(bar);
      await until(
        "the progress bar shows the first part",
        () => bar.evaluate((el) => ((el as HTMLProgressElement).value > 0.3 ? "part-way" : "not yet")),
        "part-way",
      );
      expect(await bar.evaluate((el) => (el as HTMLProgressElement).value)).toBeLessThan(1);
      release();
      await until("the upload finishes", () => bar.count(), 0, 60_000);
      expect(parts).toEqual(["1", "2", "3"]);

      await openChat(bob.page, "Alice");
      const card = bubble(bob.page, "big.pdf");
      await visible(card);
      const [download] = await Promise.all([
        bob.page.waitForEvent("download"),
        card.getByRole("button", { name: "Download big.pdf" }).click(),
      ]);
      expect(sha256(readFileSync(await download.path()))).toBe(sha256(file));
    },
    TEST_MS,
  );
});
