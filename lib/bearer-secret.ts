/**
 * Operator-only endpoints (`GET /health/ready`, the report queue) answer a configured bearer secret
 * and nothing else; without it they are the same 404 as an unknown path.
 */
import { timingSafeEqual } from "./bytes.ts";

const utf8 = new TextEncoder();
const digest = async (text: string) => new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(text)));

/** Whether `presented` (a bearer token) is `secret`, for a configured secret; constant time. */
export async function presentsSecret(secret: string | undefined, presented: string | null): Promise<boolean> {
  if (!secret || presented === null) return false;
  // Digests first: equal lengths, so the comparison time says nothing about the secret.
  return timingSafeEqual(await digest(presented), await digest(secret));
}

/** The operator secret must be at least this long where DEPLOY_ENV=production (a guessable one is no lock). */
export const MIN_OPERATOR_SECRET_CHARS = 32;

/**
 * Why the report queue cannot be opened safely with this configuration, or null. Production needs
 * OPERATOR_SECRET (a long random string); elsewhere the local stack generates one per run.
 */
export function operatorProblem(config: { OPERATOR_SECRET?: string; DEPLOY_ENV?: string }): string | null {
  if (config.DEPLOY_ENV !== "production") return null;
  const secret = config.OPERATOR_SECRET ?? "";
  if (!secret) return "OPERATOR_SECRET is not set: reports cannot be reviewed";
  if (secret.length < MIN_OPERATOR_SECRET_CHARS)
    return `OPERATOR_SECRET must be at least ${MIN_OPERATOR_SECRET_CHARS} characters`;
  return null;
}
