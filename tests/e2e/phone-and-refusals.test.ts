/**
 * In Chromium: on a phone, a one-line bubble's options arrow never covers its time and ticks; a
 * refused upload keeps its bubble, with Retry and Discard, after a reload; and formatted text and
 * links show as such (links open in a new tab without a referrer, and nothing is fetched for them).
 */
import type { Locator } from "playwright-core";
import { describe, expect, it } from "vitest";
import { PHONE, bubble, makePng, openChat, sendText, startChatWith, visible } from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
const { person } = browserSuite();

async function box(locator: Locator) {
  const b = await locator.boundingBox();
  if (!b) throw new Error("not laid out");
  return b;
}

const overlap = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe("web client, phone layout and refused uploads", () => {
  it(
    "keeps the options arrow of a one-line bubble clear of its time and ticks on a phone",
    async () => {
      const alice = await person("Alice", PHONE);
      const bob = await person("Bob", PHONE);
      await startChatWith(alice, bob);
      await sendText(alice.page, "ok");
      await openChat(bob.page, "Alice");
      await sendText(bob.page, "yes");
      for (const [page, text] of [
        [alice.page, "ok"],
        [bob.page, "yes"],
        [bob.page, "ok"],
      ] as const) {
        const row = bubble(page, new RegExp(`^${text}`));
        await visible(row.locator(".meta time"));
        await row.locator(".bubble").hover();
        const arrow = await box(row.getByRole("button", { name: "Message options" }));
        const meta = await box(row.locator(".meta"));
        expect(overlap(arrow, meta), `arrow over the time of “${text}”`).toBe(false);
        // And the arrow is on screen, reachable.
        expect(arrow.x).toBeGreaterThanOrEqual(0);
        expect(arrow.x + arrow.width).toBeLessThanOrEqual(PHONE.width);
      }
    },
    TEST_MS,
  );

  it(
    "keeps a refused upload's bubble after a reload, and sends it with Retry",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      // The server refuses this upload (as it would a file it cannot take).
      await alice.page.route("**/v1/media**", (route) =>
        route.request().method() === "POST"
          ? route.fulfill({
              status: 503,
              contentType: "application/json",
              body: JSON.stringify({ error: { code: "unavailable", message: "try later" } }),
            })
          : route.continue(),
      );
      const [chooser] = await Promise.all([
        alice.page.waitForEvent("filechooser"),
        alice.page.getByRole("button", { name: "Attach a photo or video" }).click(),
      ]);
      await chooser.setFiles({ name: "pier.png", mimeType: "image/png", buffer: makePng(64, 48) });
      const dialog = alice.page.getByRole("dialog", { name: "Send photo" });
      await dialog.getByRole("textbox", { name: "Add a caption" }).fill("The pier");
      await dialog.getByRole("button", { name: "Send" }).click();
      const refused = bubble(alice.page, "The pier");
      await visible(refused.getByRole("img", { name: "Not sent" }));

      await alice.page.unroute("**/v1/media**");
      await alice.page.reload();
      await openChat(alice.page, "Bob");
      await visible(refused.getByRole("img", { name: "Not sent" }));
      await visible(refused.getByRole("alert"));
      await refused.locator(".bubble").hover();
      await refused.getByRole("button", { name: "Message options" }).click();
      await alice.page.getByRole("menuitem", { name: "Retry" }).click();
      await visible(bubble(alice.page, "The pier").getByRole("img", { name: /^(Sent|Delivered|Read)$/ }));
      await openChat(bob.page, "Alice");
      await visible(bubble(bob.page, "The pier"));
      // Sent once: one bubble, and nothing refused is left to come back on the next load.
      expect(await bubble(alice.page, "The pier").count()).toBe(1);
      await alice.page.reload();
      await openChat(alice.page, "Bob");
      await visible(bubble(alice.page, "The pier"));
      expect(await alice.page.getByRole("img", { name: "Not sent" }).count()).toBe(0);
    },
    TEST_MS,
  );

  it(
    "shows *bold*, _italic_, ~strike~ and `code`, and links that open safely",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      const fetched: string[] = [];
      bob.page.on("request", (r) => {
        if (r.url().includes("example.org")) fetched.push(r.url());
      });
      await sendText(alice.page, "*Big* _news_ ~old~ `x=1` see https://example.org/a_b.");
      await openChat(bob.page, "Alice");
      const row = bubble(bob.page, /Big news/);
      await visible(row);
      const text = row.locator(".text");
      expect(await text.locator("strong").textContent()).toBe("Big");
      expect(await text.locator("em").textContent()).toBe("news");
      expect(await text.locator("s").textContent()).toBe("old");
      expect(await text.locator("code").textContent()).toBe("x=1");
      const link = text.getByRole("link", { name: "https://example.org/a_b" });
      expect(await link.getAttribute("href")).toBe("https://example.org/a_b");
      expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
      expect(await link.getAttribute("target")).toBe("_blank");
      expect(await text.textContent()).toBe("Big news old x=1 see https://example.org/a_b.");
      // Markup typed as text stays text.
      await sendText(alice.page, "<b>not bold</b>");
      await visible(bubble(bob.page, "<b>not bold</b>"));
      expect(await bubble(bob.page, "<b>not bold</b>").locator(".text b").count()).toBe(0);
      expect(fetched).toEqual([]);
    },
    TEST_MS,
  );
});
