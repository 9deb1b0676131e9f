/**
 * The export job's state in R2 (workers/lib/data-export.ts), inside workerd: an export is found only
 * under its owner's id; a build still `preparing` after EXPORT_STALE_MS reads as `failed`; a build
 * whose reads fail (here: no Postgres in this pool) ends `failed` with no archive written; the Cron
 * sweep deletes exports older than a day and nothing outside `exports/`.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  EXPORT_MAX_AGE_MS,
  EXPORT_STALE_MS,
  archiveKey,
  exportStatus,
  runExport,
  setExportStatus,
  sweepExports,
} from "../../workers/lib/data-export.ts";

const ctx = { waitUntil: (p: Promise<unknown>) => void p.catch(() => undefined) };

describe("export state", () => {
  it("is found only under its owner", async () => {
    await setExportStatus(env, "u_owner", "x_1", "preparing");
    expect(await exportStatus(env, "u_owner", "x_1")).toBe("preparing");
    expect(await exportStatus(env, "u_other", "x_1")).toBeNull();
    expect(await exportStatus(env, "u_owner", "x_2")).toBeNull();
  });

  it("reads a lost build as failed once it is stale; ready stays ready", async () => {
    await setExportStatus(env, "u_owner", "x_stale", "preparing");
    const later = Date.now() + EXPORT_STALE_MS + 1_000;
    expect(await exportStatus(env, "u_owner", "x_stale", later)).toBe("failed");
    await setExportStatus(env, "u_owner", "x_done", "ready");
    expect(await exportStatus(env, "u_owner", "x_done", later)).toBe("ready");
  });

  it("ends failed, with no archive, when a read fails", async () => {
    await setExportStatus(env, "u_nodb", "x_3", "preparing");
    await runExport(env, ctx, "u_nodb", "x_3");
    expect(await exportStatus(env, "u_nodb", "x_3")).toBe("failed");
    expect(await env.MEDIA.head(archiveKey("u_nodb", "x_3"))).toBeNull();
  });

  it("is swept once older than a day, and not before", async () => {
    await setExportStatus(env, "u_sweep", "x_4", "ready");
    await env.MEDIA.put(archiveKey("u_sweep", "x_4"), "{}");
    await env.MEDIA.put("media/not-an-export", "x");
    await sweepExports(env);
    expect(await exportStatus(env, "u_sweep", "x_4")).toBe("ready");
    expect(await sweepExports(env, Date.now() + EXPORT_MAX_AGE_MS + 60_000)).toBeGreaterThanOrEqual(2);
    expect(await exportStatus(env, "u_sweep", "x_4")).toBeNull();
    expect(await env.MEDIA.head(archiveKey("u_sweep", "x_4"))).toBeNull();
    expect(await env.MEDIA.head("media/not-an-export")).not.toBeNull();
  });
});
