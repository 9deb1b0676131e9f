/**
 * `npm run dev`: the whole product on http://localhost:8787 from a clean clone, data kept in .data/.
 *
 * Postgres comes from DATABASE_URLS / DATABASE_URL or an embedded server; caching (Upstash via the
 * local shim) is on only when REDIS_URL is set, never because some Redis happens to answer on 6379.
 * Ctrl-C (SIGINT), SIGTERM or SIGHUP stops wrangler, workerd, the relay, the shim and the embedded Postgres.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { resolve } from "node:path";
import { startStack, type Stack } from "./stack.ts";
import { devVapidKeys } from "./vapid-keys.ts";

const DATA = resolve(".data");
const SECRETS_FILE = resolve(DATA, "dev-secrets.json");

/** AUTH_SECRET for dev: generated once, kept so sessions survive restarts. */
function devAuthSecret(): string {
  if (existsSync(SECRETS_FILE)) {
    const saved = JSON.parse(readFileSync(SECRETS_FILE, "utf8")) as { AUTH_SECRET?: unknown };
    if (typeof saved.AUTH_SECRET === "string" && saved.AUTH_SECRET.length >= 32) return saved.AUTH_SECRET;
  }
  const secret = randomBytes(32).toString("base64url");
  mkdirSync(DATA, { recursive: true });
  writeFileSync(SECRETS_FILE, `${JSON.stringify({ AUTH_SECRET: secret }, null, 2)}\n`, { mode: 0o600 });
  return secret;
}

function answers(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, host);
    socket.setTimeout(500, () => socket.destroy());
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
    socket.once("close", () => done(false));
  });
}

function buildWebClient(): void {
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.["build:web"]) return;
  console.log("web: npm run build:web");
  const result = spawnSync("npm", ["run", "build:web"], { stdio: "inherit" });
  if (result.status !== 0) throw new Error("web: build:web failed");
}

async function main(): Promise<void> {
  let starting: Promise<Stack> | null = null;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      console.log(`${signal} again: exiting now (an embedded Postgres may be left running; the next run reuses it)`);
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    const stack = await starting?.catch(() => null);
    await stack?.stop();
    console.log("stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGHUP", () => void shutdown("SIGHUP"));

  buildWebClient();
  starting = startStack({
    port: Number(process.env.PORT ?? 8787),
    persistTo: resolve(DATA, "wrangler"),
    postgres: { dataDir: resolve(DATA, "postgres") },
    authSecret: devAuthSecret(),
    // Web Push (README "Notifications"): VAPID_* from the environment, else a pair generated once into .data/vapid.json.
    vars: {
      ...devVapidKeys(resolve(DATA, "vapid.json")),
      // GET /health/ready's bearer secret: HEALTH_SECRET from the environment, else random per run.
      ...(process.env.HEALTH_SECRET ? { HEALTH_SECRET: process.env.HEALTH_SECRET } : {}),
    },
    echoWrangler: true,
  });
  const stack = await starting;
  if (stopping) return;
  if (!process.env.REDIS_URL && (await answers(6379))) {
    console.log(
      "redis: hint: a Redis answers on 127.0.0.1:6379; run `REDIS_URL=redis://127.0.0.1:6379 npm run dev` to use it",
    );
  }
  console.log(`ready: ${stack.baseUrl.replace("127.0.0.1", "localhost")} (Ctrl-C to stop)`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
