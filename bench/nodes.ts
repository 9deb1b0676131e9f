/**
 * Extra local "nodes" for scenarios that outgrow one dev server: each is its own `wrangler dev`
 * (its own workerd, Durable Objects and R2 state) on the same Postgres shards, Redis and signing
 * key as the main stack, so a user registered on one logs in on any. A user's hub exists once per
 * node, so scenarios keep each user's devices on one node, as production keeps each object in one
 * place.
 */
import { resolve } from "node:path";
import { startStack, type Stack } from "../scripts/stack.ts";

export interface NodeSettings {
  shardUrls: string[];
  redisUrl: string | null;
  authSecret: string;
  vars: Record<string, string>;
  /** Folder under which each node keeps its state (`<dir>/node-<n>`). */
  persistRoot: string;
  log: (line: string) => void;
}

/** Starts `count` nodes one after the other (each build takes a core for a few seconds). */
export async function startNodes(count: number, settings: NodeSettings): Promise<Stack[]> {
  const nodes: Stack[] = [];
  try {
    for (let n = 1; n <= count; n++) {
      nodes.push(
        await startStack({
          port: 0,
          persistTo: resolve(settings.persistRoot, `node-${n}`),
          postgres: { urls: settings.shardUrls, log: settings.log },
          ...(settings.redisUrl ? { redisUrl: settings.redisUrl } : {}),
          authSecret: settings.authSecret,
          vars: settings.vars,
          log: (line) => settings.log(`node ${n}: ${line}`),
        }),
      );
    }
    return nodes;
  } catch (err) {
    await stopNodes(nodes);
    throw err;
  }
}

/** Stops the nodes; the shard databases belong to the main stack and stay. */
export async function stopNodes(nodes: Stack[]): Promise<void> {
  for (const node of nodes.splice(0)) await node.stop().catch(() => undefined);
}
