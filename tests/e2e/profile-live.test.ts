/**
 * In Chromium: a profile change shows up for the people bob chats with without a reload (chat list,
 * conversation header, group member list), and a fresh device draws its read ticks from the chat list.
 */
import { describe, expect, it } from "vitest";
import {
  bubble,
  chatListRow,
  conversationTitle,
  hasText,
  logIn,
  makePng,
  openApp,
  openChat,
  sendText,
  startChatWith,
  startGroupWith,
  tick,
  until,
  visible,
  type Person,
} from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
const { person, browser, baseUrl } = browserSuite();

const chatRow = (p: Person, title: RegExp) => chatListRow(p.page, title);

describe("web client, live profiles and receipts", () => {
  it(
    "shows bob's new name and picture to alice at once: chat list, header and group members",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      await sendText(alice.page, "Hi Bob");

      // A group with both of them, its member list open on alice's screen.
      await startGroupWith(alice, [bob], "Book club");
      await alice.page.getByRole("button", { name: /Book club: group info/ }).click();
      const info = alice.page.getByRole("region", { name: "Group info" });
      await visible(info.getByText("Bob", { exact: true }));

      // Bob renames himself and sets a picture, in his own browser.
      await bob.page.getByRole("button", { name: "Profile and settings" }).click();
      const name = bob.page.getByRole("textbox", { name: "Your name" });
      await name.fill("Robert");
      await name.press("Enter");
      await visible(bob.page.getByRole("status").filter({ hasText: "Saved" }));
      const [chooser] = await Promise.all([
        bob.page.waitForEvent("filechooser"),
        bob.page.getByRole("button", { name: "Change profile photo" }).click(),
      ]);
      await chooser.setFiles({ name: "me.png", mimeType: "image/png", buffer: makePng(120, 120) });

      // Alice, without reloading: the group's member list, the chat list, the direct chat's header.
      await visible(info.getByText("Robert", { exact: true }));
      await visible(chatRow(alice, /^Robert/));
      const avatar = chatRow(alice, /^Robert/).locator(".avatar img");
      await until(
        "bob's picture in alice's list",
        () => avatar.evaluate((i) => (i as HTMLImageElement).naturalWidth),
        120,
      );
      await openChat(alice.page, "Robert");
      await hasText(conversationTitle(alice.page), "Robert");
    },
    TEST_MS,
  );

  it(
    "gives alice's new device its read ticks with the chat list, before any chat is opened",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      await sendText(alice.page, "Read me");
      await openChat(bob.page, "Alice");
      await visible(bubble(bob.page, "Read me"));
      await until("alice's tick", () => tick(bubble(alice.page, "Read me")).getAttribute("aria-label"), "Read");
      // Her device has acked the status event, so her log no longer holds it for a new device.
      await new Promise((r) => setTimeout(r, 1_000));

      const fresh = await openApp(browser(), baseUrl());
      try {
        const statusAsked: string[] = [];
        fresh.page.on("request", (r) => {
          if (/\/messages\/\d+\/status$/.test(new URL(r.url()).pathname)) statusAsked.push(r.url());
        });
        await logIn(fresh.page, alice);
        const row = chatListRow(fresh.page, /^Bob/);
        await until("the tick in the list", () => tick(row).getAttribute("aria-label"), "Read");
        expect(statusAsked).toEqual([]);
      } finally {
        await fresh.context.close();
      }
    },
    TEST_MS,
  );
});
