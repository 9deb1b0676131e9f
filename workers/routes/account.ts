/**
 * `DELETE /v1/me` (README "Deleting an account"): irreversible, confirmed with the password.
 *
 * The Worker checks the password; the user's hub does the rest as a job that survives a crash
 * (durable-objects/user-hub/account-deletion.ts): every socket closes with 4001 at once, the
 * username is freed, sessions end, the profile becomes "Deleted account", the groups are left. The
 * answer waits for the account's own rows: 204 means the username is free again and every token of
 * the account fails. If Postgres could not be reached the answer is 503 `unavailable`; the job goes
 * on by itself, and repeating the request (the password still works until the rows are done) only
 * waits for it again.
 */
import { Hono } from "hono";
import { DeleteAccountBody, ROUTES } from "../../client/sdk/protocol/index.ts";
import { withUserStore } from "../../db/user-store.ts";
import { AppError } from "../../lib/errors.ts";
import { ACCOUNT_DELETIONS_PER_USER } from "../../lib/rate-limits.ts";
import type { AppEnv } from "../env.ts";
import { passwordConfig, verifyPassword } from "../lib/passwords.ts";
import { valid } from "../lib/validate.ts";
import { requireUser } from "../middleware/auth.ts";
import { byUser, rateLimit } from "../middleware/rate-limit.ts";

export const accountRoutes = new Hono<AppEnv>().delete(
  ROUTES.deleteAccount.path,
  rateLimit(ACCOUNT_DELETIONS_PER_USER, byUser),
  requireUser,
  valid("json", DeleteAccountBody),
  async (c) => {
    const me = c.get("userId");
    const { password } = c.req.valid("json");
    const hash = await withUserStore(
      c.env,
      (store) => store.passwordHash(me),
      (p) => c.executionCtx.waitUntil(p),
    );
    if (!(await verifyPassword(password, hash, passwordConfig(c.env))).ok)
      throw new AppError("invalid_credentials", "the password is wrong");
    const done = await c.env.USER_HUB.getByName(me).deleteAccount();
    if (!done) throw new AppError("unavailable", "the account is being deleted; try again to wait for it");
    return c.body(null, 204);
  },
);
