/**
 * Per-file set-up for browser tests: one Chromium for the file, a fresh context per person, closed
 * after each test. `const { person } = browserSuite();` at the top of a test file.
 */
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, inject } from "vitest";
import { DESKTOP, launchBrowser, signUp, type Person } from "./browser.ts";

export function browserSuite() {
  let browser: Browser | null = null;
  let people: Person[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await Promise.all(people.map((p) => p.context.close().catch(() => undefined)));
    people = [];
  });
  afterAll(async () => {
    await browser?.close();
  });
  const current = (): Browser => {
    if (!browser) throw new Error("browser not started");
    return browser;
  };
  return {
    baseUrl: () => inject("baseUrl"),
    browser: current,
    /** Registers `name` in a new browser context (closed after the test). */
    async person(name: string, viewport = DESKTOP): Promise<Person> {
      const p = await signUp(current(), inject("baseUrl"), name, viewport);
      people.push(p);
      return p;
    },
  };
}
