/**
 * The VAPID key pair (RFC 8292) from configuration, imported once into WebCrypto.
 *
 * Format (the one `web-push generate-vapid-keys` and most servers use):
 * - `VAPID_PUBLIC_KEY`: the uncompressed P-256 point (65 bytes, 0x04‖x‖y), base64url without padding.
 *   Browsers take exactly this as `applicationServerKey`.
 * - `VAPID_PRIVATE_KEY`: the private scalar `d` (32 bytes), base64url without padding. A secret.
 * - `VAPID_SUBJECT`: a `mailto:` or `https:` contact for push service operators.
 */
import { fromBase64Url, toBase64Url } from "../bytes.ts";

/** What signing a VAPID token needs; built by `loadVapidKeys`. */
export interface VapidKeys {
  /** The public key as configured (base64url of 65 bytes): the `k=` of the Authorization header. */
  publicKey: string;
  /** ECDSA P-256 signing key. */
  privateKey: CryptoKey;
  /** `mailto:` or `https:` contact, the JWT's `sub`. */
  subject: string;
}

/** The configuration strings, as they appear in `Env`. */
export interface VapidConfig {
  VAPID_PUBLIC_KEY?: string;
  VAPID_PRIVATE_KEY?: string;
  VAPID_SUBJECT?: string;
}

/** Splits a 65-byte uncompressed point into JWK x and y; null if it is not one. */
export function pointToJwkXY(point: Uint8Array): { x: string; y: string } | null {
  if (point.length !== 65 || point[0] !== 0x04) return null;
  return { x: toBase64Url(point.subarray(1, 33)), y: toBase64Url(point.subarray(33, 65)) };
}

const cache = new Map<string, Promise<VapidKeys>>();

/**
 * Imports the configured key pair (memoised per isolate), or null when push is not configured.
 * Throws when a key is present but malformed, so a misconfiguration fails loudly, not silently.
 */
export function loadVapidKeys(config: VapidConfig): Promise<VapidKeys> | null {
  const { VAPID_PUBLIC_KEY: pub, VAPID_PRIVATE_KEY: priv } = config;
  if (!pub || !priv) return null;
  const subject = config.VAPID_SUBJECT || "mailto:push@localhost";
  const key = `${pub}|${subject}`;
  let found = cache.get(key);
  if (!found) {
    found = importVapidKeys(pub, priv, subject);
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}

async function importVapidKeys(publicKey: string, privateKey: string, subject: string): Promise<VapidKeys> {
  const point = fromBase64Url(publicKey);
  const xy = point ? pointToJwkXY(point) : null;
  const d = fromBase64Url(privateKey);
  if (!xy || !d || d.length !== 32) {
    throw new Error("VAPID_PUBLIC_KEY must be 65 bytes and VAPID_PRIVATE_KEY 32 bytes, base64url");
  }
  if (!/^(mailto:|https:)/.test(subject)) throw new Error("VAPID_SUBJECT must be a mailto: or https: URL");
  const signing = await crypto.subtle.importKey(
    "jwk",
    { kty: "EC", crv: "P-256", x: xy.x, y: xy.y, d: privateKey, ext: false },
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["sign"],
  );
  return { publicKey, privateKey: signing, subject };
}
