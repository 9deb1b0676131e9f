/**
 * Everyday things WhatsApp Web users expect, in Chromium: an emoji picker (searchable, with recent
 * emoji, fetched only when first opened), pictures dropped on the chat or pasted into the box (each
 * file previewed with its own caption), the unread count in the tab title and the favicon, and
 * adding group members from the people one already chats with.
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
});
