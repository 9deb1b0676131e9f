/**
 * Lets an integration test restart the whole dev server (`wrangler dev` + workerd) mid-test, the way
 * a deploy or a crash would: Durable Object state persists, every WebSocket drops, clients must
 * reconnect and resync. Resolves once `GET /health/ready` answers 200 again on the same baseUrl.
 *
 *   import { restartDevServer } from "./stack-control.ts";
 *   await restartDevServer();                      // graceful (SIGTERM)
 *   await restartDevServer({ signal: "SIGKILL" }); // crash
 */
import { inject } from "vitest";

export async function restartDevServer(options: { signal?: "SIGTERM" | "SIGKILL" } = {}): Promise<void> {
  const [url, token] = inject("stackControlUrl").split("#");
  const res = await fetch(url ?? "", {
    method: "POST",
    headers: { "content-type": "application/json", "x-stack-token": token ?? "" },
    body: JSON.stringify({ signal: options.signal ?? "SIGTERM" }),
  });
  if (!res.ok) throw new Error(`dev server restart failed: ${res.status} ${await res.text()}`);
}

/** Makes Postgres (closing the relay the Worker reaches it through) or Redis unreachable, or back. */
export async function setDependency(name: "postgres" | "redis", up: boolean): Promise<void> {
  const [url, token] = inject("stackControlUrl").split("#");
  const res = await fetch((url ?? "").replace(/\/restart$/, "/dependency"), {
    method: "POST",
    headers: { "content-type": "application/json", "x-stack-token": token ?? "" },
    body: JSON.stringify({ name, up }),
  });
  if (!res.ok) throw new Error(`setDependency failed: ${res.status} ${await res.text()}`);
}
