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
import { mkdirSync, readFileSync } from "node:fs";
import { defineConfig, type Plugin } from "vitest/config";

/**
 * `.wasm` imports as workerd gives them (a compiled `WebAssembly.Module`), for the tests in Node:
 * workers/lib/argon2.ts imports the argon2id package's modules that way.
 */
const wasmModules: Plugin = {
  name: "wasm-modules",
  enforce: "pre",
  load(id) {
    if (!id.endsWith(".wasm")) return null;
    const bytes = readFileSync(id).toString("base64");
    return `export default new WebAssembly.Module(Uint8Array.from(atob(${JSON.stringify(bytes)}), (c) => c.charCodeAt(0)));`;
  },
};

/** Every workerd project's password settings: the pepper, and the tiny test cost (passwords are not what they test). */
const PASSWORD_BINDINGS = { PASSWORD_PEPPER: "test-pepper-0123456789abcdef0123456789abcdef", PASSWORD_TEST_COST: "1" };

// wrangler.toml serves the built web client from here; the workers project only needs the folder to
// exist (a clean clone has not built it yet). The integration setup builds it for real.
mkdirSync(new URL("./client/web/dist", import.meta.url), { recursive: true });

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [wasmModules],
        test: {
          name: "unit",
          environment: "node",
          // Through vite, so wasmModules sees the package's `.wasm` imports (Node would load them itself).
          server: { deps: { inline: ["argon2id"] } },
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
                ...PASSWORD_BINDINGS,
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
                ...PASSWORD_BINDINGS,
                RATE_LIMITS: "on",
                ALLOWED_ORIGINS: "https://app.example.com",
              },
            },
          }),
        ],
        test: { name: "limits", include: ["tests/limits/**/*.test.ts"], testTimeout: 30_000 },
      },
      {
        // The authz matrix imports the Worker's app in Node, argon2id's `.wasm` with it.
        plugins: [wasmModules],
        test: {
          name: "integration",
          // The authz matrix imports the Worker's app to list its routes; DO classes need this stub in Node.
          alias: {
            "cloudflare:workers": new URL("./tests/integration/cloudflare-workers-stub.ts", import.meta.url).pathname,
          },
          environment: "node",
          server: { deps: { inline: ["argon2id"] } },
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
