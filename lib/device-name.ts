/**
 * A short, human name for a device from its User-Agent ("Chrome on Linux", "Safari on iPhone"),
 * shown in the devices list. Best effort: an unknown agent is "Unknown device"; nothing here is
 * trusted, it only labels a session for its owner.
 */

const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/Edg\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/Firefox\//, "Firefox"],
  [/Chrome\/|Chromium\/|CriOS\//, "Chrome"],
  [/Safari\//, "Safari"],
  [/node|undici/i, "Node.js"],
];

const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/iPhone/, "iPhone"],
  [/iPad/, "iPad"],
  [/Android/, "Android"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

/** Longest device name kept (the header is the client's to choose). */
export const MAX_DEVICE_NAME_CHARS = 64;

export function deviceName(userAgent: string | undefined | null): string {
  const ua = userAgent ?? "";
  const browser = BROWSERS.find(([re]) => re.test(ua))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(ua))?.[1];
  const name = browser && system ? `${browser} on ${system}` : (browser ?? system ?? "Unknown device");
  return name.slice(0, MAX_DEVICE_NAME_CHARS);
}
