// Placeholder: replaced by the accounts work. Contract:
//  - `requireUser`: Hono middleware; 401 `unauthorized` unless `Authorization: Bearer <token>` names a
//    live session; sets c.var.userId and c.var.sessionId.
//  - `authenticateToken(env, token)`: the same check for a raw token (WebSocket upgrade).
import type { MiddlewareHandler } from "hono";
import type { AppEnv, Env } from "../env.ts";
import { AppError } from "../lib/errors.ts";
export const requireUser: MiddlewareHandler<AppEnv> = async () => {
  throw new AppError("unauthorized", "not implemented yet");
};
export async function authenticateToken(_env: Env, _token: string): Promise<{ userId: string; sessionId: string }> {
  throw new AppError("unauthorized", "not implemented yet");
}
