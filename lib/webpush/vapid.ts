/**
 * VAPID (RFC 8292): each push request carries `Authorization: vapid t=<JWT>, k=<public key>`, an
 * ES256 JWT whose `aud` is the push service's origin, so a leaked token works for one service only
 * and only until `exp`. Push services refuse `exp` more than 24 h ahead; we use 12 h.
 */
import { toBase64Url } from "../bytes.ts";
import type { VapidKeys } from "./keys.ts";

/** Token lifetime: under the 24 h push services allow, with room for clock skew. */
export const VAPID_TOKEN_SECONDS = 12 * 3600;

const text = new TextEncoder();

/** The JWT claims we sign (RFC 8292 §2). */
export interface VapidClaims {
  aud: string;
  exp: number;
  sub: string;
}

/** Signs a VAPID JWT for `endpoint`'s origin. WebCrypto's ECDSA output is already JWS's r‖s form. */
export async function vapidToken(keys: VapidKeys, endpoint: string, nowMs = Date.now()): Promise<string> {
  const claims: VapidClaims = {
    aud: new URL(endpoint).origin,
    exp: Math.floor(nowMs / 1000) + VAPID_TOKEN_SECONDS,
    sub: keys.subject,
  };
  const head = toBase64Url(text.encode(JSON.stringify({ typ: "JWT", alg: "ES256" })));
  const body = toBase64Url(text.encode(JSON.stringify(claims)));
  const signature = await crypto.subtle.sign(
    { name: "ECDSA", hash: "SHA-256" },
    keys.privateKey,
    text.encode(`${head}.${body}`),
  );
  return `${head}.${body}.${toBase64Url(new Uint8Array(signature))}`;
}

/** The `Authorization` header value for one push request. */
export async function vapidAuthorization(keys: VapidKeys, endpoint: string, nowMs = Date.now()): Promise<string> {
  return `vapid t=${await vapidToken(keys, endpoint, nowMs)}, k=${keys.publicKey}`;
}
