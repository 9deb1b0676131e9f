/**
 * `/v1/_bench`: development-only routes for `npm run bench`, answering 404 unless the Worker runs with
 * `BENCH_ROUTES=1`. `PUT|GET|DELETE /v1/_bench/r2` store and read one fixed object straight through
 * the R2 binding — no sniffing, hashing or database — so the bench can set the media upload and
 * download figures beside the bare cost of moving the same bytes through a Worker into R2.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { AppError } from "../../lib/errors.ts";
import { requireUser } from "../middleware/auth.ts";

/** Outside the media key space (`m/…`), so it can never shadow or be mistaken for an upload. */
const BENCH_KEY = "_bench/r2-baseline";
/** Enough for the 16 MB media figure with room to spare; a dev route still has a ceiling. */
const MAX_BENCH_BYTES = 64 * 1024 * 1024;

export const benchRoutes = new Hono<AppEnv>()
  .use("*", async (c, next) => {
    if (c.env.BENCH_ROUTES !== "1") throw new AppError("not_found", "no such route");
    await next();
  })
  .use("*", requireUser)

  .put("/r2", async (c) => {
    const length = Number(c.req.header("content-length") ?? "");
    const body = c.req.raw.body;
    if (!body || !Number.isInteger(length) || length <= 0)
      throw new AppError("invalid_request", "Content-Length is required");
    if (length > MAX_BENCH_BYTES) throw new AppError("payload_too_large", `at most ${MAX_BENCH_BYTES} bytes`);
    const started = performance.now();
    await c.env.MEDIA.put(BENCH_KEY, body);
    return c.json({ size: length, ms: performance.now() - started });
  })

  .get("/r2", async (c) => {
    const object = await c.env.MEDIA.get(BENCH_KEY);
    if (!object) throw new AppError("not_found", "no bench object: PUT one first");
    return new Response(object.body, {
      headers: { "content-length": String(object.size), "content-type": "application/octet-stream" },
    });
  })

  .delete("/r2", async (c) => {
    await c.env.MEDIA.delete(BENCH_KEY);
    return c.body(null, 204);
  });
