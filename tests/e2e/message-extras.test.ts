/**
 * Replies, reactions, edits, forwards and documents in Chromium, as two or three people see them: each starts
 * from the message menu and ends with what the other person's screen shows.
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { bubble, hasText, messages, openChat, sendText, startChatWith, until, visible } from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
const { person } = browserSuite();

/** Opens the ⌄ menu of the bubble showing `text` and picks `item`. */
async function menu(page: Page, text: string, item: string): Promise<void> {
  const row = bubble(page, text).first();
  await row.hover();
  await row.getByRole("button", { name: "Message options" }).click();
  await page.getByRole("menuitem", { name: item }).click();
}

describe("web client, replies, reactions, edits and forwards", () => {
  it(
    "shows bob's reply with a quote of alice's message, and a click on the quote finds the original",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      await sendText(alice.page, "Dinner at eight?");
      await sendText(alice.page, "Or nine");
      await openChat(bob.page, "Alice");
      await visible(bubble(bob.page, "Dinner at eight?"));
      await menu(bob.page, "Dinner at eight?", "Reply");
      await visible(bob.page.getByRole("status", { name: "Replying to Alice" }));
      await sendText(bob.page, "Eight works");
      await until("the reply bar closes", () => bob.page.getByRole("status", { name: /Replying to/ }).count(), 0);

      const reply = bubble(alice.page, "Eight works");
      const quote = reply.getByRole("button", { name: "Reply to You: Dinner at eight?" });
      await visible(quote);
      await visible(bubble(bob.page, "Eight works").getByRole("button", { name: "Reply to Alice: Dinner at eight?" }));
      await quote.click();
      await visible(messages(alice.page).locator("li.flash", { hasText: "Dinner at eight?" }));
    },
    TEST_MS,
  );

  it(
    "shows bob's reaction under alice's message and in its info with who reacted, and takes it back",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      await sendText(alice.page, "We won the match");
      await openChat(bob.page, "Alice");
      await menu(bob.page, "We won the match", "React");
      await bob.page.getByRole("dialog", { name: "React" }).getByRole("button", { name: "React 😂" }).click();

      const chip = bubble(alice.page, "We won the match").getByRole("button", { name: "😂 1: Bob" });
      await visible(chip);
      await menu(alice.page, "We won the match", "Message info");
      const info = alice.page.getByRole("region", { name: "Message info" });
      await visible(info.locator(".reaction-entry", { hasText: "Bob" }));
      await visible(info.getByLabel("reacted 😂"));
      await bubble(bob.page, "We won the match").getByRole("button", { name: "😂 1: You" }).click();
      await until("the reaction is gone for alice", () => chip.count(), 0);
    },
    TEST_MS,
  );

  it(
    "shows alice's edited text with an 'edited' label on bob's screen",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      await sendText(alice.page, "See you at the staton");
      await openChat(bob.page, "Alice");
      await visible(bubble(bob.page, "See you at the staton"));
      await menu(alice.page, "See you at the staton", "Edit");
      const dialog = alice.page.getByRole("dialog", { name: "Edit message" });
      await dialog.getByRole("textbox", { name: "Edited text" }).fill("See you at the station");
      await dialog.getByRole("button", { name: "Save" }).click();

      const edited = bubble(bob.page, "See you at the station");
      await visible(edited);
      await hasText(edited.locator(".edited-label"), "edited");
      await until("the typo is gone", () => bubble(bob.page, "staton").count(), 0);
    },
    TEST_MS,
  );

  it(
    "forwards alice's message from bob to carol, labelled Forwarded",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      const carol = await person("Carol");
      await startChatWith(carol, bob);
      await sendText(carol.page, "Hi Bob");
      await startChatWith(alice, bob);
      await sendText(alice.page, "The code is 4711");
      await openChat(bob.page, "Alice");
      await menu(bob.page, "The code is 4711", "Forward");
      const dialog = bob.page.getByRole("dialog", { name: "Forward message" });
      await dialog.getByRole("checkbox", { name: "Carol" }).check();
      await dialog.getByRole("button", { name: "Forward" }).click();

      await openChat(carol.page, "Bob");
      const forwarded = bubble(carol.page, "The code is 4711");
      await visible(forwarded);
      await hasText(forwarded.locator(".forwarded-label"), "Forwarded");
    },
    TEST_MS,
  );
});

describe("web client, documents", () => {
  it(
    "sends a PDF from alice that bob downloads under its name",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      const pdf = Buffer.from("%PDF-1.7\nminutes of the meeting\n%%EOF\n");
      const [chooser] = await Promise.all([
        alice.page.waitForEvent("filechooser"),
        alice.page.getByRole("button", { name: "Attach a document" }).click(),
      ]);
      await chooser.setFiles({ name: "minutes.pdf", mimeType: "application/pdf", buffer: pdf });

      await openChat(bob.page, "Alice");
      const card = bubble(bob.page, "minutes.pdf");
      await visible(card);
      const [download] = await Promise.all([
        bob.page.waitForEvent("download"),
        card.getByRole("button", { name: "Download minutes.pdf" }).click(),
      ]);
      expect(download.suggestedFilename()).toBe("minutes.pdf");
      const path = await download.path();
      expect(readFileSync(path)).toEqual(pdf);
    },
    TEST_MS,
  );
});

describe("web client, voice notes", () => {
  it(
    "records a voice note alice sends, and bob sees its waveform and a player with a seek bar",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      // The microphone: a tone from an oscillator (headless Chromium has no audio device).
      await alice.page.evaluate(() => {
        navigator.mediaDevices.getUserMedia = async () => {
          const audio = new AudioContext();
          const tone = audio.createOscillator();
          const out = audio.createMediaStreamDestination();
          tone.connect(out);
          tone.start();
          return out.stream;
        };
      });
      await alice.page.getByRole("button", { name: "Record a voice note" }).click();
      await visible(alice.page.getByRole("status", { name: "Recording a voice note" }));
      await new Promise((r) => setTimeout(r, 1_500));
      await alice.page.getByRole("button", { name: "Send voice note" }).click();

      await openChat(bob.page, "Alice");
      const player = messages(bob.page).getByLabel("Voice note");
      await visible(player);
      expect(await player.evaluate((a) => (a as HTMLAudioElement).controls)).toBe(true);
      await until("the audio loads", () => player.evaluate((a) => (a as HTMLAudioElement).readyState >= 1), true);
      expect(await messages(bob.page).locator(".voice-waveform rect").count()).toBeGreaterThan(5);
      await visible(messages(bob.page).locator(".voice-length"));
    },
    TEST_MS,
  );
});
