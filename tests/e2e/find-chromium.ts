/**
 * Where the browser tests find a Chromium (or Chrome), in this order:
 *
 * 1. `CHROMIUM_PATH`. When set it is the only candidate: a wrong path is an error to fix, not a
 *    reason to quietly test another browser.
 * 2. playwright's browser cache, as `npx playwright-core install chromium` fills it
 *    (`PLAYWRIGHT_BROWSERS_PATH`, else ~/.cache/ms-playwright on Linux and
 *    ~/Library/Caches/ms-playwright on macOS): the full Chromium of the newest revision first, then
 *    the headless shell. Both the Chrome-for-Testing layout (`chromium-1255/chrome-linux64/chrome`)
 *    and the older one (`chromium-1140/chrome-linux/chrome`, `Chromium.app`) are recognised.
 * 3. The usual system installs (Debian/Ubuntu packages, Google Chrome, snap, /Applications).
 *
 * Everything it reads from the machine comes through `ChromiumLookup`, so the unit test
 * (tests/unit/find-chromium.test.ts) can describe a machine instead of needing one.
 */
import { readdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** The parts of the machine the search looks at. */
export interface ChromiumLookup {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  home: string;
  /** True when `path` is an existing file (a directory does not count). */
  isFile(path: string): boolean;
  /** The entries of directory `path`; [] when it does not exist. */
  list(path: string): string[];
}

export type ChromiumSource = "CHROMIUM_PATH" | "playwright" | "system";

export interface FoundChromium {
  path: string;
  source: ChromiumSource;
}

const LINUX_SYSTEM = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/snap/bin/chromium",
];
const MAC_SYSTEM = [
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
];

/** Executables inside one platform folder of a cache entry (e.g. `chrome-linux64/`, `chrome-mac-arm64/`). */
const CACHE_BINARIES = {
  chromium: [
    "chrome",
    "Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing",
    "Chromium.app/Contents/MacOS/Chromium",
  ],
  chromium_headless_shell: ["chrome-headless-shell", "headless_shell"],
} as const;

/** The real machine. */
export function machineLookup(): ChromiumLookup {
  return {
    env: process.env,
    platform: process.platform,
    home: homedir(),
    isFile: (path) => statSync(path, { throwIfNoEntry: false })?.isFile() ?? false,
    list: (path) => {
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
  };
}

/** playwright's browser cache on this machine, or null on platforms we do not search. */
export function playwrightCacheDir(lookup: ChromiumLookup): string | null {
  const configured = lookup.env.PLAYWRIGHT_BROWSERS_PATH;
  // "0" means "inside node_modules/playwright-core"; that layout is not searched.
  if (configured && configured !== "0") return resolve(configured);
  if (lookup.platform === "linux")
    return join(lookup.env.XDG_CACHE_HOME || join(lookup.home, ".cache"), "ms-playwright");
  if (lookup.platform === "darwin") return join(lookup.home, "Library", "Caches", "ms-playwright");
  return null;
}

/** Every path the search would try, in order (CHROMIUM_PATH alone when it is set). */
export function chromiumCandidates(lookup: ChromiumLookup): FoundChromium[] {
  const explicit = lookup.env.CHROMIUM_PATH;
  if (explicit) return [{ path: explicit, source: "CHROMIUM_PATH" }];
  const out: FoundChromium[] = [];
  const cache = playwrightCacheDir(lookup);
  if (cache) {
    const entries = lookup.list(cache);
    for (const kind of ["chromium", "chromium_headless_shell"] as const) {
      // `chromium-1255`, `chromium-1200`, …: newest revision first.
      const revisions = entries
        .map((name) => ({ name, revision: Number(new RegExp(`^${kind}-(\\d+)$`).exec(name)?.[1] ?? NaN) }))
        .filter((e) => Number.isInteger(e.revision))
        .sort((a, b) => b.revision - a.revision);
      for (const { name } of revisions) {
        for (const platformDir of lookup.list(join(cache, name)).sort()) {
          for (const binary of CACHE_BINARIES[kind]) {
            out.push({ path: join(cache, name, platformDir, binary), source: "playwright" });
          }
        }
      }
    }
  }
  const system = lookup.platform === "darwin" ? MAC_SYSTEM : lookup.platform === "linux" ? LINUX_SYSTEM : [];
  out.push(...system.map((path) => ({ path, source: "system" as const })));
  return out;
}

/** The first Chromium that exists, or null. */
export function findChromium(lookup: ChromiumLookup = machineLookup()): FoundChromium | null {
  return chromiumCandidates(lookup).find((c) => lookup.isFile(c.path)) ?? null;
}

/** The one line to show when `findChromium` found nothing: what was searched and how to get a browser. */
export function noChromiumMessage(lookup: ChromiumLookup = machineLookup()): string {
  const explicit = lookup.env.CHROMIUM_PATH;
  const searched = explicit
    ? `CHROMIUM_PATH=${explicit} is not a file`
    : `none in ${playwrightCacheDir(lookup) ?? "playwright's cache"} or the usual system paths`;
  return (
    `No Chromium for the browser tests (${searched}). Get one: \`apt-get install -y chromium\`, ` +
    "or `npx playwright-core install chromium`, or set CHROMIUM_PATH to a Chrome/Chromium executable."
  );
}
