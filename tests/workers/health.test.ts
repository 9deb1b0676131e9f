/**
 * `/health` inside workerd (README "REST API"): liveness is public and touches no dependency;
 * readiness is behind HEALTH_SECRET and is the same 404 as an unknown path for everyone else. This
 * project has no Postgres and no Redis, so readiness reports R2 only. Every Worker answer is
 * `Cache-Control: no-store` unless it sets its own (item 13).
 */
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { worker } from "./bindings.ts";

const BASE = "https://messenger.test";
const get = (path: string, headers: Record<string, string> = {}) =>
  worker.fetch(new Request(`${BASE}${path}`, { headers }));

describe("health", () => {
  it("answers liveness with nothing about dependencies, uncached", async () => {
    const res = await get("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("hides readiness without the secret, with a wrong one, or with another scheme", async () => {
    const unknown = await (await get("/definitely-not-a-route")).json();
    for (const headers of <Record<string, string>[]>[
      {},
      { authorization: "Bearer wrong-secret" },
      { authorization: `Basic ${env.HEALTH_SECRET ?? ""}` },
      { authorization: `Bearer ${env.HEALTH_SECRET ?? ""}x` },
    ]) {
      const res = await get("/health/ready", headers);
      expect(res.status).toBe(404);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error).toMatchObject({ code: "not_found", message: (unknown as typeof body).error.message });
    }
  });

  it("reports each configured dependency to the holder of the secret", async () => {
    const res = await get("/health/ready", { authorization: `Bearer ${env.HEALTH_SECRET ?? ""}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", checks: { redis: "off", r2: "ok" } });
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("caching", () => {
  it("marks refusals of authenticated routes no-store", async () => {
    for (const path of ["/v1/me", "/v1/conversations", "/v1/users?q=al"]) {
      const res = await get(path, { authorization: "Bearer not-a-token" });
      expect(res.status).toBe(401);
      expect(res.headers.get("cache-control"), path).toBe("no-store");
    }
  });
});
