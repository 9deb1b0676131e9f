/**
 * `POST /v1/me/export` and `GET /v1/me/export/:id` (README "Exporting my data"): start an archive
 * (202, built in the background by workers/lib/data-export.ts) and poll it: 202 `{ export }` while
 * preparing (or failed), 200 the archive as a JSON attachment once ready, 404 for an id that is not
 * the caller's.
 */
import { Hono } from "hono";
import { z } from "zod";
import { Id, ROUTES, type DataExport } from "../../client/sdk/protocol/index.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { EXPORTS_PER_USER } from "../../lib/rate-limits.ts";
import type { AppEnv } from "../env.ts";
import { archiveKey, exportStatus, runExport, setExportStatus } from "../lib/data-export.ts";
import { valid } from "../lib/validate.ts";
import { requireUser } from "../middleware/auth.ts";
import { byUser, rateLimit } from "../middleware/rate-limit.ts";

const ExportParam = z.strictObject({ id: Id });

export const dataExportRoutes = new Hono<AppEnv>()
  .post(ROUTES.startExport.path, rateLimit(EXPORTS_PER_USER, byUser), requireUser, async (c) => {
    const me = c.get("userId");
    const id = newId("x");
    await setExportStatus(c.env, me, id, "preparing");
    c.executionCtx.waitUntil(runExport(c.env, c.executionCtx, me, id));
    return c.json({ export: { id, status: "preparing" } satisfies DataExport }, 202);
  })

  .get(ROUTES.dataExport.path, requireUser, valid("param", ExportParam), async (c) => {
    const me = c.get("userId");
    const { id } = c.req.valid("param");
    const status = await exportStatus(c.env, me, id);
    if (!status) throw new AppError("not_found", "no such export");
    if (status !== "ready") return c.json({ export: { id, status } satisfies DataExport }, 202);
    const archive = await c.env.MEDIA.get(archiveKey(me, id));
    if (!archive) throw new AppError("not_found", "no such export");
    return new Response(archive.body, {
      status: 200,
      headers: {
        "content-type": "application/json; charset=utf-8",
        "content-disposition": 'attachment; filename="messenger-export.json"',
        "content-length": String(archive.size),
        "cache-control": "private, no-store",
      },
    });
  });
