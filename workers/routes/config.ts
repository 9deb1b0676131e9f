/**
 * `GET /v1/config`: this deploy's limits (README "REST API"), so clients word their hints and offer
 * "delete for everyone" from the server's values, not from constants that a deploy may change.
 * Public and cacheable: nothing in it is about a user.
 */
import { Hono } from "hono";
import { serverConfig } from "../../lib/config.ts";
import type { AppEnv } from "../env.ts";
import { ROUTES } from "../../client/sdk/protocol/index.ts";

export const configRoutes = new Hono<AppEnv>().get(ROUTES.config.path, (c) => {
  c.header("cache-control", "public, max-age=300");
  return c.json(serverConfig(c.env));
});
