/**
 * VAPID key pairs for local runs (workers/lib/webpush/keys.ts documents the format): `npm run dev`
 * keeps one under .data/ so browser subscriptions survive restarts (a new key would orphan them);
 * the integration tests make a fresh one per run. Production sets the same three vars as secrets.
 */
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface VapidVars {
  VAPID_PUBLIC_KEY: string;
  VAPID_PRIVATE_KEY: string;
  VAPID_SUBJECT: string;
}

/** A new P-256 pair: public = uncompressed point, private = d, both base64url. */
export function generateVapidKeys(subject = "mailto:dev@localhost"): VapidVars {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = privateKey.export({ format: "jwk" });
  if (!jwk.d || !jwk.x || !jwk.y) throw new Error("could not export the VAPID key");
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]);
  return { VAPID_PUBLIC_KEY: point.toString("base64url"), VAPID_PRIVATE_KEY: jwk.d, VAPID_SUBJECT: subject };
}

/** The environment's VAPID_* if set, else the pair kept in `file` (created once, mode 0600). */
export function devVapidKeys(file: string): VapidVars {
  const { VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, VAPID_SUBJECT } = process.env;
  if (VAPID_PUBLIC_KEY && VAPID_PRIVATE_KEY) {
    return { VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, VAPID_SUBJECT: VAPID_SUBJECT ?? "mailto:dev@localhost" };
  }
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8")) as Partial<VapidVars>;
    if (saved.VAPID_PUBLIC_KEY && saved.VAPID_PRIVATE_KEY && saved.VAPID_SUBJECT) return saved as VapidVars;
  }
  const keys = generateVapidKeys();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}
