/**
 * Byte helpers shared by the password hasher, the health check and the token and push code. They are
 * written out here rather than taken from `node:buffer` or workerd's `crypto.subtle.timingSafeEqual`
 * so the same code runs in workerd and in plain Node unit tests, with no compatibility flag in between.
 */

/**
 * Compares two byte arrays in time that depends only on their lengths, never on where they differ,
 * so a caller cannot learn a secret byte by byte from response times. Lengths are not secret here
 * (hashes and MACs have a fixed size).
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

// Base64 and base64url are written once, in the protocol module, so the SDK in the browser and the
// Worker encode keys and tokens with the same code.
export { fromBase64, fromBase64Url, toBase64, toBase64Url } from "../client/sdk/protocol/base64.ts";
