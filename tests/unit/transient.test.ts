import { describe, expect, it } from "vitest";
import { AppError } from "../../lib/errors.ts";
import { asServiceError, isTransientDependencyError } from "../../lib/transient.ts";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("transient dependency errors", () => {
  it("answers 503 unavailable when Postgres is out of connections or unreachable", () => {
    for (const error of [
      withCode("sorry, too many clients already", "53300"),
      new Error("Network connection lost."),
      new Error("connect ECONNREFUSED 127.0.0.1:5432"),
      new Error("outer", { cause: withCode("terminating connection due to administrator command", "57P01") }),
    ]) {
      expect(isTransientDependencyError(error)).toBe(true);
      expect(asServiceError(error)).toMatchObject({ code: "unavailable", status: 503, retryAfter: 1 });
    }
  });

  it("keeps bugs as internal errors and leaves our own errors alone", () => {
    const bug = new TypeError("cannot read properties of undefined");
    expect(asServiceError(bug)).toBe(bug);
    const own = new AppError("not_found", "no such user");
    expect(asServiceError(own)).toBe(own);
    expect(isTransientDependencyError(withCode("duplicate key value", "23505"))).toBe(false);
  });
});
