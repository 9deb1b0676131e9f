/**
 * `GET /v1/config` tells clients this deploy's limits, including the delete-for-everyone window the
 * conversations enforce (the same function reads it for both).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEFAULT_SERVER_CONFIG, ServerConfig } from "../../client/sdk/protocol/index.ts";
import { archiveQuietMs, DEFAULT_ARCHIVE_QUIET_SECONDS, deleteWindowSeconds, serverConfig } from "../../lib/config.ts";
import { worker } from "./bindings.ts";

describe("GET /v1/config", () => {
  it("answers the deploy's limits without a login, cacheable", async () => {
    const res = await worker.fetch("https://messenger.test/v1/config");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("max-age");
    const body = ServerConfig.parse(await res.json());
    expect(body).toEqual(serverConfig(env));
    expect(body.deleteForEveryoneWindowSeconds).toBe(Number(env.DELETE_FOR_EVERYONE_WINDOW_SECONDS));
  });

  it("follows DELETE_FOR_EVERYONE_WINDOW_SECONDS, and falls back to the default when it is unusable", () => {
    expect(serverConfig({ DELETE_FOR_EVERYONE_WINDOW_SECONDS: "3600" }).deleteForEveryoneWindowSeconds).toBe(3600);
    expect(deleteWindowSeconds({ DELETE_FOR_EVERYONE_WINDOW_SECONDS: "soon" })).toBe(
      DEFAULT_SERVER_CONFIG.deleteForEveryoneWindowSeconds,
    );
  });

  it("paces a quiet chat's archive by ARCHIVE_QUIET_SECONDS, 120 s when unset or unusable", () => {
    expect(archiveQuietMs({})).toBe(DEFAULT_ARCHIVE_QUIET_SECONDS * 1000);
    expect(DEFAULT_ARCHIVE_QUIET_SECONDS).toBe(120);
    expect(archiveQuietMs({ ARCHIVE_QUIET_SECONDS: "5" })).toBe(5_000);
    expect(archiveQuietMs({ ARCHIVE_QUIET_SECONDS: "0" })).toBe(120_000);
    expect(archiveQuietMs({ ARCHIVE_QUIET_SECONDS: "later" })).toBe(120_000);
  });
});
