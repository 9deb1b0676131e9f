/**
 * A local stand-in for Upstash's Redis REST API, in front of a real Redis (ioredis).
 *
 * Upstash's own dev server (SRH) is a Docker image, which we cannot run here, so `npm run dev` and the
 * integration tests use this instead. It speaks what `@upstash/redis` needs with its default settings:
 * `POST /` (one command), `POST /pipeline`, `POST /multi-exec`, Bearer auth, `{result}` / `{error}`,
 * and `Upstash-Encoding: base64` (string results base64-encoded, recursively in arrays). It also strips
 * the `#!lua flags=…` shebang that vanilla Redis 7.0 rejects (used by @upstash/ratelimit ≥ 2.1).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Redis } from "ioredis";

export interface UpstashShim {
  url: string;
  token: string;
  close(): Promise<void>;
}

type Arg = string | number;
type JsonArg = string | number | boolean;
type Reply = Buffer | string | number | null | Reply[];
type Outcome = { result: unknown } | { error: string };

const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Commands that would change the state of the one shared connection (Upstash refuses them too). */
const CONNECTION_STATE_COMMANDS = new Set([
  "SELECT",
  "MULTI",
  "EXEC",
  "DISCARD",
  "WATCH",
  "UNWATCH",
  "SUBSCRIBE",
  "PSUBSCRIBE",
  "SSUBSCRIBE",
  "MONITOR",
  "QUIT",
  "RESET",
  "CLIENT",
  "HELLO",
  "AUTH",
]);

/** What Upstash sends back: strings base64-encoded when asked (the client passes "OK" through as is). */
export function encodeReply(reply: Reply, base64: boolean): unknown {
  if (reply === null || typeof reply === "number") return reply;
  if (Array.isArray(reply)) return reply.map((r) => encodeReply(r, base64));
  const bytes = typeof reply === "string" ? Buffer.from(reply) : reply;
  if (!base64) return bytes.toString("utf8");
  const text = bytes.toString("utf8");
  return text === "OK" ? text : bytes.toString("base64");
}

function isCommand(value: unknown): value is JsonArg[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean")
  );
}

/** Rewrites scripts for vanilla Redis: drop a `#!lua …` first line; map EVALSHA of the original to the rewritten one. */
class ScriptRewriter {
  private readonly shaAliases = new Map<string, string>();

  rewrite(command: Arg[]): Arg[] {
    const name = String(command[0]).toUpperCase();
    const isEval = name === "EVAL" || name === "EVAL_RO";
    const isLoad = name === "SCRIPT" && String(command[1]).toUpperCase() === "LOAD";
    const scriptAt = isEval ? 1 : isLoad ? 2 : -1;
    if (scriptAt >= 0) {
      const script = String(command[scriptAt]);
      if (!script.startsWith("#!lua")) return command;
      const stripped = script.slice(script.indexOf("\n") + 1);
      this.shaAliases.set(sha1(script), sha1(stripped));
      const out = [...command];
      out[scriptAt] = stripped;
      return out;
    }
    if (name === "EVALSHA" || name === "EVALSHA_RO") {
      const alias = this.shaAliases.get(String(command[1]).toLowerCase());
      if (alias) return [command[0] as Arg, alias, ...command.slice(2)];
    }
    return command;
  }
}

function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

export async function startUpstashShim(options: {
  port?: number;
  redisUrl: string;
  token: string;
}): Promise<UpstashShim> {
  const redis = new Redis(options.redisUrl, { protocol: 2, lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  const scripts = new ScriptRewriter();
  const expected = Buffer.from(`Bearer ${options.token}`);

  const authorized = (req: IncomingMessage): boolean => {
    const queryToken = new URL(req.url ?? "/", "http://shim").searchParams.get("_token");
    const given = Buffer.from(queryToken !== null ? `Bearer ${queryToken}` : (req.headers.authorization ?? ""));
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  /** Upper-case names also keep ioredis from reshaping replies (its transformers are keyed by lower-case names). */
  const prepare = (command: JsonArg[]): [string, ...Arg[]] => {
    const [name, ...args] = scripts.rewrite(command.map((a) => (typeof a === "boolean" ? String(a) : a)));
    return [String(name).toUpperCase(), ...args];
  };

  const run = async (command: JsonArg[], base64: boolean): Promise<Outcome> => {
    const [name, ...args] = prepare(command);
    if (CONNECTION_STATE_COMMANDS.has(name)) return { error: `ERR ${name} is not supported over REST` };
    try {
      const reply = (await redis.callBuffer(name, ...args)) as Reply;
      return { result: encodeReply(reply, base64) };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  };

  const multiExec = async (commands: JsonArg[][], base64: boolean): Promise<Outcome[] | { error: string }> => {
    const prepared = commands.map(prepare);
    const refused = prepared.find(([name]) => CONNECTION_STATE_COMMANDS.has(name));
    if (refused) return { error: `ERR ${refused[0]} is not supported over REST` };
    const tx = redis.multi();
    for (const [name, ...args] of prepared) tx.callBuffer(name, ...args);
    try {
      const replies = await tx.exec();
      if (replies === null) return { error: "EXECABORT transaction discarded" };
      return replies.map(([err, reply]) =>
        err ? { error: err.message } : { result: encodeReply(reply as Reply, base64) },
      );
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  };

  const server = createServer((req, res) => {
    void (async () => {
      if (!authorized(req)) return send(res, 401, { error: "Unauthorized" });
      if (req.method !== "POST") return send(res, 405, { error: "only POST is supported" });
      const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
      const path = new URL(req.url ?? "/", "http://shim").pathname.replace(/\/+$/, "") || "/";
      let body: unknown;
      try {
        body = await readJson(req);
      } catch {
        return send(res, 400, { error: "ERR body is not valid JSON" });
      }
      if (path === "/") {
        if (!isCommand(body)) return send(res, 400, { error: "ERR body must be a command array" });
        const outcome = await run(body, base64);
        return send(res, "error" in outcome ? 400 : 200, outcome);
      }
      if (path === "/pipeline" || path === "/multi-exec") {
        if (!Array.isArray(body) || !body.every(isCommand)) {
          return send(res, 400, { error: "ERR body must be an array of command arrays" });
        }
        if (path === "/pipeline") {
          // Sent back to back on one connection: ordered, not atomic (same as Upstash).
          return send(res, 200, await Promise.all(body.map((c) => run(c, base64))));
        }
        const outcome = await multiExec(body, base64);
        return send(res, Array.isArray(outcome) ? 200 : 400, outcome);
      }
      return send(res, 404, { error: `ERR unknown endpoint ${path}` });
    })().catch((err: unknown) => send(res, 500, { error: String(err) }));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    token: options.token,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
    },
  };
}
