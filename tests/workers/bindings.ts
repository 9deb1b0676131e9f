/**
 * What the workerd test projects see of the Worker: its bindings (the generated `Env`, plus the
 * test-only knobs below, set in vitest.config.ts) and its default export.
 */
import { env, exports } from "cloudflare:workers";

declare global {
  namespace Cloudflare {
    interface Env {
      /** tests/workers/fuzz.test.ts: replay a run with FUZZ_SEED=<seed>, size it with FUZZ_FRAMES. */
      FUZZ_SEED?: string;
      FUZZ_FRAMES?: string;
    }
  }
}

/** The secret vitest.config.ts gives every workerd test project; tests sign tokens with it. */
export const AUTH_SECRET: string = required(env.AUTH_SECRET, "AUTH_SECRET");
/** The Worker under test, called like the runtime calls it. */
export const worker = exports.default;

function required(value: string | undefined, name: string): string {
  if (!value) throw new Error(`${name} is not set for this test project (vitest.config.ts)`);
  return value;
}
