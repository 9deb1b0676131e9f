/**
 * The VAPID key pair (RFC 8292) from configuration, imported once into WebCrypto.
 *
 * Format (the one `web-push generate-vapid-keys` and most servers use):
 * - `VAPID_PUBLIC_KEY`: the uncompressed P-256 point (65 bytes, 0x04‖x‖y), base64url without padding.
 *   Browsers take exactly this as `applicationServerKey`.
 * - `VAPID_PRIVATE_KEY`: the private scalar `d` (32 bytes), base64url without padding. A secret.
 * - `VAPID_SUBJECT`: a `mailto:` or `https:` contact for push service operators. Required: there is no
 *   default. Apple's push service answers 403 BadJwtToken to a subject it cannot reach (a localhost
 *   one), which send.ts must treat as a rejection, so Safari users would silently get nothing. Where
 *   DEPLOY_ENV=production a subject at localhost or a reserved domain is refused too (`vapidProblem`):
 *   push stays off, with an error in the logs and in `GET /health/ready`.
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
  DEPLOY_ENV?: string;
}

/** Hosts no push service operator can reach: loopback names and RFC 2606 / 6761 reserved domains. */
const UNREACHABLE_HOST = /(^|\.)(localhost|local|test|invalid|example|internal|example\.(com|net|org))$/i;

/** The host a subject points to (`mailto:ops@host`, `https://host/…`), or null if it is neither form. */
function subjectHost(subject: string): string | null {
  const mailto = /^mailto:[^@\s]+@([^@\s?]+)(\?.*)?$/i.exec(subject);
  if (mailto) return mailto[1] ?? null;
  if (!/^https:\/\//i.test(subject)) return null;
  try {
    return new URL(subject).hostname || null;
  } catch {
    return null;
  }
}

/**
 * Why push cannot start with this configuration, or null when it can (or is simply off: no keys).
 * Read by the hub before sending, by `GET /v1/push/vapid-key` and by `GET /health/ready`.
 */
export function vapidProblem(config: VapidConfig): string | null {
  if (!config.VAPID_PUBLIC_KEY || !config.VAPID_PRIVATE_KEY) return null;
  const subject = config.VAPID_SUBJECT?.trim();
  if (!subject) return "VAPID_SUBJECT is not set: push needs a mailto: or https: contact";
  const host = subjectHost(subject);
  if (!host) return "VAPID_SUBJECT must be a mailto: or https: URL";
  if (config.DEPLOY_ENV === "production" && (UNREACHABLE_HOST.test(host) || !host.includes("."))) {
    return "VAPID_SUBJECT must be a real contact in production (Apple refuses localhost and reserved domains)";
  }
  return null;
}

/** Splits a 65-byte uncompressed point into JWK x and y; null if it is not one. */
export function pointToJwkXY(point: Uint8Array): { x: string; y: string } | null {
  if (point.length !== 65 || point[0] !== 0x04) return null;
  return { x: toBase64Url(point.subarray(1, 33)), y: toBase64Url(point.subarray(33, 65)) };
}

const cache = new Map<string, Promise<VapidKeys>>();

/**
 * Imports the configured key pair (memoised per isolate), or null when push is not configured.
 * Rejects when a key is present but malformed or the subject is not usable (`vapidProblem`), so a
 * misconfiguration fails loudly, not silently.
 */
export function loadVapidKeys(config: VapidConfig): Promise<VapidKeys> | null {
  const { VAPID_PUBLIC_KEY: pub, VAPID_PRIVATE_KEY: priv } = config;
  if (!pub || !priv) return null;
  const problem = vapidProblem(config);
  if (problem) return Promise.reject(new Error(problem));
  const subject = config.VAPID_SUBJECT?.trim() ?? "";
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
  const signing = await crypto.subtle.importKey(
    "jwk",
    { kty: "EC", crv: "P-256", x: xy.x, y: xy.y, d: privateKey, ext: false },
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["sign"],
  );
  return { publicKey, privateKey: signing, subject };
}
