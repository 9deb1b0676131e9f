/** The devices list names a session from its User-Agent: browser and system, or "Unknown device". */
import { describe, expect, it } from "vitest";
import { MAX_DEVICE_NAME_CHARS, deviceName } from "../../lib/device-name.ts";

describe("deviceName", () => {
  it("names common browsers on their systems", () => {
    expect(
      deviceName(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
      ),
    ).toBe("Chrome on Linux");
    expect(
      deviceName(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
      ),
    ).toBe("Safari on iPhone");
    expect(deviceName("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0")).toBe(
      "Firefox on Windows",
    );
    expect(
      deviceName(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
      ),
    ).toBe("Edge on Windows");
  });

  it("falls back to what it recognises, or 'Unknown device', and stays short", () => {
    expect(deviceName("node")).toBe("Node.js");
    expect(deviceName(undefined)).toBe("Unknown device");
    expect(deviceName("x".repeat(10_000))).toBe("Unknown device");
    expect(deviceName("Linux ".repeat(100)).length).toBeLessThanOrEqual(MAX_DEVICE_NAME_CHARS);
  });
});
