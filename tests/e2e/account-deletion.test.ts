/**
 * In Chromium: alice deletes her account from her settings, confirming with her password (a wrong
 * one is refused and changes nothing). Both her browsers show the login screen at once; bob's chat
 * with her now names "Deleted account" and still holds what she sent; her username logs nobody in.
 */
import { describe, it } from "vitest";
import {
  bubble,
  conversationTitle,
  hasText,
  logIn,
  openApp,
  openChat,
  sendText,
  startChatWith,
  visible,
} from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
const { person, browser, baseUrl } = browserSuite();

describe("web client, deleting an account", () => {
  it(
    "deletes alice's account with her password: signed out everywhere, 'Deleted account' for bob",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      await sendText(alice.page, "Keep this one");
      await openChat(bob.page, "Alice");
      await visible(bubble(bob.page, "Keep this one"));

      const other = await openApp(browser(), baseUrl());
      try {
        await logIn(other.page, alice);
        await alice.page.getByRole("button", { name: "Profile and settings" }).click();
        await alice.page.getByRole("button", { name: "Delete my account…" }).click();
        await alice.page.getByLabel("Your password").fill("not-the-password");
        await alice.page.getByRole("button", { name: "Delete my account", exact: true }).click();
        await visible(alice.page.getByRole("alert").filter({ hasText: "The password is wrong." }));

        await alice.page.getByLabel("Your password").fill(alice.password);
        await alice.page.getByRole("button", { name: "Delete my account", exact: true }).click();
        await visible(alice.page.getByRole("heading", { name: "Log in" }));
        await visible(other.page.getByRole("heading", { name: "Log in" }));

        // Bob's open chat follows the profile event: her name is gone, her message stays.
        await hasText(conversationTitle(bob.page), "Deleted account");
        await visible(bubble(bob.page, "Keep this one"));

        // Her old username and password log nobody in.
        await other.page.getByLabel("Username").fill(alice.username);
        await other.page.getByLabel("Password").fill(alice.password);
        await other.page.getByRole("button", { name: "Log in" }).click();
        await visible(other.page.getByRole("alert"));
      } finally {
        await other.context.close();
      }
    },
    TEST_MS,
  );
});
