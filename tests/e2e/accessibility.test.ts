/**
 * An automated accessibility check (axe-core, WCAG 2.2 A/AA rules) over the main screens in
 * Chromium, in the light and dark themes: sign-in, the chat list, an open chat, contact and group
 * info, the profile, a new group and the delete dialog. It fails on any serious or critical
 * violation. Keyboard behaviour (focus moving into panels and back, Escape) is asserted by hand.
 */
import { describe, expect, it } from "vitest";
import { bubble, hasText, openApp, sendText, startChatWith, until, visible, type Person } from "./browser.ts";
import { seriousViolations } from "./axe.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 180_000;
const { person, browser, baseUrl } = browserSuite();

/** Every screen is checked before the test fails, so one run reports all of them. */
const found: Array<{ screen: string; id: string; targets: string[] }> = [];
async function expectNoSeriousViolations(p: Person["page"], screen: string): Promise<void> {
  for (const v of await seriousViolations(p)) found.push({ screen, id: v.id, targets: v.targets });
}

describe("web client, accessibility", () => {
  it(
    "has no serious or critical axe violations on the main screens, light and dark",
    async () => {
      const signIn = await openApp(browser(), baseUrl());
      await visible(signIn.page.getByRole("heading", { name: "Log in" }));
      await expectNoSeriousViolations(signIn.page, "log in");
      await signIn.context.close();

      const alice = await person("Alice");
      const bob = await person("Bob");
      for (const scheme of ["light", "dark"] as const) {
        await alice.page.emulateMedia({ colorScheme: scheme });
        await alice.page.goto("/");
        await visible(alice.page.getByRole("heading", { name: "Chats" }));
        await expectNoSeriousViolations(alice.page, `${scheme}: chat list`);
        if (scheme === "light") {
          await startChatWith(alice, bob);
          await sendText(alice.page, "Hello Bob, a long enough message to wrap nicely");
          await visible(bubble(alice.page, "Hello Bob").getByRole("img", { name: /Sent|Delivered|Read/ }));
        } else {
          await alice.page.getByRole("navigation", { name: "Chat list" }).getByRole("button", { name: /^Bob/ }).click();
          await hasText(alice.page.locator(".conversation-title"), "Bob");
        }
        await expectNoSeriousViolations(alice.page, `${scheme}: open chat`);

        await alice.page.getByRole("button", { name: "Bob: contact info" }).click();
        await visible(alice.page.getByRole("region", { name: "Contact info" }));
        await expectNoSeriousViolations(alice.page, `${scheme}: contact info`);
        await alice.page.keyboard.press("Escape");

        const row = bubble(alice.page, "Hello Bob");
        await row.hover();
        await row.getByRole("button", { name: "Message options" }).click();
        await alice.page.getByRole("menuitem", { name: "Delete" }).click();
        await visible(alice.page.getByRole("dialog", { name: "Delete message?" }));
        await expectNoSeriousViolations(alice.page, `${scheme}: delete dialog`);
        await alice.page.keyboard.press("Escape");

        await alice.page.getByRole("button", { name: "Profile and settings" }).click();
        await visible(alice.page.getByRole("heading", { name: "Profile" }));
        await expectNoSeriousViolations(alice.page, `${scheme}: profile`);
        await alice.page.keyboard.press("Escape");

        await alice.page.getByRole("button", { name: "New group" }).click();
        await alice.page.getByRole("searchbox", { name: "Search people by username" }).fill(bob.username);
        await visible(alice.page.getByRole("checkbox", { name: /Bob/ }));
        await expectNoSeriousViolations(alice.page, `${scheme}: new group`);
        await alice.page.keyboard.press("Escape");
      }
      // One line per finding: screen | rule | first elements.
      expect(found.map((f) => `${f.screen} | ${f.id} | ${f.targets.slice(0, 4).join(" ; ")}`)).toEqual([]);
    },
    TEST_MS,
  );

  it(
    "moves focus into a panel when it opens and back to its opener on Escape; Escape then closes the chat",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      const opener = alice.page.getByRole("button", { name: "Bob: contact info" });
      await opener.click();
      const panel = alice.page.getByRole("region", { name: "Contact info" });
      await visible(panel);
      await until("focus inside the panel", () => panel.evaluate((el) => el.contains(document.activeElement)), true);
      await alice.page.keyboard.press("Escape");
      await until("panel closed", () => panel.count(), 0);
      await until("focus back on the opener", () => opener.evaluate((el) => el === document.activeElement), true);
      await alice.page.keyboard.press("Escape");
      await until("chat closed", () => alice.page.locator(".conversation-title").count(), 0);
    },
    TEST_MS,
  );

  it(
    "reaches search results with ArrowDown and opens one with Enter",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      const search = alice.page.getByRole("searchbox", { name: /search chats or find people/i });
      await search.fill(bob.username);
      await visible(alice.page.getByRole("list", { name: "People" }).getByRole("button", { name: /Bob/ }));
      await search.press("ArrowDown");
      await until(
        "focused result",
        () =>
          alice.page.evaluate(
            (username) => document.activeElement?.textContent?.endsWith(`Bob@${username}`) ?? false,
            bob.username,
          ),
        true,
      );
      await alice.page.keyboard.press("Enter");
      await hasText(alice.page.locator(".conversation-title"), "Bob");
    },
    TEST_MS,
  );
});
