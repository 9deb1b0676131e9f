/**
 * Browser personas for the e2e tests: a Chromium driven by playwright-core (found by
 * ./find-chromium.ts: CHROMIUM_PATH, playwright's cache, or a system install), one browser context
 * per person, so alice and bob are as separate as two computers.
 * Helpers act and look the way a person does: by labels, roles and visible text.
 */
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { findChromium, noChromiumMessage } from "./find-chromium.ts";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

/** Waits until `locator` is visible (what a person would wait for). */
export async function visible(locator: Locator, timeout = 15_000): Promise<void> {
  await locator.first().waitFor({ state: "visible", timeout });
}

/** Polls `read` until it returns `want` (or throws, naming what it last saw, after `timeout` ms). */
export async function until<T>(what: string, read: () => Promise<T>, want: T, timeout = 15_000): Promise<void> {
  const end = Date.now() + timeout;
  let last: T | undefined;
  for (;;) {
    last = await read().catch(() => undefined);
    if (last === want) return;
    if (Date.now() > end) throw new Error(`${what}: wanted ${JSON.stringify(want)}, last saw ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until `locator`'s text is `text`. */
export async function hasText(locator: Locator, text: string, timeout = 15_000): Promise<void> {
  await until("text", () => locator.first().textContent({ timeout: 1_000 }), text, timeout);
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

const RUN = Math.random().toString(36).slice(2, 6);
let counter = 0;

export async function launchBrowser(): Promise<Browser> {
  const found = findChromium();
  if (!found) {
    const err = new Error(noChromiumMessage());
    err.stack = err.message; // the message is the whole story: no stack under it in the test report
    throw err;
  }
  return chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS });
}

export interface Person {
  name: string;
  username: string;
  password: string;
  context: BrowserContext;
  page: Page;
  /** Every dialog (alert, confirm…) the page tried to open. */
  dialogs: string[];
  /** Console reports of anything the Content-Security-Policy blocked. */
  cspViolations: string[];
}

/** A fresh browser context with its own storage, at `viewport`, on the app. */
export async function openApp(
  browser: Browser,
  baseUrl: string,
  viewport = DESKTOP,
): Promise<{ context: BrowserContext; page: Page; dialogs: string[]; cspViolations: string[] }> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport,
    deviceScaleFactor: 1,
    locale: "en-GB",
    timezoneId: "UTC",
  });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const cspViolations: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.goto("/");
  return { context, page, dialogs, cspViolations };
}

/**
 * Takes `p`'s computer off the network, or puts it back. Chromium's offline emulation fails the
 * page's HTTP requests and fires `offline`, but it does not cover WebSockets (playwright#4910): a
 * socket the app opens while "offline" would connect and send what the test typed offline. So
 * sockets are routed through the test too and refused while offline; refused sockets and requests
 * that finished while offline (caches included) are recorded for a failing test to show.
 */
export async function setNetwork(p: Person, online: boolean): Promise<void> {
  let state = networks.get(p.context);
  if (!state) {
    const installed = { offline: false, leaks: [] as string[] };
    state = installed;
    networks.set(p.context, installed);
    await p.context.routeWebSocket(/.*/, (ws) => {
      if (installed.offline) {
        installed.leaks.push(`socket refused: ${ws.url()}`);
        return ws.close({ code: 1001, reason: "offline" });
      }
      ws.connectToServer();
    });
    p.context.on("requestfinished", (request) => {
      if (installed.offline) installed.leaks.push(`finished while offline: ${request.method()} ${request.url()}`);
    });
  }
  state.offline = !online;
  await p.context.setOffline(!online);
}

/** What got through while `p` was offline (see setNetwork). */
export function offlineLeaks(p: Person): readonly string[] {
  return networks.get(p.context)?.leaks ?? [];
}

const networks = new WeakMap<BrowserContext, { offline: boolean; leaks: string[] }>();

/** Registers `name` through the sign-up form of `page` (on the login screen) and waits for the chat list. */
export async function register(page: Page, name: string): Promise<{ username: string; password: string }> {
  const username = `${name.toLowerCase().replace(/[^a-z0-9]/g, "")}_${RUN}_${++counter}`;
  const password = `${name}-password-1`;
  await page.getByRole("button", { name: "Create an account" }).click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await visible(page.getByRole("heading", { name: "Chats" }));
  return { username, password };
}

/** Registers `name` in a fresh browser context. */
export async function signUp(browser: Browser, baseUrl: string, name: string, viewport = DESKTOP): Promise<Person> {
  const { context, page, dialogs, cspViolations } = await openApp(browser, baseUrl, viewport);
  const { username, password } = await register(page, name);
  return { name, username, password, context, page, dialogs, cspViolations };
}

/** Logs in through the login form of `page` and waits for the chat list. */
export async function logIn(page: Page, who: { username: string; password: string }): Promise<void> {
  await visible(page.getByRole("heading", { name: "Log in" }));
  await page.getByLabel("Username").fill(who.username);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await visible(page.getByRole("heading", { name: "Chats" }));
}

/** Finds `other` by username in the search box and opens a chat with them. */
export async function startChatWith(me: Person, other: Person): Promise<void> {
  const search = me.page.getByRole("searchbox", { name: /search chats or find people/i });
  await search.fill(other.username);
  await me.page
    .getByRole("list", { name: "People" })
    .getByRole("button", { name: new RegExp(other.name) })
    .click();
  await hasText(conversationTitle(me.page), other.name);
}

/** Creates a group named `name` with `others` from the New group screen; the group is then open. */
export async function startGroupWith(me: Person, others: readonly Person[], name: string): Promise<void> {
  await me.page.getByRole("button", { name: "New group" }).click();
  for (const other of others) {
    await me.page.getByRole("searchbox", { name: "Search people by username" }).fill(other.username);
    await me.page.getByRole("checkbox", { name: new RegExp(other.name) }).check();
  }
  await me.page.getByRole("button", { name: "Next" }).click();
  await me.page.getByRole("textbox", { name: "Group name" }).fill(name);
  await me.page.getByRole("button", { name: "Create group" }).click();
  await hasText(conversationTitle(me.page), name);
}

export function conversationTitle(page: Page): Locator {
  return page.locator(".conversation-title");
}

/** The chat list's row whose accessible name matches `title`. */
export function chatListRow(page: Page, title: RegExp): Locator {
  return page.getByRole("navigation", { name: "Chat list" }).getByRole("button", { name: title });
}

/** Opens the chat called `title` from the chat list. */
export async function openChat(page: Page, title: string): Promise<void> {
  await chatListRow(page, new RegExp(`^${title}`)).click();
  await hasText(conversationTitle(page), title);
}

export async function sendText(page: Page, text: string): Promise<void> {
  const box = page.getByRole("textbox", { name: "Type a message" });
  await box.fill(text);
  await box.press("Enter");
}

/** The messages pane of the open chat. */
export function messages(page: Page): Locator {
  return page.getByRole("log", { name: "Messages" });
}

/** The bubble (list item) showing `text` in the open chat. */
export function bubble(page: Page, text: string | RegExp): Locator {
  return messages(page).getByRole("listitem").filter({ hasText: text });
}

/** The status mark on one of my bubbles, by its accessible name: Pending, Sent, Delivered, Read. */
export function tick(row: Locator): Locator {
  return row.getByRole("img", { name: /^(Pending|Sent|Delivered|Read|Not sent)$/ });
}

/** A small real PNG (a gradient), so Chromium has a picture to decode and draw. */
export { makePng, noisyPng } from "./png.ts";

/** Records a real ~2 s WebM (VP8) in `page` from an animated canvas, for video tests. */
export async function recordWebm(page: Page): Promise<Buffer> {
  const base64 = await page.evaluate(async () => {
    const canvas = document.createElement("canvas");
    canvas.width = 320;
    canvas.height = 240;
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("no canvas");
    const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: "video/webm;codecs=vp8" });
    const chunks: Blob[] = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise((resolve) => (recorder.onstop = resolve));
    recorder.start(100);
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const draw = () => {
        const t = performance.now() - started;
        ctx.fillStyle = `hsl(${t / 10}, 70%, 50%)`;
        ctx.fillRect(0, 0, 320, 240);
        ctx.fillStyle = "#fff";
        ctx.fillRect((t / 5) % 320, 100, 40, 40);
        if (t < 2_000) requestAnimationFrame(draw);
        else resolve();
      };
      draw();
    });
    recorder.stop();
    await stopped;
    const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary);
  });
  return Buffer.from(base64, "base64");
}
