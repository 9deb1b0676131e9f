/**
 * In Chromium: alice is signed in on two browsers. From the first one's settings she sees both
 * devices and signs the other out: it shows the login screen at once. Then she changes her password,
 * and the new one is what logs her in.
 */
import { describe, expect, it } from "vitest";
import { logIn, openApp, until, visible } from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
const { person, browser, baseUrl } = browserSuite();

describe("web client, devices and password", () => {
  it(
    "signs alice's other browser out from her settings at once, and changes her password",
    async () => {
      const alice = await person("Alice");
      const other = await openApp(browser(), baseUrl());
      const fresh = await openApp(browser(), baseUrl());
      try {
        await logIn(other.page, alice);
        await alice.page.getByRole("button", { name: "Profile and settings" }).click();
        const devices = alice.page.getByRole("list", { name: "Signed-in devices" });
        await visible(devices.getByText("This device"));
        // The list was read when the drawer opened; the other browser logged in before that.
        expect(await devices.getByRole("listitem").count()).toBe(2);
        await visible(devices.getByText(/Chrome/));

        await alice.page.getByRole("button", { name: "Sign out all other devices" }).click();
        await visible(other.page.getByRole("heading", { name: "Log in" }));
        await until("one device left", () => devices.getByRole("listitem").count(), 1);

        await alice.page.getByLabel("Current password").fill(alice.password);
        await alice.page.getByLabel("New password").fill("a-brand-new-pass-7");
        await alice.page.getByRole("button", { name: "Change password" }).click();
        await visible(alice.page.getByRole("status").filter({ hasText: "Password changed." }));
        await logIn(fresh.page, { username: alice.username, password: "a-brand-new-pass-7" });
      } finally {
        await other.context.close();
        await fresh.context.close();
      }
    },
    TEST_MS,
  );
});
