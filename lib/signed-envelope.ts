/**
 * The one signed-envelope format behind session tokens and WebSocket tickets:
 * `<version>.<base64url(JSON claims)>.<base64url(HMAC-SHA-256(label + version.payload))>`.
 *
 * The version prefix pins the algorithm (there is no `alg` field to tamper with) and is covered by the
 * MAC; the label separates domains, so one kind of credential can never pass as another even though
 * both are keyed by AUTH_SECRET. Verification checks length, shape and MAC before parsing anything
 * the client wrote, then validates the claims with the caller's schema.
 */
import type { z } from "zod";
import { fromBase64Url, timingSafeEqual, toBase64Url } from "./bytes.ts";

const MAC_BYTES = 32;

export interface EnvelopeKind {
  /** The first dot-separated part, e.g. `v1` or `wt1`. */
  version: string;
  /** Prepended to the signed input; "" keeps the format of envelopes minted before labels existed. */
  label: string;
  /** Longest envelope accepted; anything longer is refused before any crypto runs. */
  maxChars: number;
}

// importKey is not free; an isolate serves many requests with the same secret.
let cachedKey: { secret: string; key: Promise<CryptoKey> } | undefined;

function hmacKey(secret: string): Promise<CryptoKey> {
  if (cachedKey?.secret !== secret) {
    const key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    cachedKey = { secret, key };
  }
  return cachedKey.key;
}

async function mac(secret: string, kind: EnvelopeKind, signingInput: string): Promise<Uint8Array> {
  const data = new TextEncoder().encode(kind.label + signingInput);
  return new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), data));
}

/** Signs `claims` (any JSON value) into an envelope of `kind`. */
export async function sealEnvelope(secret: string, kind: EnvelopeKind, claims: unknown): Promise<string> {
  const signingInput = `${kind.version}.${toBase64Url(new TextEncoder().encode(JSON.stringify(claims)))}`;
  return `${signingInput}.${toBase64Url(await mac(secret, kind, signingInput))}`;
}

/** The claims of an authentic envelope of `kind` that match `schema`; null for anything else. */
export async function openEnvelope<S extends z.ZodType>(
  secret: string,
  kind: EnvelopeKind,
  envelope: string,
  schema: S,
): Promise<z.infer<S> | null> {
  if (envelope.length > kind.maxChars) return null;
  const parts = envelope.split(".");
  if (parts.length !== 3) return null;
  const [version, payload, sig64] = parts as [string, string, string];
  if (version !== kind.version) return null;
  const sig = fromBase64Url(sig64);
  if (!sig || sig.length !== MAC_BYTES) return null;
  if (!timingSafeEqual(await mac(secret, kind, `${version}.${payload}`), sig)) return null;
  const json = fromBase64Url(payload);
  if (!json) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(json));
  } catch {
    return null;
  }
  const parsed = schema.safeParse(decoded);
  return parsed.success ? (parsed.data as z.infer<S>) : null;
}
