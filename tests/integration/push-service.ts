/**
 * A fake Web Push service for tests, written with node:crypto only (independent of the Worker's
 * WebCrypto code, so a shared bug cannot cancel out): browsers' subscription keys, RFC 8291
 * aes128gcm decryption, and an http server on 127.0.0.1 that checks each request's VAPID JWT
 * (ES256 with the `k=` key) and records what it decrypted. Answers are scripted per endpoint.
 */
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from "node:crypto";
import { createServer, type Server } from "node:http";

/** A browser's side of one subscription: the keys it keeps and the JSON it registers. */
export interface Browser {
  ecdh: ReturnType<typeof createECDH>;
  auth: Buffer;
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
}

/** What the push service saw in one request. */
export interface ReceivedPush {
  endpoint: string;
  status: number;
  headers: Record<string, string | undefined>;
  /** The JWT claims, after the signature verified. */
  claims: { aud: string; exp: number; sub: string };
  /** The `k=` key of the Authorization header. */
  vapidKey: string;
  /** The decrypted payload, parsed. */
  payload: unknown;
}

function hkdf(salt: Buffer, ikm: Buffer, info: Buffer, length: number): Buffer {
  return Buffer.from(hkdfSync("sha256", ikm, salt, info, length));
}

/** RFC 8291 §3.4 + RFC 8188, the receiving side: returns the plaintext (throws if anything is off). */
export function decryptAes128gcm(body: Buffer, uaPrivate: Buffer, uaPublic: Buffer, auth: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20] ?? 0;
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  if (idlen !== 65 || ciphertext.length > rs) throw new Error("bad aes128gcm header");
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(uaPrivate);
  const secret = ecdh.computeSecret(asPublic);
  const ikm = hkdf(auth, secret, Buffer.concat([Buffer.from("WebPush: info\0"), uaPublic, asPublic]), 32);
  const cek = hkdf(salt, ikm, Buffer.from("Content-Encoding: aes128gcm\0"), 16);
  const nonce = hkdf(salt, ikm, Buffer.from("Content-Encoding: nonce\0"), 12);
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const record = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // Strip padding back to the delimiter: 0x02 marks the last record.
  let end = record.length - 1;
  while (end >= 0 && record[end] === 0) end--;
  if (record[end] !== 2) throw new Error("missing last-record delimiter");
  return record.subarray(0, end);
}

/** Verifies `vapid t=<jwt>, k=<key>` (ES256 over header.claims with k); returns claims and k. */
export function verifyVapid(header: string | undefined): { claims: ReceivedPush["claims"]; key: string } {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(header ?? "");
  if (!match?.[1] || !match[2]) throw new Error(`bad Authorization header: ${header}`);
  const [head, body, signature] = match[1].split(".") as [string, string, string];
  const point = Buffer.from(match[2], "base64url");
  const key = createPublicKey({
    key: {
      kty: "EC",
      crv: "P-256",
      x: point.subarray(1, 33).toString("base64url"),
      y: point.subarray(33, 65).toString("base64url"),
    },
    format: "jwk",
  });
  const ok = verify(
    "sha256",
    Buffer.from(`${head}.${body}`),
    { key, dsaEncoding: "ieee-p1363" },
    Buffer.from(signature, "base64url"),
  );
  if (!ok) throw new Error("VAPID signature does not verify");
  const jose = JSON.parse(Buffer.from(head, "base64url").toString("utf8")) as { alg?: string };
  if (jose.alg !== "ES256") throw new Error("VAPID alg is not ES256");
  return {
    claims: JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as ReceivedPush["claims"],
    key: match[2],
  };
}

/** The fake service: `browser()` makes a subscription on it; `received` lists what arrived. */
export class FakePushService {
  readonly received: ReceivedPush[] = [];
  /** Requests that failed verification or decryption (should stay empty). */
  readonly errors: string[] = [];
  private readonly browsers = new Map<string, Browser>();
  private readonly scripted = new Map<string, number[]>();
  private server: Server | null = null;
  private origin = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const endpoint = `${this.origin}${req.url ?? ""}`;
        const browser = this.browsers.get(endpoint);
        const status = this.scripted.get(endpoint)?.shift() ?? 201;
        try {
          if (!browser || req.method !== "POST") throw new Error(`unexpected ${req.method} ${req.url}`);
          if (req.headers["content-encoding"] !== "aes128gcm") throw new Error("not aes128gcm");
          const { claims, key } = verifyVapid(req.headers.authorization);
          const plain = decryptAes128gcm(
            Buffer.concat(chunks),
            browser.ecdh.getPrivateKey(),
            browser.ecdh.getPublicKey(),
            browser.auth,
          );
          this.received.push({
            endpoint,
            status,
            headers: {
              ttl: req.headers.ttl as string | undefined,
              urgency: req.headers.urgency as string | undefined,
              topic: req.headers.topic as string | undefined,
            },
            claims,
            vapidKey: key,
            payload: JSON.parse(plain.toString("utf8")),
          });
        } catch (error) {
          this.errors.push(String(error));
          res.writeHead(400).end();
          return;
        }
        const headers: Record<string, string> = status === 201 ? { location: `${endpoint}/msg` } : {};
        if (status === 429 || status >= 500) headers["retry-after"] = "1";
        res.writeHead(status, headers).end();
      });
    });
    await new Promise<void>((ok) => this.server!.listen(0, "127.0.0.1", () => ok()));
    const address = this.server.address();
    if (typeof address !== "object" || !address) throw new Error("no address");
    this.origin = `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }

  /** A new browser subscription (its own P-256 pair and auth secret), as PushManager would make. */
  browser(): Browser {
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    const auth = randomBytes(16);
    const endpoint = `${this.origin}/push/${randomBytes(12).toString("base64url")}`;
    const browser: Browser = {
      ecdh,
      auth,
      subscription: {
        endpoint,
        keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: auth.toString("base64url") },
      },
    };
    this.browsers.set(endpoint, browser);
    return browser;
  }

  /** The next answers for an endpoint (then 201 again). */
  answer(endpoint: string, ...statuses: number[]): void {
    this.scripted.set(endpoint, statuses);
  }

  /** Pushes that reached one endpoint. */
  to(endpoint: string): ReceivedPush[] {
    return this.received.filter((r) => r.endpoint === endpoint);
  }
}
