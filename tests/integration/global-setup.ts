/**
 * Starts the product once for the integration project through tests/harness.ts: two fresh Postgres
 * shard databases, Redis (logical db 15, flushed) behind the Upstash shim, and `wrangler dev` on a
 * free port with HOT_WINDOW_MESSAGES=20 so history reads reach Postgres, serving a fresh build of the
 * web client for the browser tests in tests/e2e. Hands the addresses to tests via `provide` (see
 * provided.d.ts) and serves a tiny localhost control endpoint so a test can restart the dev server
 * mid-stream (tests/integration/stack-control.ts). Everything is dropped at teardown.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { resolve } from "node:path";
import { Redis } from "ioredis";
import type { TestProject } from "vitest/node";
import { startProduct, type Product } from "../harness.ts";

const LOCAL_REDIS = "redis://127.0.0.1:6379";

const log = (line: string) => console.log(`[stack] ${line}`);

/**
 * Redis db 15 (or TEST_REDIS_DB, so two test runs on one machine keep apart) of REDIS_URL (must
 * answer) or of a local Redis (optional), flushed; null = caching off.
 */
async function pickRedis(): Promise<string | null> {
  const explicit = process.env.REDIS_URL;
  const url = new URL(explicit ?? LOCAL_REDIS);
  url.pathname = `/${process.env.TEST_REDIS_DB ?? "15"}`;
  const redis = new Redis(url.toString(), {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.flushdb();
    return url.toString();
  } catch (err) {
    if (explicit) throw new Error(`REDIS_URL is set but Redis does not answer: ${String(err)}`);
    return null;
  } finally {
    redis.disconnect();
  }
}

/** POST /restart {"signal":"SIGTERM"|"SIGKILL"} with the run's token → restarts wrangler, answers when healthy. */
function serveControl(stack: Pick<Product, "restartWorker" | "setDependency">, token: string): Promise<Server> {
  let queue = Promise.resolve();
  const server = createServer((req, res) => {
    // /hang…: never answers (a dependency that accepts and then stalls), for timeout tests.
    if (req.url?.startsWith("/hang")) return;
    const route = req.url === "/restart" || req.url === "/dependency" ? req.url : null;
    if (req.method !== "POST" || !route || req.headers["x-stack-token"] !== token) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const signal = text.includes('"SIGKILL"') ? "SIGKILL" : "SIGTERM";
      // POST /dependency {"name":"postgres"|"redis","up":bool}: fault injection for the soak.
      const name = text.includes('"redis"') ? "redis" : "postgres";
      const up = !text.includes('"up":false');
      queue = queue
        .then(() => (route === "/dependency" ? stack.setDependency(name, up) : stack.restartWorker({ signal })))
        .then(
          () => void res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'),
          (err: unknown) => void res.writeHead(500, { "content-type": "text/plain" }).end(String(err)),
        );
    });
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const product = await startProduct({
    shards: 2,
    redisUrl: await pickRedis(),
    // Built once per run, so the browser tests never see a stale client.
    rebuildWebClient: true,
    // Push (README "Notifications"): the harness makes a fresh VAPID pair; a fake push service on 127.0.0.1 is allowed.
    // RATE_LIMITS=off: these tests burst 1,000s of sends and register 100s of users from one IP;
    // PASSWORD_TEST_COST=1 for the same reason (tests/workers/passwords.test.ts runs the full cost).
    // DISAPPEARING_TEST_SECONDS: a disappearing message lasts 15 s here, whatever its chat's timer
    // (long enough to be seen archived first; tests/integration/disappearing.test.ts).
    // ARCHIVE_QUIET_SECONDS=5: a quiet chat's messages reach Postgres within ~5 s, not 30 (tests read it).
    vars: {
      HOT_WINDOW_MESSAGES: "20",
      ARCHIVE_QUIET_SECONDS: "5",
      RATE_LIMITS: "off",
      PUSH_ALLOW_INSECURE: "1",
      PASSWORD_TEST_COST: "1",
      DISAPPEARING_TEST_SECONDS: "15",
    },
    wranglerLogFile: resolve(".data/test-wrangler.log"),
    log,
  });
  const token = randomBytes(16).toString("hex");
  const control = await serveControl(product, token);
  const address = control.address();
  const controlPort = typeof address === "object" && address ? address.port : 0;

  project.provide("baseUrl", product.baseUrl);
  project.provide("healthSecret", product.healthSecret);
  project.provide("operatorSecret", product.operatorSecret);
  project.provide("shardUrls", product.shardUrls);
  project.provide("redisRest", product.redisRest);
  project.provide("redisUrl", product.redisUrl);
  project.provide("stackControlUrl", `http://127.0.0.1:${controlPort}/restart#${token}`);
  project.provide("hangingUrl", `http://127.0.0.1:${controlPort}/hang`);

  return async () => {
    control.closeAllConnections();
    await new Promise<void>((ok) => control.close(() => ok()));
    await product.stop();
  };
}
