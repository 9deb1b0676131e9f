/** Per-IP rate-limit keys (README "Rate limits"): IPv4 as is, IPv6 by its /64. */
import { describe, expect, it } from "vitest";
import { ipRateKey } from "../../lib/rate-limits.ts";

describe("ipRateKey", () => {
  it("keeps an IPv4 address as it is", () => {
    expect(ipRateKey("203.0.113.7")).toBe("203.0.113.7");
  });

  it("keys every address of one IPv6 /64 alike, however it is written", () => {
    const key = "2001:db8:1:2::/64";
    for (const ip of [
      "2001:db8:1:2::1",
      "2001:db8:1:2:ffff:ffff:ffff:ffff",
      "2001:0DB8:0001:0002:0000:0000:0000:0001",
      "2001:db8:1:2:a:b:c:d",
      " 2001:db8:1:2::abcd%eth0 ",
      "2001:db8:1:2::192.0.2.1",
    ])
      expect(ipRateKey(ip), ip).toBe(key);
  });

  it("keys neighbouring /64s apart, and expands :: before the fourth group", () => {
    expect(ipRateKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(ipRateKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(ipRateKey("::1")).toBe("0:0:0:0::/64");
    expect(ipRateKey("fe80::1:2:3:4")).toBe("fe80:0:0:0::/64");
  });

  it("counts an IPv4-mapped IPv6 address as its IPv4 address", () => {
    expect(ipRateKey("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(ipRateKey("::FFFF:192.0.2.1")).toBe("192.0.2.1");
  });

  it("leaves anything that is not an address as its own key", () => {
    expect(ipRateKey("local")).toBe("local");
    expect(ipRateKey("1:2:3")).toBe("1:2:3");
    expect(ipRateKey("1::2::3")).toBe("1::2::3");
    expect(ipRateKey("zzzz::1")).toBe("zzzz::1");
  });
});
