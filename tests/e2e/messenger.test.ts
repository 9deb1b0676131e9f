/**
 * The web client in a real browser (README "The web client"): Chromium, one browser context per
 * person, against the same local stack as the integration tests. Assertions are what a person sees:
 * visible text, labels and the ticks' accessible names (Sent, Delivered, Read).
 */
import { describe, expect, it } from "vitest";
import {
  bubble,
  hasText,
  makePng,
  messages,
  openApp,
  openChat,
  sendText,
  setNetwork,
  startChatWith,
  startGroupWith,
  tick,
  until,
  visible,
  type Person,
} from "./browser.ts";
import { browserSuite } from "./suite.ts";

const TEST_MS = 120_000;
/** Messages seeded for the scroll-back test: more than one history page (50). */
const SEEDED = 75;
const { person, baseUrl, browser } = browserSuite();

/** How many bubbles in the open chat show exactly `text`. */
function countBubbles(p: Person, text: string): Promise<number> {
  return messages(p.page)
    .locator(".text", { hasText: new RegExp(`^${text}$`) })
    .count();
}

describe("web client", () => {
  it(
    "lets alice and bob find each other and chat, with ticks going ✓ → ✓✓ → blue as bob receives and reads",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      let aliceNavigations = 0;
      // Page loads, not history entries: opening a chat changes the URL (history API) without a load.
      alice.page.on("load", () => aliceNavigations++);

      // Bob's computer is offline: alice's message is stored (✓) but not delivered.
      await setNetwork(bob, false);
      await visible(bob.page.getByRole("status").filter({ hasText: "You're offline" }));
      await startChatWith(alice, bob);
      await sendText(alice.page, "Hi Bob, are you there?");
      const sent = bubble(alice.page, "Hi Bob, are you there?");
      await until("alice's tick", () => tick(sent).getAttribute("aria-label"), "Sent");
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await tick(sent).getAttribute("aria-label")).toBe("Sent");

      // Bob comes back: his page receives it (✓✓) while he is still on the chat list.
      await setNetwork(bob, true);
      await visible(bob.page.getByRole("button", { name: /^Alice.*1 unread message/ }));
      await until("alice's tick", () => tick(sent).getAttribute("aria-label"), "Delivered");
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await tick(sent).getAttribute("aria-label")).toBe("Delivered");

      // Bob opens the chat: read (blue).
      await openChat(bob.page, "Alice");
      await visible(bubble(bob.page, "Hi Bob, are you there?"));
      await until("alice's tick", () => tick(sent).getAttribute("aria-label"), "Read");
      const color = await tick(sent).evaluate((el) => getComputedStyle(el).color);
      expect(color).toBe("rgb(10, 110, 173)");

      // Bob types, then replies: alice sees both live, without a reload.
      await bob.page.getByRole("textbox", { name: "Type a message" }).fill("Yes! Just got");
      await hasText(alice.page.locator(".conversation-subtitle"), "typing…");
      await sendText(bob.page, "Yes! Just got here.");
      await visible(bubble(alice.page, "Yes! Just got here."));
      await hasText(alice.page.locator(".conversation-subtitle"), "online");
      expect(aliceNavigations).toBe(0);
    },
    TEST_MS,
  );

  it(
    "sends what alice typed offline exactly once when she is back online",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      await sendText(alice.page, "Before the tunnel");
      await openChat(bob.page, "Alice");
      await visible(bubble(bob.page, "Before the tunnel"));

      await setNetwork(alice, false);
      await visible(alice.page.getByRole("status").filter({ hasText: "You're offline" }));
      await sendText(alice.page, "Typed in the tunnel 1");
      await sendText(alice.page, "Typed in the tunnel 2");
      for (const text of ["Typed in the tunnel 1", "Typed in the tunnel 2"]) {
        expect(await tick(bubble(alice.page, text)).getAttribute("aria-label")).toBe("Pending");
      }
      await visible(alice.page.getByRole("status").filter({ hasText: "2 messages will be sent when you're back" }));
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await countBubbles(bob, "Typed in the tunnel 1")).toBe(0);

      await setNetwork(alice, true);
      await visible(bubble(bob.page, "Typed in the tunnel 2"));
      await until(
        "alice's tick",
        () => tick(bubble(alice.page, "Typed in the tunnel 2")).getAttribute("aria-label"),
        "Read",
      );
      await new Promise((r) => setTimeout(r, 2_000)); // time for any duplicate to show up
      expect(await countBubbles(bob, "Typed in the tunnel 1")).toBe(1);
      expect(await countBubbles(bob, "Typed in the tunnel 2")).toBe(1);
      const order = await messages(bob.page).locator(".text").allTextContents();
      expect(order.filter((t) => t.startsWith("Typed"))).toEqual(["Typed in the tunnel 1", "Typed in the tunnel 2"]);

      // The server, too, has each once: a fresh load of bob's chat shows the same.
      await bob.page.reload();
      await openChat(bob.page, "Alice");
      await visible(bubble(bob.page, "Typed in the tunnel 2"));
      expect(await countBubbles(bob, "Typed in the tunnel 1")).toBe(1);
      expect(await countBubbles(bob, "Typed in the tunnel 2")).toBe(1);
    },
    TEST_MS,
  );

  it(
    "keeps a message typed offline in IndexedDB when the tab is closed, and sends it once when the app opens again",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      await sendText(alice.page, "Hello");
      await setNetwork(alice, false);
      await visible(alice.page.getByRole("status").filter({ hasText: "You're offline" }));
      await sendText(alice.page, "Written on the plane");
      await visible(bubble(alice.page, "Written on the plane"));
      await alice.page.close();

      await setNetwork(alice, true);
      const page = await alice.context.newPage();
      await page.goto("/");
      await openChat(bob.page, "Alice");
      await visible(bubble(bob.page, "Written on the plane"));
      await openChat(page, "Bob");
      await until("alice's tick", () => tick(bubble(page, "Written on the plane")).getAttribute("aria-label"), "Read");
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await countBubbles(bob, "Written on the plane")).toBe(1);
      expect(await countBubbles({ ...alice, page }, "Written on the plane")).toBe(1);
    },
    TEST_MS,
  );

  it(
    "shows a picture alice sends to bob, with a full view on click",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      const [chooser] = await Promise.all([
        alice.page.waitForEvent("filechooser"),
        alice.page.getByRole("button", { name: "Attach a photo or video" }).click(),
      ]);
      await chooser.setFiles({ name: "sunset.png", mimeType: "image/png", buffer: makePng(480, 320) });
      const dialog = alice.page.getByRole("dialog", { name: "Send photo" });
      await visible(dialog.getByRole("img", { name: "Preview of the photo to send" }));
      await dialog.getByRole("textbox", { name: "Add a caption" }).fill("Sunset from the pier");
      await dialog.getByRole("button", { name: "Send" }).click();
      await until(
        "alice's tick",
        () => tick(bubble(alice.page, "Sunset from the pier")).getAttribute("aria-label"),
        "Delivered",
      );

      await openChat(bob.page, "Alice");
      const photo = bubble(bob.page, "Sunset from the pier").getByRole("img", { name: "Photo" });
      await visible(photo);
      await until("the picture decoded", () => photo.evaluate((img) => (img as HTMLImageElement).naturalWidth), 480);
      expect(await photo.getAttribute("src")).toMatch(/^blob:/);

      await bob.page.getByRole("button", { name: "Open photo" }).click();
      const viewer = bob.page.getByRole("dialog", { name: "Photo" });
      const full = viewer.getByRole("img", { name: "Photo, full size" });
      await visible(full);
      await until("the full view decoded", () => full.evaluate((img) => (img as HTMLImageElement).naturalWidth), 480);
      await bob.page.keyboard.press("Escape");
      await until("viewer closed", () => viewer.count(), 0);
      expect([...alice.cspViolations, ...bob.cspViolations]).toEqual([]);
    },
    TEST_MS,
  );

  it(
    "replaces a message deleted for everyone with a tombstone for both, and deletes for me on my side only",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      await sendText(alice.page, "Oops, wrong chat");
      await sendText(alice.page, "This one stays");
      await openChat(bob.page, "Alice");
      await visible(bubble(bob.page, "Oops, wrong chat"));

      const mistake = bubble(alice.page, "Oops, wrong chat");
      await mistake.hover();
      await mistake.getByRole("button", { name: "Message options" }).click();
      await alice.page.getByRole("menuitem", { name: "Delete" }).click();
      await alice.page
        .getByRole("dialog", { name: "Delete message?" })
        .getByRole("button", { name: "Delete for everyone" })
        .click();

      for (const p of [alice, bob]) {
        await visible(bubble(p.page, "This message was deleted"));
        await until(`${p.name} no longer sees the text`, () => bubble(p.page, "Oops, wrong chat").count(), 0);
        await visible(bubble(p.page, "This one stays"));
      }

      // Bob deletes the other one for himself only: gone for him, still there for alice.
      const stays = bubble(bob.page, "This one stays");
      await stays.hover();
      await stays.getByRole("button", { name: "Message options" }).click();
      await bob.page.getByRole("menuitem", { name: "Delete" }).click();
      const confirm = bob.page.getByRole("dialog", { name: "Delete message?" });
      expect(await confirm.getByRole("button", { name: "Delete for everyone" }).count()).toBe(0);
      await confirm.getByRole("button", { name: "Delete for me" }).click();
      await until("bob no longer sees it", () => bubble(bob.page, "This one stays").count(), 0);
      await new Promise((r) => setTimeout(r, 1_000));
      await visible(bubble(alice.page, "This one stays"));
    },
    TEST_MS,
  );

  it(
    "turns the sender's tick blue in a group of three only when both others have read",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      const carol = await person("Carol");

      await startGroupWith(alice, [bob, carol], "Book club");

      await sendText(alice.page, "Chapter 3 tonight?");
      const sent = bubble(alice.page, "Chapter 3 tonight?");
      await until("delivered to both", () => tick(sent).getAttribute("aria-label"), "Delivered");

      await openChat(bob.page, "Book club");
      await visible(bubble(bob.page, "Chapter 3 tonight?"));
      // Bob has read it, Carol has not: still grey ✓✓, and message info says who.
      await sent.hover();
      await sent.getByRole("button", { name: "Message options" }).click();
      await alice.page.getByRole("menuitem", { name: "Message info" }).click();
      const info = alice.page.getByRole("region", { name: "Read by" });
      await visible(info.getByText("Bob"));
      await visible(alice.page.getByRole("region", { name: "Delivered to" }).getByText("Carol"));
      expect(await tick(sent).getAttribute("aria-label")).toBe("Delivered");

      await openChat(carol.page, "Book club");
      await visible(bubble(carol.page, "Chapter 3 tonight?"));
      await until("read by both", () => tick(sent).getAttribute("aria-label"), "Read");
      await visible(info.getByText("Carol"));
    },
    TEST_MS,
  );

  it(
    "shows HTML in a message as plain text and runs nothing",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      const attack = "<img src=x onerror=alert(1)>";
      await startChatWith(alice, bob);
      await sendText(alice.page, attack);
      await openChat(bob.page, "Alice");
      const shown = messages(bob.page).locator(".text").filter({ hasText: attack });
      await visible(shown);
      expect(await shown.textContent()).toBe(attack);
      expect(await bob.page.locator('img[src="x"]').count()).toBe(0);
      await visible(bob.page.getByRole("button", { name: /^Alice/ }).filter({ hasText: attack }));
      await new Promise((r) => setTimeout(r, 500));
      expect([...alice.dialogs, ...bob.dialogs]).toEqual([]);
    },
    TEST_MS,
  );

  it(
    "scrolls back through the whole history a page at a time, keeping order",
    async () => {
      const alice = await person("Alice");
      const bob = await person("Bob");
      await startChatWith(alice, bob);
      // Straight through the API (typing them would only slow the test down): two pages and a bit.
      const session = JSON.parse(
        (await alice.page.evaluate(() => localStorage.getItem("messenger.session"))) ?? "{}",
      ) as { token: string };
      const headers = { authorization: `Bearer ${session.token}`, "content-type": "application/json" };
      const list = (await (await fetch(`${baseUrl()}/v1/conversations`, { headers })).json()) as {
        conversations: { id: string }[];
      };
      const conversationId = list.conversations[0]?.id ?? "";
      for (let i = 1; i <= SEEDED; i++) {
        const res = await fetch(`${baseUrl()}/v1/conversations/${conversationId}/messages`, {
          method: "POST",
          headers,
          body: JSON.stringify({ clientId: `seed-${i}`, text: `Message ${i}` }),
        });
        expect(res.status).toBe(201);
      }

      await openChat(bob.page, "Alice");
      await visible(bubble(bob.page, new RegExp(`^Message ${SEEDED}`)));
      expect(await countBubbles(bob, "Message 1")).toBe(0);
      const start = bob.page.getByText("This is the start of your conversation.");
      const deadline = Date.now() + 30_000;
      while ((await start.count()) === 0) {
        if (Date.now() > deadline) throw new Error("never reached the start of the conversation");
        await messages(bob.page).evaluate((el) => el.scrollTo({ top: 0 }));
        await new Promise((r) => setTimeout(r, 200));
      }
      const texts = await messages(bob.page).locator(".text").allTextContents();
      expect(texts).toEqual(Array.from({ length: SEEDED }, (_, i) => `Message ${i + 1}`));
    },
    TEST_MS,
  );

  it("serves the app with a strict Content-Security-Policy and safe headers", async () => {
    const { context, page } = await openApp(browser(), baseUrl());
    try {
      const res = await page.request.get("/some/deep/link");
      expect(res.status()).toBe(200);
      expect(res.headers()["content-type"]).toMatch(/text\/html/);
      const csp = res.headers()["content-security-policy"] ?? "";
      for (const directive of [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
      ]) {
        expect(csp).toContain(directive);
      }
      expect(res.headers()["x-content-type-options"]).toBe("nosniff");
      expect(res.headers()["referrer-policy"]).toBe("no-referrer");
    } finally {
      await context.close();
    }
  });
});
