/**
 * Input validation at the edge: every body, query and path parameter goes through a zod schema.
 * Failures become `invalid_request` (or the code a check names: `message_too_large`, `group_full`,
 * `weak_password`; `invalid_json` for a body that is not JSON) with the first problem named, and the
 * handler never runs, so nothing is stored.
 */
import { zValidator } from "@hono/zod-validator";
import type { z } from "zod";
import { AppError } from "../../lib/errors.ts";
import { validationError } from "../../client/sdk/protocol/index.ts";

type Target = "json" | "query" | "param";

/** `valid("json", Schema)` etc.: a Hono middleware that validates one part of the request. */
export function valid<T extends Target, S extends z.ZodType>(target: T, schema: S) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      const { code, message } = validationError(result.error);
      throw new AppError(code, message);
    }
  });
}
