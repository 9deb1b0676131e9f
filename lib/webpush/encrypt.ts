/**
 * Message encryption for Web Push (RFC 8291) in the aes128gcm content coding (RFC 8188), with
 * WebCrypto only, so it runs in workerd and in Node tests alike.
 *
 * Per message: a fresh ephemeral P-256 key pair and a 16-byte salt; ECDH with the browser's
 * `p256dh`, mixed with its `auth` secret through HKDF-SHA-256 into a 16-byte key and a 12-byte nonce.
 * One record: plaintext ‖ 0x02 (last-record delimiter) ‖ zero padding, sealed with AES-128-GCM.
 */
import { toBase64Url } from "../bytes.ts";

/** Record size written in the header; one record holds the whole message. */
const RECORD_SIZE = 4096;
/** Header: salt(16) ‖ rs(4) ‖ idlen(1) ‖ keyid = our public key(65). */
const HEADER_BYTES = 16 + 4 + 1 + 65;
const TAG_BYTES = 16;
/** Push services accept 4096-byte bodies: what is left after header, tag and delimiter. */
export const MAX_PUSH_PLAINTEXT_BYTES = 4096 - HEADER_BYTES - TAG_BYTES - 1;

const utf8 = new TextEncoder();
const ascii = (text: string): Uint8Array<ArrayBuffer> => new Uint8Array(utf8.encode(text));

/** Fixed inputs for reproducing the RFC 8291 example; production passes none. */
export interface EncryptOptions {
  salt?: Uint8Array<ArrayBuffer>;
  /** The application server's ephemeral ECDH pair (private key usable for deriveBits). */
  keyPair?: { privateKey: CryptoKey; publicKey: Uint8Array<ArrayBuffer> };
  /** Zero bytes appended after the delimiter, to hide the length (default 0). */
  padding?: number;
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function hkdf(
  salt: Uint8Array<ArrayBuffer>,
  ikm: Uint8Array<ArrayBuffer>,
  info: Uint8Array<ArrayBuffer>,
  bytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, key, bytes * 8));
}

/**
 * Derives the content key and nonce (RFC 8291 §3.3–3.4). Shared by encryption and by tests that
 * play the browser: both sides compute the same ECDH secret from opposite halves.
 */
export async function deriveKeyAndNonce(
  ecdhSecret: Uint8Array<ArrayBuffer>,
  authSecret: Uint8Array<ArrayBuffer>,
  uaPublic: Uint8Array<ArrayBuffer>,
  asPublic: Uint8Array<ArrayBuffer>,
  salt: Uint8Array<ArrayBuffer>,
): Promise<{ cek: Uint8Array<ArrayBuffer>; nonce: Uint8Array<ArrayBuffer> }> {
  const keyInfo = concat(ascii("WebPush: info\0"), uaPublic, asPublic);
  const ikm = await hkdf(authSecret, ecdhSecret, keyInfo, 32);
  const cek = await hkdf(salt, ikm, ascii("Content-Encoding: aes128gcm\0"), 16);
  const nonce = await hkdf(salt, ikm, ascii("Content-Encoding: nonce\0"), 12);
  return { cek, nonce };
}

/** Imports a P-256 private scalar (32 bytes) with its public point as an ECDH key (tests, vectors). */
export async function importEcdhPrivateKey(d: Uint8Array, publicPoint: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "jwk",
    {
      kty: "EC",
      crv: "P-256",
      d: toBase64Url(d),
      x: toBase64Url(publicPoint.subarray(1, 33)),
      y: toBase64Url(publicPoint.subarray(33, 65)),
      ext: true,
    },
    { name: "ECDH", namedCurve: "P-256" },
    false,
    ["deriveBits"],
  );
}

/**
 * Encrypts `plaintext` for one subscription: returns the request body (header ‖ ciphertext).
 * Throws if the browser key is not a valid P-256 point or the payload exceeds one record.
 */
export async function encryptPayload(
  plaintext: Uint8Array,
  uaPublic: Uint8Array<ArrayBuffer>,
  authSecret: Uint8Array<ArrayBuffer>,
  options: EncryptOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const padding = options.padding ?? 0;
  if (plaintext.length + padding > MAX_PUSH_PLAINTEXT_BYTES) throw new Error("push payload too large");
  const salt = options.salt ?? crypto.getRandomValues(new Uint8Array(16));
  let pair = options.keyPair;
  if (!pair) {
    const generated = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, [
      "deriveBits",
    ])) as CryptoKeyPair;
    const raw = (await crypto.subtle.exportKey("raw", generated.publicKey)) as ArrayBuffer;
    pair = { privateKey: generated.privateKey, publicKey: new Uint8Array(raw) };
  }
  const browserKey = await crypto.subtle.importKey("raw", uaPublic, { name: "ECDH", namedCurve: "P-256" }, false, []);
  // The runtime reads `public`; @cloudflare/workers-types spells the field `$public`, the DOM lib `public`.
  const ecdh = { name: "ECDH", public: browserKey } as unknown as Parameters<SubtleCrypto["deriveBits"]>[0];
  const secret = new Uint8Array(await crypto.subtle.deriveBits(ecdh, pair.privateKey, 256));
  const { cek, nonce } = await deriveKeyAndNonce(secret, authSecret, uaPublic, pair.publicKey, salt);
  const key = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["encrypt"]);
  const record = concat(plaintext, new Uint8Array([0x02]), new Uint8Array(padding));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce }, key, record));
  const header = new Uint8Array(HEADER_BYTES);
  header.set(salt, 0);
  new DataView(header.buffer).setUint32(16, RECORD_SIZE);
  header[20] = 65;
  header.set(pair.publicKey, 21);
  return concat(header, sealed);
}
