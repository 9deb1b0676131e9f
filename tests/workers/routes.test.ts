/**
 * The Worker serves exactly the protocol's ROUTES table (README "REST API"), the table the SDK
 * builds its URLs from (tests/unit/sdk-routes.test.ts): a route the SDK calls cannot be missing
 * here, and a served route cannot be missing from the table.
 */
import { describe, expect, it } from "vitest";
import app from "../../workers/index.ts";
import { ROUTES } from "../../client/sdk/protocol/index.ts";

describe("REST route table", () => {
  it("serves every route of the protocol's table, with its method", () => {
    const served = new Set(app.routes.map((r) => `${r.method} ${r.path}`));
    const missing = Object.entries(ROUTES)
      .filter(([, r]) => !served.has(`${r.method} ${r.path}`))
      .map(([name, r]) => `${name}: ${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it("serves no route the table does not list", () => {
    const listed = new Set(Object.values(ROUTES).map((r) => `${r.method} ${r.path}`));
    const extra = [
      ...new Set(
        app.routes
          .filter((r) => r.method !== "ALL")
          .map((r) => `${r.method} ${r.path}`)
          .filter((route) => !listed.has(route)),
      ),
    ];
    expect(extra).toEqual([]);
  });
});
