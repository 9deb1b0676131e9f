/**
 * `/health` inside workerd (README "REST API"): liveness is public and touches no dependency;
 * readiness is behind HEALTH_SECRET and is the same 404 as an unknown path for everyone else. This
 * project has no Postgres and no Redis, so readiness reports R2 only. Every Worker answer is
 * `Cache-Control: no-store` unless it sets its own (item 13).
 */
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import app from "../../workers/index.ts";
import { worker } from "./bindings.ts";

const BASE = "https://messenger.test";
/** A report-queue secret long enough for production (this test's only). */
const OPERATOR = "operator-secret-for-the-health-test-0123456789";
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
    expect(await res.json()).toEqual({
      status: "ok",
      checks: { redis: "off", r2: "ok", push: "off", reports: "off" },
    });
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("reports push as misconfigured, and is not ready, when production has no real VAPID_SUBJECT", async () => {
    // A key pair made for this test only (the subject is what is checked here, not the keys).
    const keys = {
      VAPID_PUBLIC_KEY: "BNk1lKToWw_Xngln7hck17G6dY46pBitcO-qKutmAuaMWgQJLihhKM8fhijkGHB-rKBpiV8OJdqGl16TzIz1vzk",
      VAPID_PRIVATE_KEY: "KfEldP98z2x4e4Ofj7T2DACYvahLZwYVKPc33Tgkedg",
    };
    const ready = async (vars: Record<string, string>) => {
      const res = await app.fetch(
        new Request(`${BASE}/health/ready`, { headers: { authorization: `Bearer ${env.HEALTH_SECRET ?? ""}` } }),
        { ...env, ...keys, ...vars },
        createExecutionContext(),
      );
      return { status: res.status, body: (await res.json()) as { checks: Record<string, string>; problems?: object } };
    };
    for (const subject of <Record<string, string>[]>[
      {},
      { VAPID_SUBJECT: "mailto:push@localhost" },
      { VAPID_SUBJECT: "ops@example.org" },
    ]) {
      const { status, body } = await ready({ DEPLOY_ENV: "production", OPERATOR_SECRET: OPERATOR, ...subject });
      expect(status, JSON.stringify(subject)).toBe(503);
      expect(body.checks.push).toBe("misconfigured");
      expect(body.problems).toEqual({ push: expect.stringContaining("VAPID_SUBJECT") });
    }
    const good = await ready({
      DEPLOY_ENV: "production",
      OPERATOR_SECRET: OPERATOR,
      VAPID_SUBJECT: "mailto:ops@messenger.app",
    });
    expect(good).toEqual({
      status: 200,
      body: { status: "ok", checks: { redis: "off", r2: "ok", push: "ok", reports: "ok" } },
    });
    // Outside production a local contact is fine (`npm run dev`, the tests).
    expect((await ready({ VAPID_SUBJECT: "mailto:dev@localhost" })).status).toBe(200);

    // Production without a long OPERATOR_SECRET: reports cannot be reviewed, so not ready.
    for (const secret of <Record<string, string>[]>[{}, { OPERATOR_SECRET: "short" }]) {
      const { status, body } = await ready({
        DEPLOY_ENV: "production",
        VAPID_SUBJECT: "mailto:ops@messenger.app",
        ...secret,
      });
      expect(status, JSON.stringify(secret)).toBe(503);
      expect(body.checks.reports).toBe("misconfigured");
      expect(body.problems).toEqual({ reports: expect.stringContaining("OPERATOR_SECRET") });
    }
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
