/**
 * Three test projects, one `vitest run`:
 * - unit: plain Node, pure functions (tests/unit).
 * - workers: inside workerd via @cloudflare/vitest-plugin, against wrangler.toml (tests/workers).
 * - integration: Node tests against the real local stack (Postgres ×2 shards, Redis via the Upstash
 *   shim, `wrangler dev`), started once by tests/integration/global-setup.ts (tests/integration).
 */
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

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
            miniflare: { bindings: { AUTH_SECRET: "test-secret-0123456789abcdef0123456789abcdef" } },
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
        test: {
          name: "integration",
          environment: "node",
          include: ["tests/integration/**/*.test.ts"],
          globalSetup: ["tests/integration/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
