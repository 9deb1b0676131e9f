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

interface DevSecrets {
  AUTH_SECRET: string;
  PASSWORD_PEPPER: string;
}

/**
 * AUTH_SECRET and PASSWORD_PEPPER for dev: each generated once and kept, so sessions and passwords
 * survive restarts (a file from before the pepper existed gets one added).
 */
function devSecrets(): DevSecrets {
  const saved: Record<string, unknown> = existsSync(SECRETS_FILE)
    ? (JSON.parse(readFileSync(SECRETS_FILE, "utf8")) as Record<string, unknown>)
    : {};
  const kept = (name: keyof DevSecrets) => {
    const value = saved[name];
    return typeof value === "string" && value.length >= 32 ? value : null;
  };
  const secrets: DevSecrets = {
    AUTH_SECRET: kept("AUTH_SECRET") ?? randomBytes(32).toString("base64url"),
    PASSWORD_PEPPER: kept("PASSWORD_PEPPER") ?? randomBytes(32).toString("base64url"),
  };
  if (secrets.AUTH_SECRET !== saved.AUTH_SECRET || secrets.PASSWORD_PEPPER !== saved.PASSWORD_PEPPER) {
    mkdirSync(DATA, { recursive: true });
    writeFileSync(SECRETS_FILE, `${JSON.stringify({ ...saved, ...secrets }, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
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
  const secrets = devSecrets();
  starting = startStack({
    port: Number(process.env.PORT ?? 8787),
    persistTo: resolve(DATA, "wrangler"),
    postgres: { dataDir: resolve(DATA, "postgres") },
    authSecret: secrets.AUTH_SECRET,
    passwordPepper: secrets.PASSWORD_PEPPER,
    // Web Push (README "Notifications"): VAPID_* from the environment, else a pair generated once into .data/vapid.json.
    vars: {
      ...devVapidKeys(resolve(DATA, "vapid.json")),
      // GET /health/ready's bearer secret: HEALTH_SECRET from the environment, else random per run.
      ...(process.env.HEALTH_SECRET ? { HEALTH_SECRET: process.env.HEALTH_SECRET } : {}),
      // The report queue's bearer secret (README "Reports"): OPERATOR_SECRET from the environment, else random per run.
      ...(process.env.OPERATOR_SECRET ? { OPERATOR_SECRET: process.env.OPERATOR_SECRET } : {}),
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
