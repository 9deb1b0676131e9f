/**
 * In Chromium: bob sees alice's about in her contact info; she chooses "Nobody" for her profile
 * photo and about in her settings, and bob's open contact info drops it without a reload; back to
 * "Everyone", it returns.
 */
import { describe, expect, it } from "vitest";
import { openChat, sendText, startChatWith, visible } from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
const { person } = browserSuite();

describe("web client, profile photo and about privacy", () => {
  it(
    "hides alice's about from bob as soon as she chooses nobody, and shows it again for everyone",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      await sendText(alice.page, "Hi Bob");

      await alice.page.getByRole("button", { name: "Profile and settings" }).click();
      const about = alice.page.getByRole("textbox", { name: "About" });
      await about.fill("Gone fishing");
      await about.press("Enter");
      await visible(alice.page.getByRole("status").filter({ hasText: "Saved" }));

      await openChat(bob.page, "Alice");
      await bob.page.getByRole("button", { name: /Alice: contact info/ }).click();
      const info = bob.page.getByRole("region", { name: "Contact info" });
      await visible(info.getByText("Gone fishing"));

      const setting = alice.page.getByLabel("Who can see my profile photo and about");
      await setting.selectOption("nobody");
      await visible(info.getByText(/Hey there!/));
      expect(await info.getByText("Gone fishing").count()).toBe(0);
      await visible(info.getByText("Alice", { exact: true }));

      await setting.selectOption("everyone");
      await visible(info.getByText("Gone fishing"));
    },
    TEST_MS,
  );
});
