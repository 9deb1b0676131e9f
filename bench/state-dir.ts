/**
 * Where a bench's dev servers keep Durable Object and R2 state.
 *
 * Each Durable Object commits to its own SQLite file, and locally every commit is an fsync of one
 * shared virtual disk (~3 ms here). A 200-member group's message is 201 commits in 201 objects; on
 * Cloudflare those commit in parallel on many machines, here they queue behind each other on one
 * disk, and that queue, not the code, set the 200-group figures. So benches keep state in memory
 * (`/dev/shm`) by default — for the product and the bare room alike — and BENCH_STATE_DIR=.data
 * measures on disk.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";

const TMPFS = "/dev/shm";

export function benchStateDir(name: string): { path: string; label: string } {
  const chosen = process.env.BENCH_STATE_DIR || (existsSync(TMPFS) ? TMPFS : ".data");
  const path = resolve(chosen, name);
  const label = chosen === TMPFS ? `memory (${TMPFS}; BENCH_STATE_DIR=.data for disk)` : `disk (${resolve(chosen)})`;
  return { path, label };
}
