/**
 * Errors crossing from a Durable Object to a REST answer keep what a client needs to retry
 * (README "Rate limits"): a `rate_limited` Result with `retryAfterSeconds` becomes a 429 with `Retry-After`.
 */
import { describe, expect, it } from "vitest";
import { AppError, errorResponse } from "../../lib/errors.ts";
import { err, unwrap } from "../../lib/result.ts";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("did not throw");
}

describe("retry hints", () => {
  it("turns a rate_limited Result with retryAfterSeconds into a 429 with Retry-After", async () => {
    const error = thrown(() =>
      unwrap(err("rate_limited", "too many messages in this conversation", { retryAfterSeconds: 7 })),
    );
    expect(error).toBeInstanceOf(AppError);
    const res = errorResponse(error, "req-1");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(await res.json()).toEqual({
      error: { code: "rate_limited", message: "too many messages in this conversation", requestId: "req-1" },
    });
  });

  it("sends whole seconds, at least one", () => {
    expect(errorResponse(new AppError("rate_limited", "x", { retryAfter: 0.2 })).headers.get("retry-after")).toBe("1");
    expect(errorResponse(new AppError("rate_limited", "x", { retryAfter: 2.5 })).headers.get("retry-after")).toBe("3");
  });

  it("keeps Result errors without a hint free of the field, and answers without the header", () => {
    const result = err("not_found", "no such conversation");
    expect(result).toEqual({ ok: false, error: { code: "not_found", message: "no such conversation" } });
    expect(errorResponse(thrown(() => unwrap(result))).headers.has("retry-after")).toBe(false);
  });
});
