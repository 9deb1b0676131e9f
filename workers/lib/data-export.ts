/**
 * "Export my data" (README "Exporting my data"): the archive is built after the answer, in
 * `waitUntil`, from the same reads the API serves — the profile as `GET /v1/me`, the chat list as
 * `GET /v1/conversations` (from the user's hub) and each chat's history page by page through
 * `historyPage`, the path of `GET …/messages` — so the archive holds exactly what the user can see,
 * with the same `media.url`s. It costs nothing until someone exports: no row, event or timer on the
 * message path.
 *
 * State lives in the MEDIA bucket under `exports/<userId>/`, a prefix nothing serves directly:
 * `<id>.status` (an empty object whose metadata holds the status) and, once ready, `<id>.json`. The
 * owner's id is part of the key, so another user's lookup of the same export id finds nothing (404).
 */
import {
  DataArchive,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  MAX_HISTORY_PAGE,
  type ExportStatus,
  type Message,
} from "../../client/sdk/protocol/index.ts";
import { ProfileCache } from "../../db/cache/profile-cache.ts";
import { withUserStore } from "../../db/user-store.ts";
import { log } from "../../lib/log.ts";
import { historyPage } from "./history-page.ts";

type Ctx = { waitUntil(p: Promise<unknown>): void };

const statusKey = (userId: string, id: string) => `exports/${userId}/${id}.status`;
export const archiveKey = (userId: string, id: string) => `exports/${userId}/${id}.json`;

/** Records `status` for the user's export `id`. */
export async function setExportStatus(env: Env, userId: string, id: string, status: ExportStatus): Promise<void> {
  await env.MEDIA.put(statusKey(userId, id), "", { customMetadata: { status } });
}

/**
 * A build still `preparing` this long after it started was lost (its isolate ended before it could
 * say `failed`): it reads as `failed`, so a client stops polling and starts another.
 */
export const EXPORT_STALE_MS = 15 * 60_000;

/** The status of the user's export `id`, or null when the user has no such export. */
export async function exportStatus(
  env: Env,
  userId: string,
  id: string,
  now = Date.now(),
): Promise<ExportStatus | null> {
  const head = await env.MEDIA.head(statusKey(userId, id));
  if (!head) return null;
  const status = head.customMetadata?.status;
  if (status === "ready" || status === "failed") return status;
  return now - head.uploaded.getTime() > EXPORT_STALE_MS ? "failed" : "preparing";
}

/** Every message of `conversationId` that `userId` can see, oldest first. */
async function everyMessage(env: Env, ctx: Ctx, conversationId: string, userId: string): Promise<Message[]> {
  const pages: Message[][] = [];
  let before: number | undefined;
  for (;;) {
    const page = await historyPage(env, ctx, conversationId, userId, { before, limit: MAX_HISTORY_PAGE });
    if (page.length === 0) break;
    pages.unshift(page);
    const oldest = page[0]!.seq;
    if (oldest <= 1 || (before !== undefined && oldest >= before)) break;
    before = oldest;
  }
  return pages.flat();
}

/** Builds the archive and writes it; the status says `ready`, or `failed` if any read failed. */
export async function runExport(env: Env, ctx: Ctx, userId: string, id: string): Promise<void> {
  try {
    const user = await withUserStore(
      env,
      (store) => ProfileCache.fromEnv(env).getProfile(userId, () => store.getUser(userId)),
      (p) => ctx.waitUntil(p),
    );
    if (!user) throw new Error("no such user");
    const chats = await env.USER_HUB.getByName(userId).chatList();
    const conversations: DataArchive["conversations"] = [];
    for (const conversation of chats) {
      conversations.push({ conversation, messages: await everyMessage(env, ctx, conversation.id, userId) });
    }
    const archive: DataArchive = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: new Date().toISOString(),
      user,
      conversations,
    };
    await env.MEDIA.put(archiveKey(userId, id), JSON.stringify(archive), {
      httpMetadata: { contentType: "application/json" },
    });
    await setExportStatus(env, userId, id, "ready");
  } catch (error) {
    log("error", "export failed", { userId, exportId: id, error });
    await setExportStatus(env, userId, id, "failed").catch(() => undefined);
  }
}

/** Exports (archive and status) are deleted by the Cron sweep once this old: a day to download them. */
export const EXPORT_MAX_AGE_MS = 24 * 3600_000;
/** Objects listed per page, and pages per sweep run: a backlog is worked off over several runs. */
const SWEEP_PAGE = 1000;
const SWEEP_MAX_PAGES = 10;

/** Deletes every export object older than EXPORT_MAX_AGE_MS; answers how many it deleted. */
export async function sweepExports(env: Env, now = Date.now()): Promise<number> {
  let cursor: string | undefined;
  let deleted = 0;
  for (let page = 0; page < SWEEP_MAX_PAGES; page++) {
    const listed = await env.MEDIA.list({ prefix: "exports/", limit: SWEEP_PAGE, cursor });
    const old = listed.objects.filter((o) => now - o.uploaded.getTime() > EXPORT_MAX_AGE_MS).map((o) => o.key);
    if (old.length > 0) await env.MEDIA.delete(old);
    deleted += old.length;
    if (!listed.truncated) break;
    cursor = listed.cursor;
  }
  return deleted;
}
