/**
 * Screenshots of the main screens at phone and desktop widths, written to docs/screenshots/ by every
 * run (the README shows them). Built through the UI like the other browser tests, so they also
 * check that these screens render.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import {
  bubble,
  DESKTOP,
  hasText,
  launchBrowser,
  makePng,
  openApp,
  openChat,
  PHONE,
  sendText,
  signUp,
  startChatWith,
  startGroupWith,
  tick,
  until,
  visible,
  type Person,
} from "./browser.ts";

const OUT = resolve(import.meta.dirname, "../../docs/screenshots");
let browser: Browser;
const people: Person[] = [];

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const p of people) await p.context.close().catch(() => undefined);
  await browser?.close();
});

async function shot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0); // no hover effects in the picture
  await new Promise((r) => setTimeout(r, 300));
  await page.screenshot({ path: resolve(OUT, `${name}.png`) });
}

it("captures the main screens at phone and desktop widths", { timeout: 180_000 }, async () => {
  const baseUrl = inject("baseUrl");
  const login = await openApp(browser, baseUrl, PHONE);
  await login.page.getByRole("button", { name: "Create an account" }).click();
  await login.page.getByLabel("Username").fill("maria.santos");
  await login.page.getByLabel("Your name").fill("Maria Santos");
  await shot(login.page, "login-phone");
  await login.context.close();

  const alice = await signUp(browser, baseUrl, "Alice Martin");
  const bob = await signUp(browser, baseUrl, "Bob Chen");
  const carol = await signUp(browser, baseUrl, "Carol Diaz");
  people.push(alice, bob, carol);
  // The screens as they look day to day: alice sets the one-time notifications offer aside.
  await alice.page
    .getByRole("region", { name: "Notifications", exact: true })
    .getByRole("button", { name: "Not now" })
    .click();

  // A group with a picture and a conversation between three people.
  await startGroupWith(alice, [bob, carol], "Weekend trip");
  await sendText(alice.page, "Who's in for the lake on Saturday?");
  await openChat(bob.page, "Weekend trip");
  await sendText(bob.page, "Count me in! I can drive, there's room for four.");
  await openChat(carol.page, "Weekend trip");
  await sendText(carol.page, "Yes please. I'll bring sandwiches and the big blanket.");
  await visible(bubble(alice.page, "big blanket"));
  const [chooser] = await Promise.all([
    alice.page.waitForEvent("filechooser"),
    alice.page.getByRole("button", { name: "Attach a photo or video" }).click(),
  ]);
  await chooser.setFiles({ name: "lake.png", mimeType: "image/png", buffer: makePng(640, 400) });
  await alice.page
    .getByRole("dialog", { name: "Send photo" })
    .getByRole("textbox", { name: "Add a caption" })
    .fill("This is the spot");
  await alice.page.getByRole("dialog", { name: "Send photo" }).getByRole("button", { name: "Send" }).click();
  await sendText(alice.page, "Meet at *9* by the station?\nI'll bring _coffee_. Route: https://maps.example.com/lake");
  await until("read by all", () => tick(bubble(alice.page, "Meet at 9")).getAttribute("aria-label"), "Read");
  await bob.page.getByRole("textbox", { name: "Type a message" }).fill("Perfect");
  await hasText(alice.page.locator(".conversation-subtitle"), "Bob Chen is typing…");
  await shot(alice.page, "conversation-desktop");

  // Group info, then message info, on the desktop layout.
  await alice.page.getByRole("button", { name: /Weekend trip: group info/ }).click();
  await visible(alice.page.getByRole("region", { name: "Group info" }).getByText("Group admin"));
  await shot(alice.page, "group-info-desktop");
  const meet = bubble(alice.page, "Meet at 9");
  await meet.hover();
  await meet.getByRole("button", { name: "Message options" }).click();
  await alice.page.getByRole("menuitem", { name: "Message info" }).click();
  await visible(alice.page.getByRole("region", { name: "Read by" }).getByText("Carol Diaz"));
  await shot(alice.page, "message-info-desktop");

  // A direct chat, and the phone layout: chat list, then the conversation.
  await startChatWith(bob, alice);
  await sendText(bob.page, "Also: do you still have my tent?");
  await visible(alice.page.getByRole("button", { name: /^Bob Chen\s*, online.*1 unread message/ }));
  await alice.page.getByRole("region", { name: "Message info" }).getByRole("button", { name: "Close" }).click();
  // The group stays on top of her list: pinned from its row's menu.
  await alice.page.getByRole("button", { name: "Chat options for Weekend trip" }).click();
  await alice.page.getByRole("menuitem", { name: "Pin chat" }).click();
  await visible(alice.page.getByRole("img", { name: "Pinned" }));
  await alice.page.setViewportSize(PHONE);
  await alice.page.getByRole("button", { name: "Back to chats" }).click();
  await visible(alice.page.getByRole("heading", { name: "Chats" }));
  await shot(alice.page, "chats-phone");
  await openChat(alice.page, "Bob Chen");
  await sendText(alice.page, "I do! I'll bring it on Saturday.");
  await until("read", () => tick(bubble(alice.page, "bring it on Saturday")).getAttribute("aria-label"), "Read");
  await shot(alice.page, "conversation-phone");
  expect(alice.dialogs).toEqual([]);
  // Everything above (pictures from blob: and data:, styles, the socket) ran under the real CSP.
  expect([...alice.cspViolations, ...bob.cspViolations, ...carol.cspViolations]).toEqual([]);
});
