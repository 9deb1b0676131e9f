// The bindings the Workers-runtime tests see: the Worker's own Env (wrangler.toml + test bindings).
import type { Env as WorkerEnv } from "../../workers/env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
  }
}
