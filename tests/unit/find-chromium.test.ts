/**
 * How the browser tests find a Chromium (tests/e2e/find-chromium.ts), on described machines: a set
 * of files, an environment and a platform, never the machine running the test.
 */
import { describe, expect, it } from "vitest";
import { findChromium, noChromiumMessage, type ChromiumLookup } from "../e2e/find-chromium.ts";

/** A machine that has exactly `files` (absolute paths); directories are implied by them. */
function machine(
  files: string[],
  { env = {}, platform = "linux" }: { env?: Record<string, string>; platform?: NodeJS.Platform } = {},
): ChromiumLookup {
  const home = platform === "darwin" ? "/Users/alice" : "/home/alice";
  return {
    env,
    platform,
    home,
    isFile: (path) => files.includes(path),
    list: (dir) => {
      const prefix = `${dir}/`;
      const names = files.filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length).split("/")[0] ?? "");
      return [...new Set(names)];
    },
  };
}

const CACHE = "/home/alice/.cache/ms-playwright";

describe("finding a Chromium for the browser tests", () => {
  it("uses CHROMIUM_PATH when it is set and exists, before anything else", () => {
    const found = findChromium(
      machine(["/opt/chrome/chrome", "/usr/bin/chromium"], { env: { CHROMIUM_PATH: "/opt/chrome/chrome" } }),
    );
    expect(found).toEqual({ path: "/opt/chrome/chrome", source: "CHROMIUM_PATH" });
  });

  it("does not fall back to another browser when CHROMIUM_PATH points at nothing", () => {
    const lookup = machine(["/usr/bin/chromium"], { env: { CHROMIUM_PATH: "/nowhere/chrome" } });
    expect(findChromium(lookup)).toBeNull();
    expect(noChromiumMessage(lookup)).toContain("CHROMIUM_PATH=/nowhere/chrome is not a file");
  });

  it("prefers playwright's cache to the system, the newest revision first", () => {
    const found = findChromium(
      machine([
        `${CACHE}/chromium-1140/chrome-linux/chrome`,
        `${CACHE}/chromium-1255/chrome-linux64/chrome`,
        "/usr/bin/chromium",
      ]),
    );
    expect(found).toEqual({ path: `${CACHE}/chromium-1255/chrome-linux64/chrome`, source: "playwright" });
  });

  it("recognises the older chrome-linux layout of the cache", () => {
    expect(findChromium(machine([`${CACHE}/chromium-1140/chrome-linux/chrome`]))?.path).toBe(
      `${CACHE}/chromium-1140/chrome-linux/chrome`,
    );
  });

  it("takes the headless shell when the full Chromium is not installed", () => {
    const shells = [
      `${CACHE}/chromium_headless_shell-1255/chrome-headless-shell-linux64/chrome-headless-shell`,
      `${CACHE}/chromium_headless_shell-1140/chrome-linux/headless_shell`,
    ];
    expect(findChromium(machine(shells))?.path).toBe(shells[0]);
    expect(findChromium(machine([shells[1] ?? ""]))?.path).toBe(shells[1]);
  });

  it("prefers the full Chromium to the headless shell", () => {
    const full = `${CACHE}/chromium-1255/chrome-linux64/chrome`;
    const shell = `${CACHE}/chromium_headless_shell-1255/chrome-headless-shell-linux64/chrome-headless-shell`;
    expect(findChromium(machine([shell, full]))?.path).toBe(full);
  });

  it("looks in PLAYWRIGHT_BROWSERS_PATH, then XDG_CACHE_HOME, instead of ~/.cache", () => {
    const custom = "/srv/browsers/chromium-1255/chrome-linux64/chrome";
    expect(findChromium(machine([custom], { env: { PLAYWRIGHT_BROWSERS_PATH: "/srv/browsers" } }))?.path).toBe(custom);
    const xdg = "/var/cache/alice/ms-playwright/chromium-1255/chrome-linux64/chrome";
    expect(findChromium(machine([xdg], { env: { XDG_CACHE_HOME: "/var/cache/alice" } }))?.path).toBe(xdg);
  });

  it("finds playwright's Chromium on macOS, in both app layouts", () => {
    const cache = "/Users/alice/Library/Caches/ms-playwright";
    const cft = `${cache}/chromium-1255/chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing`;
    const old = `${cache}/chromium-1140/chrome-mac/Chromium.app/Contents/MacOS/Chromium`;
    expect(findChromium(machine([cft], { platform: "darwin" }))).toEqual({ path: cft, source: "playwright" });
    expect(findChromium(machine([old], { platform: "darwin" }))?.path).toBe(old);
  });

  it("falls back to the usual system installs, in order", () => {
    expect(findChromium(machine(["/usr/bin/google-chrome-stable", "/snap/bin/chromium"]))).toEqual({
      path: "/usr/bin/google-chrome-stable",
      source: "system",
    });
    expect(findChromium(machine(["/usr/bin/chromium-browser"]))?.path).toBe("/usr/bin/chromium-browser");
    const chrome = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome";
    expect(findChromium(machine([chrome], { platform: "darwin" }))).toEqual({ path: chrome, source: "system" });
  });

  it("does not take a Linux path on macOS", () => {
    expect(findChromium(machine(["/usr/bin/chromium"], { platform: "darwin" }))).toBeNull();
  });

  it("says in one line how to get a browser when there is none", () => {
    const message = noChromiumMessage(machine([]));
    expect(findChromium(machine([]))).toBeNull();
    expect(message).not.toContain("\n");
    expect(message).toContain(CACHE);
    expect(message).toContain("apt-get install -y chromium");
    expect(message).toContain("npx playwright-core install chromium");
    expect(message).toContain("CHROMIUM_PATH");
  });
});
