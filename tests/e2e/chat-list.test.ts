/**
 * In Chromium: alice's chat list state — pin, archive, mute, mark unread, delete chat for me — set
 * from each row's menu (mouse, right click and keyboard), and the same on her second browser.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  bubble,
  chatListRow,
  logIn,
  messages,
  openApp,
  openChat,
  sendText,
  startChatWith,
  until,
  visible,
} from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 150_000;
const { person, browser, baseUrl } = browserSuite();

/** The titles of the chat list's rows, top first, joined with " | ". */
async function rowTitles(page: Page): Promise<string> {
  const names = await page
    .getByRole("navigation", { name: "Chat list" })
    .locator("li.chat-row-item .chat-row-name")
    .allTextContents();
  return names.map((n) => n.replace(/,.*$/, "").trim()).join(" | ");
}

/** Opens the row's menu with its ⌄ button and picks `item`. */
async function fromMenu(page: Page, title: string, item: string): Promise<void> {
  const row = chatListRow(page, new RegExp(`^${title}`));
  await row.hover();
  await page.getByRole("button", { name: `Chat options for ${title}` }).click();
  await page
    .getByRole("menu", { name: `Chat options for ${title}` })
    .getByRole("menuitem", { name: item })
    .click();
}

describe("web client, chat list state", () => {
  it(
    "pins a chat on top and archives another until its next message, on both of alice's browsers",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      const carol = await person("Carol");
      await startChatWith(bob, alice);
      await sendText(bob.page, "Hi from Bob");
      await startChatWith(carol, alice);
      await sendText(carol.page, "Hi from Carol");
      await until("alice's list", () => rowTitles(alice.page), "Carol | Bob");

      // Keyboard: focus Bob's row, Shift+F10 opens its menu, arrows move, Enter picks "Pin chat".
      await chatListRow(alice.page, /^Bob/).focus();
      await alice.page.keyboard.press("Shift+F10");
      const menu = alice.page.getByRole("menu", { name: "Chat options for Bob" });
      await visible(menu);
      await menu.getByRole("menuitem", { name: "Pin chat" }).focus();
      await alice.page.keyboard.press("Enter");
      await until("pinned on top", () => rowTitles(alice.page), "Bob | Carol");
      await visible(chatListRow(alice.page, /^Bob/).getByRole("img", { name: "Pinned" }));

      const second = await openApp(browser(), baseUrl());
      try {
        await logIn(second.page, alice);
        await until("second browser's order", () => rowTitles(second.page), "Bob | Carol");

        // Right click on Carol's row: archive. Gone from both lists, under "Archived".
        await chatListRow(alice.page, /^Carol/).click({ button: "right" });
        await alice.page
          .getByRole("menu", { name: "Chat options for Carol" })
          .getByRole("menuitem", { name: "Archive chat" })
          .click();
        await until("carol archived", () => rowTitles(alice.page), "Bob");
        await until("carol archived there too", () => rowTitles(second.page), "Bob");
        await second.page.getByRole("button", { name: /^Archived/ }).click();
        const archived = second.page.getByRole("region", { name: "Archived chats" });
        await visible(archived.getByRole("button", { name: /^Carol/ }));
        await second.page.getByRole("button", { name: "Back to chats" }).click();

        // Carol writes again: her chat comes back (below the pinned one) on both browsers.
        await sendText(carol.page, "Still there?");
        await until("carol is back", () => rowTitles(alice.page), "Bob | Carol");
        await until("carol is back there too", () => rowTitles(second.page), "Bob | Carol");
        expect(await alice.page.getByRole("button", { name: /^Archived/ }).count()).toBe(0);

        // A muted archived chat stays archived when a message arrives.
        await fromMenu(alice.page, "Bob", "Mute always");
        await visible(chatListRow(second.page, /^Bob/).getByRole("img", { name: "Muted" }));
        await fromMenu(alice.page, "Bob", "Archive chat");
        await until("bob archived", () => rowTitles(alice.page), "Carol");
        await sendText(bob.page, "Muted news");
        await alice.page.getByRole("button", { name: /^Archived/ }).click();
        const mine = alice.page.getByRole("region", { name: "Archived chats" });
        await visible(mine.getByRole("button", { name: /^Bob.*Muted news/ }));
        await alice.page.reload();
        await until("still archived after a reload", () => rowTitles(alice.page), "Carol");
      } finally {
        await second.context.close();
      }
    },
    TEST_MS,
  );

  it(
    "marks a chat unread until opened, and deletes a chat for alice only until bob writes again",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(bob, alice);
      await sendText(bob.page, "First words");
      await openChat(alice.page, "Bob");
      await visible(bubble(alice.page, "First words"));

      await fromMenu(alice.page, "Bob", "Mark as unread");
      const dot = chatListRow(alice.page, /^Bob/).getByRole("img", { name: "Marked unread" });
      await visible(dot);
      await openChat(alice.page, "Bob");
      await until("dot gone once opened", () => dot.count(), 0);

      // Delete chat: the dialog focuses Cancel; deleting empties her list, also after a reload.
      await fromMenu(alice.page, "Bob", "Delete chat");
      const dialog = alice.page.getByRole("dialog", { name: /Delete chat with Bob/ });
      await visible(dialog);
      expect(await dialog.getByRole("button", { name: "Cancel" }).evaluate((b) => b === document.activeElement)).toBe(
        true,
      );
      await dialog.getByRole("button", { name: "Delete chat" }).click();
      await until("bob's chat gone", () => rowTitles(alice.page), "");
      await alice.page.reload();
      await visible(alice.page.getByText("No chats yet."));

      // Bob still has his copy; his next message brings the chat back to her with that message only.
      await visible(bubble(bob.page, "First words"));
      await sendText(bob.page, "Second words");
      await until("bob's chat back", () => rowTitles(alice.page), "Bob");
      // After a reload the chat's messages come from history: the one from before the delete stays gone.
      await alice.page.reload();
      await openChat(alice.page, "Bob");
      await visible(bubble(alice.page, "Second words"));
      expect(await messages(alice.page).getByRole("listitem").filter({ hasText: "words" }).count()).toBe(1);
      expect(await bubble(alice.page, "First words").count()).toBe(0);
    },
    TEST_MS,
  );

  it(
    "searches across chats on this device and jumps to the message found",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      const carol = await person("Carol");
      await startChatWith(bob, alice);
      await sendText(bob.page, "Pancakes on Sunday?");
      for (let i = 1; i <= 30; i++) await sendText(bob.page, `filler ${i}`);
      await startChatWith(carol, alice);
      await sendText(carol.page, "I made pancakes");
      await openChat(alice.page, "Bob");
      await visible(bubble(alice.page, "filler 30"));
      await openChat(alice.page, "Carol");

      const search = alice.page.getByRole("searchbox", { name: /search chats or find people/i });
      await search.fill("pancakes");
      const found = alice.page.getByRole("list", { name: "Messages found" });
      await visible(found.getByRole("button", { name: /^Carol.*I made pancakes/ }));
      await found.getByRole("button", { name: /^Bob.*Pancakes on Sunday\?/ }).click();
      const target = bubble(alice.page, "Pancakes on Sunday?");
      await visible(target);
      await until(
        "scrolled to it",
        () =>
          target.evaluate((el) => {
            const box = el.getBoundingClientRect();
            const pane = el.closest("[role=log]")?.getBoundingClientRect();
            return pane !== undefined && box.top >= pane.top && box.bottom <= pane.bottom;
          }),
        true,
      );
      expect(await search.inputValue()).toBe("");
    },
    TEST_MS,
  );
});
