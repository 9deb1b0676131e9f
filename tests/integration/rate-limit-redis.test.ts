/**
 * The REST rate limiter's Redis path (workers/middleware/rate-limit.ts: `@upstash/ratelimit`) against
 * the stack's real Redis 7 behind the Upstash shim: the sliding window refuses the request over the limit with a Retry-After,
 * refused requests are not counted, keys are independent, and a Redis that is down or hangs fails open.
 * (The Worker under test runs with RATE_LIMITS=off; this calls the limiter directly with limits on.)
 */
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { LOGIN_PER_ACCOUNT_IP, type RateRule } from "../../lib/rate-limits.ts";
import { RATE_LIMIT_TIMEOUT_MS, takeRate, type RateEnv } from "../../workers/middleware/rate-limit.ts";

const redis = inject("redisRest");
const RUN = Math.random().toString(36).slice(2, 8);

const envWith = (url: string, token: string) =>
  ({ UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token, RATE_LIMITS: "on" }) satisfies RateEnv;

describe.skipIf(redis === null)("rate limits in Redis", () => {
  it("refuses the 6th login attempt on one account from one IP within the window, with Retry-After", async () => {
    const env = envWith(redis!.url, redis!.token);
    const key = `victim_${RUN}`;
    for (let i = 1; i <= LOGIN_PER_ACCOUNT_IP.limit; i++)
      expect(await takeRate(env, LOGIN_PER_ACCOUNT_IP, key)).toEqual({ ok: true });
    const refused = await takeRate(env, LOGIN_PER_ACCOUNT_IP, key);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(2 * LOGIN_PER_ACCOUNT_IP.windowSeconds);
    }
    // Refusals are not counted, and other keys are independent.
    expect((await takeRate(env, LOGIN_PER_ACCOUNT_IP, key)).ok).toBe(false);
    expect(await takeRate(env, LOGIN_PER_ACCOUNT_IP, `other_${RUN}`)).toEqual({ ok: true });
  });

  it("lets requests through again once the window has slid past", async () => {
    const env = envWith(redis!.url, redis!.token);
    // A 2 s window: on a loaded machine three calls can straddle it (or one can outlast the fail-open
    // timeout), so a fresh window is tried up to three times; a limiter that never refuses fails all.
    let refused = false;
    let rule: RateRule = { name: "", limit: 2, windowSeconds: 2 };
    for (let attempt = 0; attempt < 3 && !refused; attempt++) {
      rule = { name: `test_short_${RUN}_${attempt}`, limit: 2, windowSeconds: 2 };
      await takeRate(env, rule, "k");
      await takeRate(env, rule, "k");
      refused = !(await takeRate(env, rule, "k")).ok;
    }
    expect(refused).toBe(true);
    await new Promise((r) => setTimeout(r, 4_200));
    expect((await takeRate(env, rule, "k")).ok).toBe(true);
  });
});

describe("rate limits without a working Redis", () => {
  it("fails open (and logs) when Redis does not answer", async () => {
    const env = envWith("http://127.0.0.1:9", "nope");
    for (let i = 0; i <= LOGIN_PER_ACCOUNT_IP.limit + 2; i++)
      expect(await takeRate(env, LOGIN_PER_ACCOUNT_IP, `down_${RUN}`)).toEqual({ ok: true });
  });

  it("fails open within the timeout when Redis accepts the request but never answers", async () => {
    const env = envWith(inject("hangingUrl"), "nope");
    const started = Date.now();
    expect(await takeRate(env, LOGIN_PER_ACCOUNT_IP, `hung_${RUN}`)).toEqual({ ok: true });
    expect(Date.now() - started).toBeLessThan(RATE_LIMIT_TIMEOUT_MS + 1_500);
  });

  it("does nothing when RATE_LIMITS=off", async () => {
    const env: RateEnv = { RATE_LIMITS: "off" };
    for (let i = 0; i <= LOGIN_PER_ACCOUNT_IP.limit + 2; i++)
      expect(await takeRate(env, LOGIN_PER_ACCOUNT_IP, `off_${RUN}`)).toEqual({ ok: true });
  });
});
