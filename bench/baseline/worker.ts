/**
 * The bench's baseline Worker, run by `npm run bench` as its own `wrangler dev` beside the product
 * (bench/baseline.ts): the bare costs the product's figures are compared with. No auth, no
 * framework: local only, never deployed.
 *
 *   GET /health                          200 (the starter waits for it)
 *   GET /echo?room=<name>                WebSocket to a bare echo object (EchoDO)
 *   GET /room?room=<name>&user=<id>      WebSocket to the bare durable chat room (RoomDO)
 *   PUT | GET | DELETE /r2               one fixed object straight through the R2 binding
 */
import type { DurableObjectNamespace, R2Bucket } from "./runtime.ts";

export { EchoDO } from "./EchoDO.ts";
export { RoomDO } from "./RoomDO.ts";

interface BaselineEnv {
  ECHO: DurableObjectNamespace;
  ROOM: DurableObjectNamespace;
  BUCKET: R2Bucket;
}

const R2_KEY = "r2-baseline";
/** Enough for the 16 MB media figure with room to spare. */
const MAX_R2_BYTES = 64 * 1024 * 1024;

async function handle(request: Request, env: BaselineEnv): Promise<Response> {
  const url = new URL(request.url);
  const room = url.searchParams.get("room") ?? "default";
  switch (`${request.method} ${url.pathname}`) {
    case "GET /health":
      return new Response("ok");
    case "GET /echo":
      return forward(env.ECHO, room, request);
    case "GET /room":
      return forward(env.ROOM, room, request);
    case "PUT /r2": {
      const length = Number(request.headers.get("content-length") ?? "");
      if (!request.body || !Number.isInteger(length) || length <= 0 || length > MAX_R2_BYTES)
        return new Response(`Content-Length 1…${MAX_R2_BYTES} is required`, { status: 400 });
      const started = performance.now();
      await env.BUCKET.put(R2_KEY, request.body as never);
      return Response.json({ size: length, ms: performance.now() - started });
    }
    case "GET /r2": {
      const object = await env.BUCKET.get(R2_KEY);
      if (!object) return new Response("PUT one first", { status: 404 });
      return new Response(object.body as unknown as ReadableStream, {
        headers: { "content-length": String(object.size), "content-type": "application/octet-stream" },
      });
    }
    case "DELETE /r2":
      await env.BUCKET.delete(R2_KEY);
      return new Response(null, { status: 204 });
    default:
      return new Response("no such route", { status: 404 });
  }
}

/** The upgrade goes to the named object as it came (the object answers 101). */
function forward(namespace: DurableObjectNamespace, name: string, request: Request): Promise<Response> {
  return namespace.getByName(name).fetch(request as never) as unknown as Promise<Response>;
}

export default { fetch: handle };
