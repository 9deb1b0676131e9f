/**
 * HMAC-SHA-256 keys for secrets from the configuration, each with a short public id: token signing
 * (AUTH_SECRET) and the password pepper. The id names which secret made a token or hash, so a
 * rotation can keep the previous secret verifying. It is an HMAC of a fixed label, so it reveals
 * nothing about the secret.
 */
import { toBase64Url } from "./bytes.ts";

export interface HmacKey {
  key: CryptoKey;
  /** 8 base64url characters (48 bits): plenty to tell two or three secrets apart. */
  id: string;
}

/** Ids are this long; checked by parsers of tokens and hashes. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{8}$/;

const utf8 = new TextEncoder();
// importKey is not free; an isolate serves many requests with the same one or two secrets of each kind.
const keys = new Map<string, Promise<HmacKey>>();
const MAX_CACHED_KEYS = 8;

/** The key for `secret` and its id under `idLabel` (one label per kind of secret), imported once per isolate. */
export function hmacKey(secret: string, idLabel: string): Promise<HmacKey> {
  const cacheKey = `${idLabel}\n${secret}`;
  let found = keys.get(cacheKey);
  if (!found) {
    if (keys.size >= MAX_CACHED_KEYS) keys.clear();
    found = (async () => {
      const key = await crypto.subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
        "sign",
        "verify",
      ]);
      const id = new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(idLabel)));
      return { key, id: toBase64Url(id).slice(0, 8) };
    })();
    keys.set(cacheKey, found);
  }
  return found;
}
