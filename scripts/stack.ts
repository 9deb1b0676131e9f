/**
 * The whole local stack in one call, shared by `npm run dev` and the integration tests so both run
 * the product the same way: Postgres → migrations → WebSocket relay → Upstash shim (when there is a
 * Redis) → `wrangler dev --local`, then wait for `GET /health/ready` (every shard, Redis and R2 answer). `restartWorker()` kills and restarts
 * only wrangler (same port, same persisted Durable Object state), as a deploy or crash would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { connect, createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { dropDatabases, ensurePostgres, type PostgresOptions } from "./postgres.ts";
import { migrateShards } from "./migrate.ts";
import { startUpstashShim } from "./upstash-shim.ts";
import { startWsRelay } from "./ws-relay.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const WRANGLER_JS = resolve(ROOT, "node_modules/wrangler/bin/wrangler.js");
const LOG_TAIL_LINES = 60;

/**
 * The environment a private `wrangler dev` runs with: no telemetry, its own dev registry under
 * `persistTo` (another `wrangler dev` may be running on the machine), and no colours when its
 * output is parsed rather than shown.
 */
export function wranglerEnv(persistTo: string, plain = true): NodeJS.ProcessEnv {
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    WRANGLER_REGISTRY_PATH: resolve(persistTo, "dev-registry"),
    // wrangler 4 records a trace span for every SQL statement, RPC and fetch into a local collector
    // by default; on this stack that multiplied the runtime's CPU per message by 2–3 and its cost per
    // RPC by ~5, a dev-only tax production does not pay. X_LOCAL_OBSERVABILITY=true brings it back.
    X_LOCAL_OBSERVABILITY: process.env.X_LOCAL_OBSERVABILITY || "false",
    ...(plain ? { FORCE_COLOR: "0", NO_COLOR: "1" } : {}),
  };
}

export interface StackOptions {
  /** HTTP port of wrangler dev (default 8787; 0 = any free port). */
  port?: number;
  /** Where wrangler keeps Durable Object / R2 state (`--persist-to`). */
  persistTo: string;
  /** Shard URLs / embedded server settings (default: DATABASE_URLS, DATABASE_URL, else embedded). */
  postgres?: PostgresOptions;
  /** Redis behind the Upstash shim (default REDIS_URL; null, or neither = caching off). */
  redisUrl?: string | null;
  /** HMAC key for session tokens (default: random for this run). */
  authSecret?: string;
  /**
   * PASSWORD_PEPPER (default: derived from the AUTH_SECRET this stack gets, so stacks that share a
   * signing key — the bench's extra nodes — also share accounts).
   */
  passwordPepper?: string;
  /** Extra Worker vars, e.g. { HOT_WINDOW_MESSAGES: "20" }. */
  vars?: Record<string, string>;
  /** Wrangler config (default ./wrangler.toml). */
  configPath?: string;
  /** Print wrangler's output (dev) instead of only keeping it for error messages. */
  echoWrangler?: boolean;
  /** Also append wrangler's output to this file. */
  wranglerLogFile?: string;
  healthTimeoutMs?: number;
  /** Port for wrangler's DevTools inspector (default: wrangler's choice); bench/profile.ts sets it. */
  inspectorPort?: number;
  log?: (line: string) => void;
}

export interface Stack {
  baseUrl: string;
  /** Bearer secret of `GET /health/ready` on this stack (the `HEALTH_SECRET` var). */
  healthSecret: string;
  /** Bearer secret of the report queue on this stack (the `OPERATOR_SECRET` var). */
  operatorSecret: string;
  shardUrls: string[];
  redisRest: { url: string; token: string } | null;
  redisUrl: string | null;
  /** Stops wrangler, the shim, the relay and an embedded Postgres this stack started (dropping the shard databases first if asked). */
  stop(options?: { dropDatabases?: boolean }): Promise<void>;
  /** Kills wrangler (and workerd) and starts it again on the same port with the same persisted state. */
  restartWorker(options?: { signal?: "SIGTERM" | "SIGKILL" }): Promise<void>;
  /** Fault injection for tests: makes Postgres (the relay) or Redis (the shim) unreachable, or back. */
  setDependency(name: "postgres" | "redis", up: boolean): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok, fail) => server.once("error", fail).listen(0, "127.0.0.1", () => ok()));
  const address = server.address();
  await new Promise<void>((ok) => server.close(() => ok()));
  if (typeof address !== "object" || !address) throw new Error("could not find a free port");
  return address.port;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const cleanups: Array<() => Promise<void>> = [];
  let dropOnStop = false;
  const stopAll = async (stopOptions: { dropDatabases?: boolean } = {}) => {
    dropOnStop = stopOptions.dropDatabases ?? false;
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((e: unknown) => log(`stop: ${String(e)}`));
    }
  };
  const port = options.port === 0 ? await freePort() : (options.port ?? 8787);
  if (await portOpen(port)) throw portInUse(port);
  try {
    const pg = await ensurePostgres({ ...options.postgres, log });
    cleanups.push(async () => {
      if (dropOnStop) await dropDatabases(pg.urls).catch((e: unknown) => log(`postgres: drop failed: ${String(e)}`));
      await pg.stop();
    });
    await migrateShards(pg.urls, log);

    // Mutable: `setDependency("postgres", false)` closes the relay (Postgres unreachable from the
    // Worker and the DOs, as in an outage) and `true` reopens it on the same port.
    let relay: Awaited<ReturnType<typeof startWsRelay>> | null = await startWsRelay();
    const relayPort = relay.port;
    cleanups.push(async () => {
      await relay?.close();
    });
    log(`relay: ws://127.0.0.1:${relay.port}/v2 → loopback Postgres`);

    const redisUrl = options.redisUrl === undefined ? (process.env.REDIS_URL ?? null) : options.redisUrl;
    let redisRest: Stack["redisRest"] = null;
    let shim: Awaited<ReturnType<typeof startUpstashShim>> | null = null;
    if (redisUrl) {
      shim = await startUpstashShim({ redisUrl, token: randomBytes(18).toString("base64url") });
      cleanups.push(async () => {
        await shim?.close();
      });
      redisRest = { url: shim.url, token: shim.token };
      log(`redis: ${redactUrl(redisUrl)} via Upstash REST shim at ${shim.url}`);
    } else {
      log("redis: off (set REDIS_URL to enable caching)");
    }

    const authSecret = options.authSecret ?? randomBytes(32).toString("base64url");
    const vars: Record<string, string> = {
      ...options.vars,
      DATABASE_URLS: pg.urls.join(","),
      NEON_WS_PROXY: `127.0.0.1:${relayPort}`,
      AUTH_SECRET: authSecret,
      PASSWORD_PEPPER:
        options.passwordPepper ?? createHmac("sha256", authSecret).update("local password pepper").digest("base64url"),
      HEALTH_SECRET: options.vars?.HEALTH_SECRET ?? randomBytes(18).toString("base64url"),
      // The report queue's bearer secret (README "Reports"): generated per stack unless given.
      OPERATOR_SECRET: options.vars?.OPERATOR_SECRET ?? randomBytes(24).toString("base64url"),
      ...(redisRest ? { UPSTASH_REDIS_REST_URL: redisRest.url, UPSTASH_REDIS_REST_TOKEN: redisRest.token } : {}),
    };
    const worker = new WranglerProcess({ ...options, port, vars });
    cleanups.push(() => worker.close());
    await worker.start();
    log(`wrangler: http://localhost:${port}`);

    return {
      baseUrl: worker.baseUrl,
      healthSecret: vars.HEALTH_SECRET ?? "",
      operatorSecret: vars.OPERATOR_SECRET ?? "",
      shardUrls: pg.urls,
      redisRest,
      redisUrl,
      stop: stopAll,
      async restartWorker(restart = {}) {
        await worker.stop(restart.signal ?? "SIGTERM");
        await worker.start();
        log(`wrangler: restarted on ${worker.baseUrl}`);
      },
      async setDependency(name, up) {
        if (name === "postgres") {
          if (!up && relay) await relay.close();
          if (!up) relay = null;
          if (up && !relay) relay = await startWsRelay({ port: relayPort });
        } else if (redisRest && redisUrl) {
          const { url, token } = redisRest;
          if (!up && shim) await shim.close();
          if (!up) shim = null;
          if (up && !shim) shim = await startUpstashShim({ redisUrl, token, port: Number(new URL(url).port) });
        }
        log(`${name}: ${up ? "reachable again" : "made unreachable"}`);
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

type WorkerOptions = StackOptions & { port: number; vars: Record<string, string> };

/** One `wrangler dev` child in its own process group, so stopping it also stops workerd. */
class WranglerProcess {
  readonly baseUrl: string;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly tail: string[] = [];
  /** wrangler keeps running (watching for edits) after a failed build; we give up at once instead. */
  private buildFailed = false;
  private readonly file: WriteStream | null;
  private readonly args: string[];
  private readonly opts: WorkerOptions;

  constructor(opts: WorkerOptions) {
    this.opts = opts;
    this.baseUrl = `http://127.0.0.1:${opts.port}`;
    this.file = opts.wranglerLogFile ? openLog(opts.wranglerLogFile) : null;
    const persistTo = resolve(opts.persistTo);
    this.args = [
      WRANGLER_JS,
      "dev",
      "--local",
      "--config",
      resolve(opts.configPath ?? resolve(ROOT, "wrangler.toml")),
      "--ip",
      "127.0.0.1",
      "--port",
      String(opts.port),
      "--persist-to",
      persistTo,
      "--show-interactive-dev-session=false",
      ...(opts.inspectorPort ? ["--inspector-port", String(opts.inspectorPort)] : []),
      ...Object.entries(opts.vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ];
  }

  async start(): Promise<void> {
    // Otherwise /health/ready could be answered by whatever already listens there.
    if (await portOpen(this.opts.port)) throw portInUse(this.opts.port);
    this.buildFailed = false;
    const child = spawn(process.execPath, this.args, {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: wranglerEnv(this.opts.persistTo, !this.opts.echoWrangler),
    });
    this.child = child;
    this.exited = new Promise((done) => child.once("exit", () => done()));
    for (const stream of [child.stdout, child.stderr]) stream?.on("data", (chunk: Buffer) => this.record(chunk));
    killOnExit.add(child);
    void this.exited.then(() => killOnExit.delete(child));
    await this.waitHealthy(child);
  }

  async stop(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, signal);
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    // wrangler may leave workerd behind if it dies mid-shutdown (or crashed): sweep the group.
    killGroup(child, "SIGKILL");
    await waitPortFree(this.opts.port);
  }

  /** Stops wrangler for good and closes the log file (an open file handle keeps Node's process alive). */
  async close(): Promise<void> {
    await this.stop("SIGTERM");
    await new Promise<void>((done) => (this.file ? this.file.end(() => done()) : done()));
  }

  private record(chunk: Buffer): void {
    if (this.opts.echoWrangler) process.stdout.write(chunk);
    const text = chunk.toString("utf8").replace(/\x1b\[[0-9;]*m/g, "");
    if (/Build failed/.test(text)) this.buildFailed = true;
    this.file?.write(text);
    this.tail.push(...text.split("\n").filter((l) => l.trim()));
    if (this.tail.length > LOG_TAIL_LINES) this.tail.splice(0, this.tail.length - LOG_TAIL_LINES);
  }

  private async waitHealthy(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + (this.opts.healthTimeoutMs ?? 90_000);
    let last = "no answer";
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `wrangler dev exited (${child.exitCode ?? child.signalCode}) before /health/ready answered.\n${this.logTail()}`,
        );
      }
      if (this.buildFailed) {
        await new Promise((r) => setTimeout(r, 200)); // let the rest of the error arrive
        await this.stop("SIGKILL");
        throw new Error(`wrangler dev: the Worker did not build.\n${this.logTail()}`);
      }
      try {
        // Readiness, not liveness: the stack is up once every dependency answers through the Worker.
        const res = await fetch(`${this.baseUrl}/health/ready`, {
          headers: { authorization: `Bearer ${this.opts.vars.HEALTH_SECRET ?? ""}` },
          signal: AbortSignal.timeout(15_000),
        });
        const body = await res.text();
        if (res.status === 200 && body.includes('"checks"')) return;
        last = `${res.status} ${body.slice(0, 300)}`;
      } catch (err) {
        last = String(err);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    await this.stop("SIGKILL");
    throw new Error(
      `wrangler dev: GET /health/ready did not answer 200 within the timeout (last: ${last}).\n${this.logTail()}`,
    );
  }

  private logTail(): string {
    return `--- wrangler log (last ${this.tail.length} lines) ---\n${this.tail.join("\n")}`;
  }
}

function portInUse(port: number): Error {
  return new Error(`port ${port} on 127.0.0.1 is already in use (another \`npm run dev\`? \`PORT=8788 npm run dev\`)`);
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
  });
}

/** Resolves once nothing accepts connections on 127.0.0.1:port (or after 10 s). */
async function waitPortFree(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (await portOpen(port))) await new Promise((r) => setTimeout(r, 100));
}

function openLog(path: string): WriteStream {
  mkdirSync(dirname(path), { recursive: true });
  return createWriteStream(path, { flags: "a" });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** If this process exits without stop() (a crash, process.exit), take the wrangler groups with it. */
const killOnExit = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of killOnExit) killGroup(child, "SIGKILL");
});

function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}
