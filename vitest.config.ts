/**
 * Three test projects, one `vitest run`:
 * - unit: plain Node, pure functions (tests/unit).
 * - workers: inside workerd via @cloudflare/vitest-plugin, against wrangler.toml (tests/workers),
 *   rate limits off.
 * - limits: the same, with rate limits on and an Origin allowlist (tests/limits).
 * - integration: Node tests against the real local stack (Postgres ×2 shards, Redis via the Upstash
 *   shim, `wrangler dev`), started once by tests/integration/global-setup.ts (tests/integration),
 *   and the browser tests (tests/e2e: the built web client in Debian Chromium) on the same stack.
 */
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { mkdirSync } from "node:fs";
import { defineConfig } from "vitest/config";

// wrangler.toml serves the built web client from here; the workers project only needs the folder to
// exist (a clean clone has not built it yet). The integration setup builds it for real.
mkdirSync(new URL("./client/web/dist", import.meta.url), { recursive: true });

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          include: ["tests/unit/**/*.test.ts"],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            // Limits off: these tests burst hundreds of sends; the "limits" project tests them.
            miniflare: {
              bindings: {
                AUTH_SECRET: "test-secret-0123456789abcdef0123456789abcdef",
                RATE_LIMITS: "off",
                // tests/workers/health.test.ts: the bearer secret of GET /health/ready.
                HEALTH_SECRET: "health-secret-for-tests",
                // tests/workers/fuzz.test.ts: replay a run with FUZZ_SEED=<seed>, size it with FUZZ_FRAMES.
                FUZZ_SEED: process.env.FUZZ_SEED ?? "",
                FUZZ_FRAMES: process.env.FUZZ_FRAMES ?? "",
              },
            },
          }),
        ],
        test: {
          name: "workers",
          include: ["tests/workers/**/*.test.ts"],
          // The first request in a test file pays for loading the Worker's modules into workerd (seconds).
          testTimeout: 30_000,
        },
      },
      {
        // Rate limits, tickets, Origin and headers inside workerd with production limits on.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                AUTH_SECRET: "test-secret-0123456789abcdef0123456789abcdef",
                // tests/limits/ws-limits.test.ts: tickets signed before a rotation still open sockets.
                AUTH_SECRET_PREVIOUS: "old-test-secret-0123456789abcdef0123456789",
                RATE_LIMITS: "on",
                ALLOWED_ORIGINS: "https://app.example.com",
              },
            },
          }),
        ],
        test: { name: "limits", include: ["tests/limits/**/*.test.ts"], testTimeout: 30_000 },
      },
      {
        test: {
          name: "integration",
          // The authz matrix imports the Worker's app to list its routes; DO classes need this stub in Node.
          alias: {
            "cloudflare:workers": new URL("./tests/integration/cloudflare-workers-stub.ts", import.meta.url).pathname,
          },
          environment: "node",
          include: ["tests/integration/**/*.test.ts", "tests/e2e/**/*.test.ts"],
          globalSetup: ["tests/integration/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
