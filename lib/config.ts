/**
 * Settings a deploy may change (wrangler.toml `[vars]`), read in one place so the Worker, the
 * objects and what clients are told (`GET /v1/config`) always agree.
 */
import {
  DEFAULT_DELETE_FOR_EVERYONE_WINDOW_SECONDS,
  DEFAULT_SERVER_CONFIG,
  type ServerConfig,
} from "../client/sdk/protocol/index.ts";

type ConfigEnv = Pick<Env, "DELETE_FOR_EVERYONE_WINDOW_SECONDS">;

/** How long a sender (or group admin) may delete for everyone, in seconds. */
export function deleteWindowSeconds(env: ConfigEnv): number {
  const configured = Number(env.DELETE_FOR_EVERYONE_WINDOW_SECONDS);
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_DELETE_FOR_EVERYONE_WINDOW_SECONDS;
}

/**
 * How long a disappearing message lasts on a test stack (`DISAPPEARING_TEST_SECONDS`), or null: the
 * chat's timer applies. Never in production, whatever the variable says.
 */
export function disappearingTestSeconds(env: Pick<Env, "DEPLOY_ENV" | "DISAPPEARING_TEST_SECONDS">): number | null {
  if (env.DEPLOY_ENV === "production") return null;
  const configured = Number(env.DISAPPEARING_TEST_SECONDS);
  return Number.isFinite(configured) && configured > 0 ? configured : null;
}

/**
 * Default of `archiveQuietMs`. Each archive pass opens a Postgres connection (a dozen protocol turns,
 * whatever the rows), and nothing a person sees waits for it: history, search and exports read the
 * chat's hot window first. Two minutes makes most passes carry many messages.
 */
export const DEFAULT_ARCHIVE_QUIET_SECONDS = 120;

/** How long a quiet chat's new messages wait to be archived to Postgres together, in ms. */
export function archiveQuietMs(env: Pick<Env, "ARCHIVE_QUIET_SECONDS">): number {
  const configured = Number(env.ARCHIVE_QUIET_SECONDS);
  return (Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_ARCHIVE_QUIET_SECONDS) * 1000;
}

/** What clients need to know of this deploy's limits. */
export function serverConfig(env: ConfigEnv): ServerConfig {
  return { ...DEFAULT_SERVER_CONFIG, deleteForEveryoneWindowSeconds: deleteWindowSeconds(env) };
}
