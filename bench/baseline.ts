/**
 * Starts the bench's baseline Worker (bench/baseline/: bare echo, bare durable room, bare R2) as its
 * own `wrangler dev` beside the product, on its own port, state folder and R2 bucket. Spawned as
 * scripts/stack.ts spawns the product's: Node from the `node` devDependency (this process's own
 * binary), its own process group (so stopping it stops its workerd too, and bench/processes.ts
 * finds its workerd by port), and its own dev registry.
 */
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, wranglerEnv } from "../scripts/stack.ts";
import { sleep } from "./lib.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const WRANGLER_JS = resolve(ROOT, "node_modules/wrangler/bin/wrangler.js");
const CONFIG = resolve(ROOT, "bench/baseline/wrangler.toml");
const START_TIMEOUT_MS = 90_000;

export interface Baseline {
  baseUrl: string;
  port: number;
  stop(): Promise<void>;
}

export async function startBaseline(opts: { persistTo: string; log: (line: string) => void }): Promise<Baseline> {
  const port = await freePort();
  const persistTo = resolve(opts.persistTo);
  mkdirSync(persistTo, { recursive: true });
  const child = spawn(
    process.execPath,
    [
      WRANGLER_JS,
      "dev",
      "--local",
      "--config",
      CONFIG,
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      persistTo,
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: wranglerEnv(persistTo),
    },
  );
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr])
    stream.on("data", (chunk: Buffer) => tail.push(...chunk.toString("utf8").split("\n").slice(-20)));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const onExit = () => killGroup("SIGKILL");
  process.on("exit", onExit);
  const stop = async () => {
    process.off("exit", onExit);
    if (child.exitCode === null && child.signalCode === null) {
      killGroup("SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
    }
    killGroup("SIGKILL"); // workerd may outlive wrangler
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5_000) });
      if (res.ok) {
        opts.log(`baseline worker: ${baseUrl}`);
        return { baseUrl, port, stop };
      }
    } catch {
      // not listening yet
    }
    await sleep(300);
  }
  await stop();
  throw new Error(`the baseline worker did not start\n${tail.slice(-40).join("\n")}`);
}
