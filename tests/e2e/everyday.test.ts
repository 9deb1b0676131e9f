/**
 * Everyday things WhatsApp Web users expect, in Chromium: an emoji picker (searchable, with recent
 * emoji, fetched only when first opened), pictures dropped on the chat or pasted into the box (each
 * file previewed with its own caption), search in a chat (older pages on demand) with a jump to the
 * result, the unread count in the tab title and the favicon, and adding group members from the
 * people one already chats with.
 */
import { describe, expect, it } from "vitest";
import {
  bubble,
  conversationTitle,
  hasText,
  makePng,
  openChat,
  sendText,
  startChatWith,
  startGroupWith,
  until,
  visible,
  type Person,
} from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
const { person } = browserSuite();

const SENT = /Sent|Delivered|Read/;

/** Files as a page would hand them over (drop or paste), built inside the page from bytes. */
async function transfer(p: Person, files: Array<{ name: string; type: string; base64: string }>) {
  return p.page.evaluateHandle((list) => {
    const data = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      data.items.add(new File([bytes], f.name, { type: f.type }));
    }
    return data;
  }, files);
}

describe("web client, everyday features", () => {
  it(
    "inserts an emoji from the picker, found by search, and lists it under Recent next time; the picker is fetched on first use",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      const chunks: string[] = [];
      alice.page.on("request", (r) => r.url().includes("/assets/") && chunks.push(r.url()));
      await startChatWith(alice, bob);
      expect(chunks.some((u) => /EmojiPicker/.test(u))).toBe(false);

      const box = alice.page.getByRole("textbox", { name: "Type a message" });
      await box.fill("Party time ");
      await alice.page.getByRole("button", { name: "Emoji", exact: true }).click();
      const picker = alice.page.getByRole("dialog", { name: "Emoji" });
      await visible(picker);
      expect(chunks.some((u) => /EmojiPicker/.test(u))).toBe(true);
      await picker.getByRole("searchbox", { name: "Search emoji" }).fill("tada");
      await picker.getByRole("button", { name: "party" }).click();
      await until("text with the emoji", () => box.inputValue(), "Party time 🎉");
      await box.press("Enter");
      await visible(bubble(alice.page, "Party time 🎉").getByRole("img", { name: SENT }));
      await alice.page.keyboard.press("Escape"); // the picker stays open after a pick, as WhatsApp's does
      await until("picker closed", () => picker.count(), 0);

      await alice.page.getByRole("button", { name: "Emoji", exact: true }).click();
      await visible(picker.getByRole("region", { name: "Recent" }).getByRole("button", { name: "party" }));
      await alice.page.keyboard.press("Escape");
      await until("picker closed", () => picker.count(), 0);
      await hasText(conversationTitle(alice.page), "Bob"); // Escape closed the picker, not the chat
    },
    TEST_MS,
  );

  it(
    "sends two pictures dropped on the chat, each with its own caption, and a picture pasted into the box",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      const png = (w: number, h: number) => makePng(w, h).toString("base64");
      const dropped = await transfer(alice, [
        { name: "one.png", type: "image/png", base64: png(40, 30) },
        { name: "two.png", type: "image/png", base64: png(30, 40) },
      ]);
      const pane = alice.page.getByRole("region", { name: "Conversation" });
      await pane.dispatchEvent("dragover", { dataTransfer: dropped });
      await pane.dispatchEvent("drop", { dataTransfer: dropped });

      const dialog = alice.page.getByRole("dialog", { name: "Send photo" });
      for (const caption of ["First of two", "Second of two"]) {
        await visible(dialog.getByRole("img", { name: "Preview of the photo to send" }));
        await dialog.getByRole("textbox", { name: "Add a caption" }).fill(caption);
        await dialog.getByRole("button", { name: "Send" }).click();
        await visible(bubble(alice.page, caption).getByRole("img", { name: SENT }));
      }
      await until("no dialog left", () => dialog.count(), 0);

      const pasted = await transfer(alice, [{ name: "clip.png", type: "image/png", base64: png(50, 50) }]);
      // A paste as Chromium delivers it: a ClipboardEvent whose data holds the file.
      await alice.page
        .getByRole("textbox", { name: "Type a message" })
        .evaluate(
          (box, data) =>
            box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true })),
          pasted,
        );
      await visible(dialog.getByRole("img", { name: "Preview of the photo to send" }));
      await dialog.getByRole("textbox", { name: "Add a caption" }).fill("Pasted");
      await dialog.getByRole("button", { name: "Send" }).click();
      await visible(bubble(alice.page, "Pasted").getByRole("img", { name: SENT }));

      await openChat(bob.page, "Alice");
      for (const caption of ["First of two", "Second of two", "Pasted"])
        await visible(bubble(bob.page, caption).getByRole("img", { name: "Photo" }));
    },
    TEST_MS,
  );

  it(
    "finds a message in the chat, older history included on demand, and jumps to it",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      // The first message, then more than a history page (50) after it: bob's first load lacks it.
      const chatId = new URL(alice.page.url()).searchParams.get("c") ?? "";
      await sendText(alice.page, "The café is on Rue Cler");
      await visible(bubble(alice.page, "The café is on Rue Cler").getByRole("img", { name: SENT }));
      const token = await alice.page.evaluate(
        () => JSON.parse(localStorage.getItem("messenger.session") ?? "{}").token as string,
      );
      for (let i = 0; i < 55; i++) {
        const r = await alice.page.request.post(`/v1/conversations/${chatId}/messages`, {
          headers: { authorization: `Bearer ${token}` },
          data: { clientId: `filler-${i}`, text: `filler ${i}` },
        });
        expect(r.ok()).toBe(true);
      }

      await openChat(bob.page, "Alice");
      await visible(bubble(bob.page, "filler 54"));
      await bob.page.getByRole("button", { name: "Search messages" }).click();
      const panel = bob.page.getByRole("region", { name: "Search messages" });
      await panel.getByRole("searchbox", { name: "Search messages in this chat" }).fill("cafe");
      await visible(panel.getByRole("status").filter({ hasText: "No messages found in the messages loaded so far" }));
      await panel.getByRole("button", { name: "Search older messages" }).click();
      const hit = panel.getByRole("list", { name: "Messages found" }).getByRole("button", { name: /Rue Cler/ });
      await visible(hit);
      await hit.click();
      const found = bubble(bob.page, "The café is on Rue Cler");
      await until("highlighted", () => found.evaluate((el) => el.classList.contains("highlight")), true);
      await until(
        "scrolled into view",
        () =>
          found.evaluate((el) => {
            const box = el.getBoundingClientRect();
            return box.top >= 0 && box.bottom <= window.innerHeight;
          }),
        true,
      );
    },
    TEST_MS,
  );

  it(
    "shows the unread count in the tab title and on the favicon, and clears both once read",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      await sendText(alice.page, "One");
      await sendText(alice.page, "Two");
      await until("bob's title", () => bob.page.title(), "(2) Edge Messenger");
      const icon = () =>
        bob.page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.href ?? "");
      expect(decodeURIComponent(await icon())).toMatch(/^data:image\/svg\+xml,.*>2<\/text>/);
      await openChat(bob.page, "Alice");
      await until("bob's title", () => bob.page.title(), "Edge Messenger");
      expect(await icon()).toMatch(/\/favicon\.svg$/);
    },
    TEST_MS,
  );

  it(
    "suggests the people alice already chats with when she adds members to a group",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      const carol = await person("Carol");
      await startChatWith(alice, carol);
      await sendText(alice.page, "Hi Carol");
      await startGroupWith(alice, [bob], "Picnic");

      await alice.page.getByRole("button", { name: "Picnic: group info" }).click();
      const panel = alice.page.getByRole("region", { name: "Group info" });
      await panel.getByRole("button", { name: "+ Add members" }).click();
      // Nothing typed: the people of alice's chats, carol among them.
      const suggestions = panel.getByRole("list", { name: "People you chat with" });
      await suggestions.getByRole("checkbox", { name: /Carol/ }).check();
      await panel.getByRole("button", { name: "Add 1" }).click();
      await visible(panel.getByText("3 members").first());
    },
    TEST_MS,
  );
});
