/**
 * Input validation at the edge: every body, query and path parameter goes through a zod schema.
 * Failures become `invalid_request` (or `invalid_json` for a body that is not JSON) with the first
 * problem named, and the handler never runs, so nothing is stored.
 */
import { zValidator } from "@hono/zod-validator";
import type { z } from "zod";
import { AppError } from "../../lib/errors.ts";

type Target = "json" | "query" | "param";

function describe(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid input";
  const path = issue.path.length > 0 ? issue.path.join(".") : "body";
  return issue.code === "unrecognized_keys"
    ? `unknown field(s): ${issue.keys.join(", ")}`
    : `${path}: ${issue.message}`;
}

/** `valid("json", Schema)` etc.: a Hono middleware that validates one part of the request. */
export function valid<T extends Target, S extends z.ZodType>(target: T, schema: S) {
  return zValidator(target, schema, (result) => {
    if (!result.success) throw new AppError("invalid_request", describe(result.error));
  });
}
