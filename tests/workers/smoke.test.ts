/**
 * Smoke test inside workerd (@cloudflare/vitest-plugin): the Worker from wrangler.toml loads, routes,
 * and renders errors in the shared `{ error: { code, message } }` shape. An unknown route needs no
 * Postgres.
 */
import { expect, it } from "vitest";
import { worker } from "./bindings.ts";

it("answers an unknown route with the 404 JSON error body", async () => {
  const res = await worker.fetch("http://x/definitely-not-a-route");
  expect(res.status).toBe(404);
  expect(res.headers.get("content-type")).toContain("application/json");
  expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
});
