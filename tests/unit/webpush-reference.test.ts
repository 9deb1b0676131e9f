/**
 * Our Web Push (RFC 8291 encryption, RFC 8292 VAPID) checked by code we did not write: every request
 * `sendWebPush` makes is decrypted with Mozilla's reference `http_ece` and its VAPID JWT verified
 * with `jose`, as a browser's push service and the browser itself would. webpush.test.ts checks the
 * RFC's own example and our Node receiver; this one guards against both sides sharing one mistake.
 */
import { createECDH, randomBytes } from "node:crypto";
import * as ece from "http_ece";
import { decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { toBase64Url } from "../../lib/bytes.ts";
import { MAX_PUSH_PLAINTEXT_BYTES } from "../../lib/webpush/encrypt.ts";
import { loadVapidKeys } from "../../lib/webpush/keys.ts";
import { sendWebPush } from "../../lib/webpush/send.ts";
import { VAPID_TOKEN_SECONDS } from "../../lib/webpush/vapid.ts";
import { generateVapidKeys } from "../../scripts/vapid-keys.ts";

interface Captured {
  url: string;
  headers: Headers;
  body: Buffer;
}

/** A push service that records what it was sent and answers 201. */
function recorder(): { fetcher: typeof fetch; sent: Captured[] } {
  const sent: Captured[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    sent.push({ url: request.url, headers: request.headers, body: Buffer.from(await request.arrayBuffer()) });
    return new Response(null, { status: 201 });
  }) as typeof fetch;
  return { fetcher, sent };
}

/** A browser's subscription: its ECDH pair and auth secret, and what it registers with the server. */
function browser(endpoint: string) {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    ecdh,
    auth,
    target: { endpoint, p256dh: toBase64Url(ecdh.getPublicKey()), auth: toBase64Url(auth) },
  };
}

const vars = generateVapidKeys("mailto:ops@messenger.app");

describe("Web Push, checked by http_ece and jose", () => {
  it("sends bodies that http_ece decrypts, for payloads from empty to the 4 KB maximum", async () => {
    const vapid = await loadVapidKeys(vars);
    if (!vapid) throw new Error("keys expected");
    const { fetcher, sent } = recorder();
    const sizes = [0, 1, 15, 16, 17, 100, 1000, 2048, 3000, MAX_PUSH_PLAINTEXT_BYTES];
    for (let i = 0; i < 40; i++) sizes.push(Math.floor(Math.random() * (MAX_PUSH_PLAINTEXT_BYTES + 1)));
    for (const size of sizes) {
      const bob = browser("https://push.example.net/wpush/v2/bob");
      const payload = randomBytes(size).toString("base64").slice(0, size);
      const outcome = await sendWebPush(bob.target, payload, vapid, { ttlSeconds: 60, urgency: "high", fetcher });
      expect(outcome.kind).toBe("sent");
      const request = sent.at(-1);
      expect(request?.headers.get("content-encoding")).toBe("aes128gcm");
      const plain = ece.decrypt(request?.body ?? Buffer.alloc(0), {
        version: "aes128gcm",
        privateKey: bob.ecdh,
        authSecret: bob.auth,
      });
      expect(plain.toString("utf8"), `size ${size}`).toBe(payload);
    }
  });

  it("signs VAPID JWTs that jose verifies with the public key, for the push service's origin only", async () => {
    const vapid = await loadVapidKeys(vars);
    if (!vapid) throw new Error("keys expected");
    const { fetcher, sent } = recorder();
    const bob = browser("https://updates.push.services.mozilla.com/wpush/v2/gAAAA?x=1");
    await sendWebPush(bob.target, "hi bob", vapid, { ttlSeconds: 60, urgency: "high", fetcher });
    const authorization = sent[0]?.headers.get("authorization") ?? "";
    const match = /^vapid t=([^,]+), k=([A-Za-z0-9_-]+)$/.exec(authorization);
    expect(match?.[2]).toBe(vars.VAPID_PUBLIC_KEY);
    const jwt = match?.[1] ?? "";

    // The k= key as a push service imports it: the uncompressed point's x and y.
    const point = Buffer.from(match?.[2] ?? "", "base64url");
    const jwk = {
      kty: "EC",
      crv: "P-256",
      x: point.subarray(1, 33).toString("base64url"),
      y: point.subarray(33).toString("base64url"),
    };
    const key = await importJWK(jwk, "ES256");
    const { payload } = await jwtVerify(jwt, key, {
      algorithms: ["ES256"],
      audience: "https://updates.push.services.mozilla.com",
      subject: "mailto:ops@messenger.app",
      typ: "JWT",
    });
    expect(decodeProtectedHeader(jwt)).toEqual({ typ: "JWT", alg: "ES256" });
    const now = Math.floor(Date.now() / 1000);
    expect(payload.exp).toBeGreaterThan(now);
    expect((payload.exp ?? 0) - now).toBeLessThanOrEqual(VAPID_TOKEN_SECONDS);
    expect(VAPID_TOKEN_SECONDS).toBeLessThanOrEqual(24 * 3600); // push services refuse more

    // Another service, or mallory's key, must not accept it.
    await expect(jwtVerify(jwt, key, { audience: "https://fcm.googleapis.com" })).rejects.toThrow();
    const { VAPID_PUBLIC_KEY: other } = generateVapidKeys();
    const otherPoint = Buffer.from(other, "base64url");
    const mallory = await importJWK(
      {
        kty: "EC",
        crv: "P-256",
        x: otherPoint.subarray(1, 33).toString("base64url"),
        y: otherPoint.subarray(33).toString("base64url"),
      },
      "ES256",
    );
    await expect(jwtVerify(jwt, mallory)).rejects.toThrow();
  });
});
