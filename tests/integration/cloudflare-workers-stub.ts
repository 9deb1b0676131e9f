/**
 * Node stand-in for the `cloudflare:workers` module, so integration tests can import the Worker's
 * Hono app (workers/index.ts) to enumerate its routes (`app.routes`) without running it. The Durable
 * Object classes are declared but never instantiated here; the real stack runs under `wrangler dev`.
 */
export class DurableObject<E = unknown> {
  protected readonly ctx: unknown;
  protected readonly env: E;

  constructor(ctx: unknown, env: E) {
    this.ctx = ctx;
    this.env = env;
  }
}

export class WorkerEntrypoint<E = unknown> extends DurableObject<E> {}

export const env: Record<string, unknown> = {};
