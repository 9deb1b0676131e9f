import { defineConfig } from "drizzle-kit";

// Migrations are generated SQL, committed under db/migrations, applied to every shard by
// scripts/migrate.ts (`npm run db:migrate`).
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.ts",
  out: "./db/migrations",
});
