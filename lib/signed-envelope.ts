/**
 * The one signed-envelope format behind session tokens and WebSocket tickets:
 * `<version>.<key id>.<base64url(JSON claims)>.<base64url(HMAC-SHA-256(label + version.kid.payload))>`.
 *
 * The version prefix pins the algorithm (there is no `alg` field to tamper with) and is covered by the
 * MAC; the label separates domains, so one kind of credential can never pass as another even though
 * both are keyed by AUTH_SECRET. Verification checks length, shape and MAC (`crypto.subtle.verify`,
 * constant time in the runtime) before parsing anything the client wrote, then validates the claims
 * with the caller's schema.
 *
 * Key rotation: the key id names the secret that signed (README "Security"). The current secret
 * signs; the previous one (AUTH_SECRET_PREVIOUS) still verifies what it signed until that expires.
 * The id is derived from the secret (lib/hmac-key.ts), so rotating needs no id to be configured. Envelopes minted before key ids existed
 * (`<version>.<payload>.<mac>`, three parts) verify against either secret.
 */
import type { z } from "zod";
import { fromBase64Url, toBase64Url } from "./bytes.ts";
import { KEY_ID_PATTERN, hmacKey } from "./hmac-key.ts";

export interface EnvelopeKind {
  /** The first dot-separated part, e.g. `v1` or `wt1`. */
  version: string;
  /** Prepended to the signed input; "" keeps the format of envelopes minted before labels existed. */
  label: string;
  /** Longest envelope accepted; anything longer is refused before any crypto runs. */
  maxChars: number;
}

/** The signing secrets: `current` signs and verifies, `previous` (during a rotation) only verifies. */
export interface SigningSecrets {
  current: string;
  previous?: string | undefined;
}

/** A bare string is a single current secret (tests, tools). */
export type Secrets = string | SigningSecrets;

const MAC_BYTES = 32;
const KEY_ID_LABEL = "messenger key id v1";
const utf8 = new TextEncoder();

function secretList(secrets: Secrets): string[] {
  if (typeof secrets === "string") return [secrets];
  return secrets.previous ? [secrets.current, secrets.previous] : [secrets.current];
}

/** The key id envelopes signed with `secret` carry (README documents it for operators). */
export async function keyId(secret: string): Promise<string> {
  return (await hmacKey(secret, KEY_ID_LABEL)).id;
}

/** Signs `claims` (any JSON value) into an envelope of `kind` with the current secret. */
export async function sealEnvelope(secrets: Secrets, kind: EnvelopeKind, claims: unknown): Promise<string> {
  const [current] = secretList(secrets);
  const { key, id: kid } = await hmacKey(current ?? "", KEY_ID_LABEL);
  const signingInput = `${kind.version}.${kid}.${toBase64Url(utf8.encode(JSON.stringify(claims)))}`;
  const mac = await crypto.subtle.sign("HMAC", key, utf8.encode(kind.label + signingInput));
  return `${signingInput}.${toBase64Url(new Uint8Array(mac))}`;
}

/** The claims of an authentic envelope of `kind` that match `schema`; null for anything else. */
export async function openEnvelope<S extends z.ZodType>(
  secrets: Secrets,
  kind: EnvelopeKind,
  envelope: string,
  schema: S,
): Promise<z.infer<S> | null> {
  if (envelope.length > kind.maxChars) return null;
  const parts = envelope.split(".");
  if (parts.length !== 3 && parts.length !== 4) return null;
  const version = parts[0];
  const kid = parts.length === 4 ? (parts[1] ?? "") : null;
  const payload = parts.at(-2) ?? "";
  const sig = fromBase64Url(parts.at(-1) ?? "");
  if (version !== kind.version || !sig || sig.length !== MAC_BYTES) return null;
  if (kid !== null && !KEY_ID_PATTERN.test(kid)) return null;
  const signed = utf8.encode(kind.label + parts.slice(0, -1).join("."));
  let authentic = false;
  for (const secret of secretList(secrets)) {
    const candidate = await hmacKey(secret, KEY_ID_LABEL);
    // With a key id only its own secret is tried; a legacy envelope tries each (at most two).
    if (kid !== null && candidate.id !== kid) continue;
    if (await crypto.subtle.verify("HMAC", candidate.key, sig, signed)) {
      authentic = true;
      break;
    }
  }
  if (!authentic) return null;
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
