/**
 * The offer to turn on notifications, in Chromium: a banner after sign-up (no permission prompt on
 * load), "Not now" remembered for that person on this browser, and the profile drawer's button kept.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { logIn, register, until, visible } from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
const { person } = browserSuite();

function banner(page: Page) {
  return page.getByRole("region", { name: "Notifications", exact: true });
}

/** Reloads and waits for the chat list: the banner, if any, renders with it. */
async function reload(page: Page): Promise<void> {
  await page.reload();
  await visible(page.getByRole("heading", { name: "Chats" }));
}

describe("web client, the notifications banner", () => {
  it(
    "offers notifications after sign-up, and 'Not now' hides the offer for good",
    async () => {
      const alice = await person("Alice");
      const offer = banner(alice.page);
      await visible(offer.getByText("Get notified of new messages, even when Edge Messenger is closed."));
      await visible(offer.getByRole("button", { name: "Enable" }));
      // A banner, not the browser's permission prompt: nothing was asked on load.
      expect(await alice.page.evaluate(() => Notification.permission)).toBe("default");

      await offer.getByRole("button", { name: "Not now" }).click();
      await until("the banner gone", () => offer.count(), 0);
      await reload(alice.page);
      expect(await offer.count()).toBe(0);

      // Still gone after logging out and in; the profile drawer still offers notifications.
      await alice.page.getByRole("button", { name: "Profile and settings" }).click();
      await visible(alice.page.getByRole("button", { name: "Turn on notifications" }));
      await alice.page.getByRole("button", { name: "Log out" }).click();
      await logIn(alice.page, alice);
      expect(await offer.count()).toBe(0);

      // Alice's "Not now" is hers: Bob, signing up on the same browser, is asked.
      await alice.page.getByRole("button", { name: "Profile and settings" }).click();
      await alice.page.getByRole("button", { name: "Log out" }).click();
      await visible(alice.page.getByRole("heading", { name: "Log in" }));
      await register(alice.page, "Bob");
      await visible(offer.getByRole("button", { name: "Not now" }));
    },
    TEST_MS,
  );

  it(
    "asks the browser for permission on 'Enable', says so when refused, and stops offering",
    async () => {
      const alice = await person("Alice");
      // Headless Chromium answers the permission prompt with "Block", as a person may.
      await banner(alice.page).getByRole("button", { name: "Enable" }).click();
      await visible(
        alice.page.getByRole("status").filter({ hasText: "Notifications are blocked in the browser settings" }),
      );
      await until("the banner gone", () => banner(alice.page).count(), 0);
      expect(await alice.page.evaluate(() => Notification.permission)).toBe("denied");
      await reload(alice.page);
      expect(await banner(alice.page).count()).toBe(0);
    },
    TEST_MS,
  );
});
