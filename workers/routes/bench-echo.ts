/**
 * `GET /v1/_bench/echo`: development-only WebSocket to the bare echo Durable Object (the bench
 * baseline). 404 unless the Worker runs with `BENCH_ROUTES=1`.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { AppError } from "../../lib/errors.ts";

export const benchEchoRoutes = new Hono<AppEnv>().get("/", async (c) => {
  if (c.env.BENCH_ROUTES !== "1") throw new AppError("not_found", "no such route");
  const room = c.req.query("room") ?? "echo";
  return c.env.ECHO.getByName(room).fetch(c.req.raw);
});
