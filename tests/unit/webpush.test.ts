/**
 * Web Push building blocks (workers/lib/webpush) in plain Node: RFC 8291's own example must come out
 * byte for byte, our output must decrypt with an independent node:crypto receiver, VAPID tokens
 * must verify with the public key, and the endpoint and status rules must hold.
 */
import { describe, expect, it } from "vitest";
import { createECDH, randomBytes } from "node:crypto";
import { fromBase64Url, toBase64Url } from "../../lib/bytes.ts";
import { encryptPayload, importEcdhPrivateKey, MAX_PUSH_PLAINTEXT_BYTES } from "../../lib/webpush/encrypt.ts";
import { endpointProblem } from "../../lib/webpush/endpoint.ts";
import { loadVapidKeys, vapidProblem } from "../../lib/webpush/keys.ts";
import { classify, parseRetryAfter, topicFor } from "../../lib/webpush/send.ts";
import { vapidAuthorization, VAPID_TOKEN_SECONDS } from "../../lib/webpush/vapid.ts";
import { generateVapidKeys } from "../../scripts/vapid-keys.ts";
import { decryptAes128gcm, verifyVapid } from "../integration/push-service.ts";

const b64 = (text: string) => {
  const bytes = fromBase64Url(text);
  if (!bytes) throw new Error(`not base64url: ${text}`);
  return bytes;
};

// RFC 8291 §5 / Appendix A.
const RFC = {
  plaintext: "When I grow up, I want to be a watermelon",
  asPrivate: "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw",
  asPublic: "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8",
  uaPrivate: "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94",
  uaPublic: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
  auth: "BTBZMqHH6r4Tts7J_aSIgg",
  salt: "DGv6ra1nlYgDCS1FRnbzlw",
  body: "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
};

function browserKeys() {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return { ecdh, auth: randomBytes(16) };
}

describe("RFC 8291 encryption", () => {
  it("reproduces the RFC 8291 example message byte for byte", async () => {
    const privateKey = await importEcdhPrivateKey(b64(RFC.asPrivate), b64(RFC.asPublic));
    const body = await encryptPayload(new TextEncoder().encode(RFC.plaintext), b64(RFC.uaPublic), b64(RFC.auth), {
      salt: b64(RFC.salt),
      keyPair: { privateKey, publicKey: b64(RFC.asPublic) },
    });
    expect(toBase64Url(body)).toBe(RFC.body);
  });

  it("lets the independent receiver decrypt the RFC example", () => {
    const plain = decryptAes128gcm(
      Buffer.from(RFC.body, "base64url"),
      Buffer.from(RFC.uaPrivate, "base64url"),
      Buffer.from(RFC.uaPublic, "base64url"),
      Buffer.from(RFC.auth, "base64url"),
    );
    expect(plain.toString("utf8")).toBe(RFC.plaintext);
  });

  it("encrypts with a fresh key and salt each time, and the browser decrypts it (with padding)", async () => {
    const { ecdh, auth } = browserKeys();
    const text = JSON.stringify({ conversationId: "c1", title: "New message", body: "hi bob", count: 1 });
    const ua = new Uint8Array(ecdh.getPublicKey());
    const one = await encryptPayload(new TextEncoder().encode(text), ua, new Uint8Array(auth), { padding: 40 });
    const two = await encryptPayload(new TextEncoder().encode(text), ua, new Uint8Array(auth));
    expect(toBase64Url(one.subarray(0, 16))).not.toBe(toBase64Url(two.subarray(0, 16)));
    for (const body of [one, two]) {
      const plain = decryptAes128gcm(Buffer.from(body), ecdh.getPrivateKey(), ecdh.getPublicKey(), auth);
      expect(plain.toString("utf8")).toBe(text);
    }
  });

  it("refuses a payload larger than one 4 KB record", async () => {
    const { ecdh, auth } = browserKeys();
    const big = new Uint8Array(MAX_PUSH_PLAINTEXT_BYTES + 1);
    await expect(encryptPayload(big, new Uint8Array(ecdh.getPublicKey()), new Uint8Array(auth))).rejects.toThrow(
      /too large/,
    );
  });
});

describe("VAPID", () => {
  it("signs an ES256 JWT that verifies with the public key, for the push service's origin", async () => {
    const vars = generateVapidKeys("mailto:ops@example.com");
    const keys = await loadVapidKeys(vars);
    if (!keys) throw new Error("keys expected");
    const now = Date.now();
    const header = await vapidAuthorization(keys, "https://push.example.net:8443/wpush/v2/abc?x=1", now);
    const { claims, key } = verifyVapid(header);
    expect(key).toBe(vars.VAPID_PUBLIC_KEY);
    expect(claims.aud).toBe("https://push.example.net:8443");
    expect(claims.sub).toBe("mailto:ops@example.com");
    expect(claims.exp).toBe(Math.floor(now / 1000) + VAPID_TOKEN_SECONDS);
    expect(claims.exp - now / 1000).toBeLessThanOrEqual(24 * 3600);
  });

  it("is off without keys and fails loudly on malformed ones", async () => {
    expect(loadVapidKeys({})).toBeNull();
    const bad = loadVapidKeys({
      VAPID_PUBLIC_KEY: "abc",
      VAPID_PRIVATE_KEY: "def",
      VAPID_SUBJECT: "mailto:ops@messenger.app",
    });
    await expect(bad).rejects.toThrow(/65 bytes/);
    const vars = generateVapidKeys();
    await expect(loadVapidKeys({ ...vars, VAPID_SUBJECT: "ops@example.com" })).rejects.toThrow(/mailto/);
  });

  it("never falls back to a localhost subject: without VAPID_SUBJECT push refuses to start", async () => {
    const { VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY } = generateVapidKeys();
    const keys = { VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY };
    expect(vapidProblem(keys)).toMatch(/VAPID_SUBJECT is not set/);
    await expect(loadVapidKeys(keys)).rejects.toThrow(/VAPID_SUBJECT is not set/);
    expect(vapidProblem({ ...keys, VAPID_SUBJECT: "  " })).toMatch(/not set/);
    expect(vapidProblem({})).toBeNull(); // push off is not a problem
  });

  it("refuses, in production, subjects Apple's push service cannot reach; accepts real mailto: and https:", () => {
    const { VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY } = generateVapidKeys();
    const production = { VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, DEPLOY_ENV: "production" };
    for (const subject of [
      "mailto:push@localhost",
      "mailto:ops@example.com",
      "mailto:ops@host.local",
      "mailto:ops@intranet",
      "https://localhost/contact",
      "https://app.test/contact",
      "mailto:",
      "https:",
      "http://messenger.app/contact",
    ]) {
      expect(vapidProblem({ ...production, VAPID_SUBJECT: subject }), subject).not.toBeNull();
    }
    for (const subject of [
      "mailto:ops@messenger.app",
      "https://messenger.app/contact",
      "mailto:Push@Mail.Example.de",
    ]) {
      expect(vapidProblem({ ...production, VAPID_SUBJECT: subject }), subject).toBeNull();
    }
    // Outside production (`npm run dev`, tests) a local contact is allowed.
    expect(vapidProblem({ VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, VAPID_SUBJECT: "mailto:dev@localhost" })).toBeNull();
  });

  it("does not verify with another key (mallory's)", async () => {
    const keys = await loadVapidKeys(generateVapidKeys());
    const mallory = generateVapidKeys();
    if (!keys) throw new Error("keys expected");
    const header = await vapidAuthorization(keys, "https://push.example.net/x");
    const forged = header.replace(/k=[\w-]+$/, `k=${mallory.VAPID_PUBLIC_KEY}`);
    expect(() => verifyVapid(forged)).toThrow(/does not verify/);
  });
});

describe("push endpoints", () => {
  it("accepts public https endpoints", () => {
    expect(endpointProblem("https://fcm.googleapis.com/fcm/send/abc", false)).toBeNull();
    expect(endpointProblem("https://web.push.apple.com/QGuQ", false)).toBeNull();
  });

  it.each([
    ["not a url", /not a URL/],
    ["http://push.example.com/x", /https/],
    ["ftp://push.example.com/x", /https/],
    ["https://localhost/x", /private/],
    ["https://127.0.0.1/x", /private/],
    ["https://10.1.2.3/x", /private/],
    ["https://172.20.0.1/x", /private/],
    ["https://192.168.1.1/x", /private/],
    ["https://169.254.169.254/latest", /private/],
    ["https://[::1]/x", /private/],
    ["https://[fd00::1]/x", /private/],
    ["https://[fe80::1]/x", /private/],
    ["https://[::ffff:127.0.0.1]/x", /private/],
    ["https://user:pw@push.example.com/x", /credentials/],
  ])("refuses %s in production", (endpoint, problem) => {
    expect(endpointProblem(endpoint, false)).toMatch(problem);
  });

  it("admits a loopback http service only when PUSH_ALLOW_INSECURE is on", () => {
    expect(endpointProblem("http://127.0.0.1:9999/push/a", true)).toBeNull();
    expect(endpointProblem("javascript:alert(1)", true)).toMatch(/http/);
  });
});

describe("push service answers", () => {
  it("classifies 201, 404/410, 429/5xx and other 4xx", () => {
    expect(classify(201, null).kind).toBe("sent");
    expect(classify(404, null).kind).toBe("gone");
    expect(classify(410, null).kind).toBe("gone");
    expect(classify(429, "7")).toEqual({ kind: "retry", status: 429, retryAfterMs: 7000 });
    expect(classify(503, null)).toEqual({ kind: "retry", status: 503, retryAfterMs: null });
    expect(classify(400, null).kind).toBe("rejected");
    expect(classify(413, null).kind).toBe("rejected");
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it("makes a 32-character base64url Topic per conversation", async () => {
    const topic = await topicFor("a-very-long-conversation-identifier-that-exceeds-thirty-two-characters");
    expect(topic).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await topicFor("c1")).toBe(await topicFor("c1"));
  });
});
