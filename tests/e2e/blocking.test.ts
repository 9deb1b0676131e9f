/**
 * In Chromium: alice blocks bob from his contact info. Bob's next message shows one tick on his
 * screen and never appears on hers — not after a reload, not after she unblocks him from her
 * settings — while his later messages do. Her second browser shows the same blocked list.
 */
import { describe, expect, it } from "vitest";
import {
  bubble,
  conversationTitle,
  hasText,
  logIn,
  messages,
  openApp,
  openChat,
  sendText,
  startChatWith,
  tick,
  until,
  visible,
} from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
const { person, browser, baseUrl } = browserSuite();

describe("web client, blocking", () => {
  it(
    "withholds what bob sends while alice blocks him, for good, and keeps her blocked list on every device",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(bob, alice);
      await sendText(bob.page, "Hello Alice");
      await openChat(alice.page, "Bob");
      await visible(bubble(alice.page, "Hello Alice"));

      // Alice blocks bob from his contact info: her composer gives way to an unblock bar.
      await alice.page.getByRole("button", { name: /Bob: contact info/ }).click();
      const info = alice.page.getByRole("region", { name: "Contact info" });
      await info.getByRole("button", { name: "Block Bob" }).click();
      await visible(info.getByRole("button", { name: "Unblock Bob" }));
      await visible(alice.page.getByText("You blocked this contact."));
      expect(await alice.page.getByRole("textbox", { name: "Type a message" }).count()).toBe(0);

      // Her second browser has the same list in its settings.
      const second = await openApp(browser(), baseUrl());
      try {
        await logIn(second.page, alice);
        await second.page.getByRole("button", { name: "Profile and settings" }).click();
        const list = second.page.getByRole("list", { name: "Blocked contacts" });
        await visible(list.getByText("Bob", { exact: true }));

        // Bob writes: one tick for him, nothing for her.
        await sendText(bob.page, "Are you there?");
        await until("bob's tick", () => tick(bubble(bob.page, "Are you there?")).getAttribute("aria-label"), "Sent");
        await new Promise((r) => setTimeout(r, 1_500));
        expect(await bubble(alice.page, "Are you there?").count()).toBe(0);
        expect(await tick(bubble(bob.page, "Are you there?")).getAttribute("aria-label")).toBe("Sent");

        // She unblocks him from the second browser's settings; the first one follows.
        await list.getByRole("button", { name: "Unblock Bob" }).click();
        await visible(second.page.getByText("Nobody. Block someone from their contact info."));
        await visible(info.getByRole("button", { name: "Block Bob" }));
        await visible(alice.page.getByRole("textbox", { name: "Type a message" }));
      } finally {
        await second.context.close();
      }

      // His next message arrives; the one sent during the block never does, not even after a reload.
      await sendText(bob.page, "Back again");
      await visible(bubble(alice.page, "Back again"));
      await alice.page.reload();
      await openChat(alice.page, "Bob");
      await hasText(conversationTitle(alice.page), "Bob");
      await visible(bubble(alice.page, "Back again"));
      const texts = await messages(alice.page).getByRole("listitem").allTextContents();
      expect(texts.some((t) => t.includes("Are you there?"))).toBe(false);
      expect(texts.some((t) => t.includes("Hello Alice"))).toBe(true);
    },
    TEST_MS,
  );
});
