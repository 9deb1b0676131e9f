/**
 * Applies the committed drizzle migrations (db/migrations) to every Postgres shard.
 *
 * Every shard has every table (db/schema.ts), so the same migrations run on each. Used by
 * scripts/stack.ts (dev and integration tests) and as `npm run db:migrate`, which reads
 * DATABASE_URLS / DATABASE_URL. Uses node-postgres over plain TCP, not the Worker's WebSocket driver.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { urlsFromEnv } from "./postgres.ts";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../db/migrations", import.meta.url));

/** Migrates each shard in turn (drizzle records what ran in `drizzle.__drizzle_migrations`). */
export async function migrateShards(urls: string[], log: (line: string) => void = console.log): Promise<void> {
  if (urls.length === 0) throw new Error("no shards to migrate: set DATABASE_URLS or DATABASE_URL");
  for (const url of urls) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
    } catch (err) {
      const where = new URL(url);
      throw new Error(`migrations failed on ${where.host}${where.pathname}: ${String(err)}`);
    } finally {
      await client.end();
    }
  }
  log(`migrations: applied to ${urls.length} shard${urls.length === 1 ? "" : "s"}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  migrateShards(urlsFromEnv()).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
