/**
 * Password hashing: a pepper, then Argon2id; older PBKDF2 hashes still verify and are replaced at the
 * next successful login (README "Passwords").
 *
 * 1. Pepper: HMAC-SHA-256 of the NFKC-normalised password, keyed with PASSWORD_PEPPER, a secret kept in
 *    the Worker's configuration and never in the database. A database leak alone then gives an
 *    attacker nothing to guess against.
 * 2. Argon2id (RFC 9106) over the HMAC with a per-user salt, at OWASP's first recommendation:
 *    19 MiB, 2 passes, 1 lane (workers/lib/argon2.ts runs it as WebAssembly).
 *
 * Stored forms (self-describing: the parameters travel with the hash, so they can change without a
 * migration and every old hash keeps verifying with its own):
 * - `argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>,k=<pepper id>$<salt b64>$<hash b64>` (current)
 * - `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>` (before: unpeppered, 100,000 iterations, the
 *   Workers maximum). `verifyPassword` says `rehash: true` for these, and for argon2id hashes with
 *   other parameters or the previous pepper; the login route then stores a fresh hash.
 *
 * The pepper id (derived from the pepper, as token key ids are from AUTH_SECRET) lets a changed or
 * missing PASSWORD_PEPPER fail as a configuration error instead of as everybody's wrong password, and
 * lets the pepper rotate: PASSWORD_PEPPER_PREVIOUS still verifies (and the login rehashes) what it peppered.
 */
import { AppError } from "../../lib/errors.ts";
import { fromBase64, timingSafeEqual, toBase64 } from "../../lib/bytes.ts";
import { log } from "../../lib/log.ts";
import { hmacKey, type HmacKey } from "../../lib/hmac-key.ts";
import { argon2id } from "./argon2.ts";

/** Argon2id cost: memory in KiB, passes, lanes. */
export interface Argon2Cost {
  memoryKiB: number;
  passes: number;
  lanes: number;
}

/** OWASP Password Storage Cheat Sheet, first choice: m=19 MiB, t=2, p=1 (~180 ms CPU in workerd). */
export const ARGON2_COST: Argon2Cost = { memoryKiB: 19 * 1024, passes: 2, lanes: 1 };
/**
 * Test stacks only (PASSWORD_TEST_COST=1, refused where DEPLOY_ENV=production): suites register
 * hundreds of users, and the cost is not what they test. Hashes made with it are rehashed at the
 * next login by a server at full cost.
 */
export const ARGON2_TEST_COST: Argon2Cost = { memoryKiB: 64, passes: 1, lanes: 1 };
/** Refused above this when verifying: a stored hash must not make one login allocate gigabytes. */
const MAX_ARGON2_MEMORY_KIB = 64 * 1024;
const MAX_ARGON2_PASSES = 10;

/** The most PBKDF2 iterations the Workers runtime will run; hashing or verifying above it is refused. */
export const MAX_PBKDF2_ITERATIONS = 100_000;
/** Per-user random salt, 128 bits (NIST SP 800-132 and RFC 9106 ask for at least 128). */
export const SALT_BYTES = 16;
/** Tag length: 256 bits; longer would only cost more for the defender. */
export const HASH_BYTES = 32;

const ARGON2 = "argon2id";
const PBKDF2 = "pbkdf2-sha256";
const utf8 = new TextEncoder();

/** What hashing needs from the configuration (`passwordConfig(env)`). */
export interface PasswordConfig {
  pepper: string;
  /** The pepper before the last rotation: verifies what it peppered, never peppers anything new. */
  previousPepper?: string | undefined;
  cost: Argon2Cost;
}

/**
 * The password configuration of this deploy. A missing PASSWORD_PEPPER is a deploy mistake, like a
 * missing AUTH_SECRET: fail with `internal` before anything is written.
 */
export function passwordConfig(env: {
  PASSWORD_PEPPER?: string;
  PASSWORD_PEPPER_PREVIOUS?: string;
  PASSWORD_TEST_COST?: string;
  DEPLOY_ENV?: string;
}): PasswordConfig {
  if (!env.PASSWORD_PEPPER) throw new AppError("internal", "server misconfigured: PASSWORD_PEPPER is not set");
  let cost = ARGON2_COST;
  if (env.PASSWORD_TEST_COST === "1") {
    if (env.DEPLOY_ENV === "production") log("error", "password_test_cost_refused", { deployEnv: env.DEPLOY_ENV });
    else cost = ARGON2_TEST_COST;
  }
  return { pepper: env.PASSWORD_PEPPER, previousPepper: env.PASSWORD_PEPPER_PREVIOUS || undefined, cost };
}

const pepperKey = (secret: string) => hmacKey(secret, "messenger pepper id v1");

/** NFKC (NIST SP 800-63B §5.1.1.2): the same password typed composed or decomposed hashes the same. */
const normalized = (password: string) => utf8.encode(password.normalize("NFKC"));

async function peppered(password: string, pepper: HmacKey): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", pepper.key, normalized(password)));
}

function argon2(input: Uint8Array, salt: Uint8Array, cost: Argon2Cost): Promise<Uint8Array> {
  return argon2id({
    password: input,
    salt,
    memorySize: cost.memoryKiB,
    passes: cost.passes,
    parallelism: cost.lanes,
    tagLength: HASH_BYTES,
  });
}

/** Hashes a password with a fresh random salt and the current pepper, ready to store. */
export async function hashPassword(password: string, config: PasswordConfig): Promise<string> {
  const pepper = await pepperKey(config.pepper);
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await argon2(await peppered(password, pepper), salt, config.cost);
  const { memoryKiB: m, passes: t, lanes: p } = config.cost;
  return `${ARGON2}$v=19$m=${m},t=${t},p=${p},k=${pepper.id}$${toBase64(salt)}$${toBase64(hash)}`;
}

/** The outcome of a verification: whether the password matches, and whether its hash should be replaced. */
export interface Verdict {
  ok: boolean;
  /** The password matched a hash in an older format or cost (or pepper): store `hashPassword` of it. */
  rehash: boolean;
}

/**
 * Checks `password` against `stored`. Pass `stored = null` for an unknown user: the same Argon2id work
 * runs against a dummy salt and the answer is no, so response time does not reveal whether a username
 * exists. A stored hash that is malformed, asks for more than the limits, or was peppered with a
 * pepper this deploy does not have throws an `internal` AppError (a data or configuration fault, not a
 * wrong password).
 */
export async function verifyPassword(
  password: string,
  stored: string | null,
  config: PasswordConfig,
): Promise<Verdict> {
  if (stored === null) {
    await argon2(await peppered(password, await pepperKey(config.pepper)), DUMMY_SALT, config.cost);
    return { ok: false, rehash: false };
  }
  if (stored.startsWith(`${PBKDF2}$`)) {
    const { iterations, salt, hash } = parsePbkdf2(stored);
    const ok = timingSafeEqual(await pbkdf2(password, salt, iterations), hash);
    return { ok, rehash: ok };
  }
  const parsed = parseArgon2(stored);
  const current = await pepperKey(config.pepper);
  const previous = config.previousPepper ? await pepperKey(config.previousPepper) : null;
  const pepper = parsed.pepperId === current.id ? current : parsed.pepperId === previous?.id ? previous : null;
  if (!pepper) {
    throw new AppError("internal", "stored password hash was peppered with another PASSWORD_PEPPER");
  }
  const ok = timingSafeEqual(await argon2(await peppered(password, pepper), parsed.salt, parsed.cost), parsed.hash);
  const sameCost = (Object.keys(config.cost) as (keyof Argon2Cost)[]).every((k) => parsed.cost[k] === config.cost[k]);
  return { ok, rehash: ok && (pepper !== current || !sameCost) };
}

/**
 * A fixed salt for the dummy verification of unknown users. It need not be secret: the point is only
 * that an unknown username costs the same work as a known one.
 */
const DUMMY_SALT = new Uint8Array(SALT_BYTES).fill(0x5a);

const malformed = () => new AppError("internal", "stored password hash is malformed");

interface ParsedArgon2 {
  cost: Argon2Cost;
  pepperId: string;
  salt: Uint8Array;
  hash: Uint8Array;
}

function parseArgon2(stored: string): ParsedArgon2 {
  const [scheme, version, params, salt64, hash64, ...rest] = stored.split("$");
  const match = /^m=([1-9][0-9]{0,8}),t=([1-9][0-9]?),p=([1-9]),k=([A-Za-z0-9_-]{8})$/.exec(params ?? "");
  const salt = fromBase64(salt64 ?? "");
  const hash = fromBase64(hash64 ?? "");
  if (scheme !== ARGON2 || version !== "v=19" || rest.length > 0 || !match || !salt || !hash) throw malformed();
  const cost: Argon2Cost = { memoryKiB: Number(match[1]), passes: Number(match[2]), lanes: Number(match[3]) };
  if (salt.length < SALT_BYTES || hash.length !== HASH_BYTES) {
    throw new AppError("internal", "stored password hash has unexpected sizes");
  }
  if (cost.memoryKiB > MAX_ARGON2_MEMORY_KIB || cost.passes > MAX_ARGON2_PASSES || cost.memoryKiB < 8 * cost.lanes) {
    throw new AppError("internal", "stored password hash asks for a cost outside the limits");
  }
  return { cost, pepperId: match[4] ?? "", salt, hash };
}

interface ParsedPbkdf2 {
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array<ArrayBuffer>;
}

function parsePbkdf2(stored: string): ParsedPbkdf2 {
  const [scheme, count, salt64, hash64, ...rest] = stored.split("$");
  const iterations = Number(count);
  const salt = fromBase64(salt64 ?? "");
  const hash = fromBase64(hash64 ?? "");
  if (scheme !== PBKDF2 || rest.length > 0 || !/^[1-9][0-9]*$/.test(count ?? "") || !salt || !hash) throw malformed();
  if (salt.length < SALT_BYTES || hash.length !== HASH_BYTES) {
    throw new AppError("internal", "stored password hash has unexpected sizes");
  }
  // Workers refuse PBKDF2 above 100,000 iterations with an opaque error; say what is wrong instead.
  if (iterations > MAX_PBKDF2_ITERATIONS) {
    throw new AppError("internal", `PBKDF2 iterations must be 1–${MAX_PBKDF2_ITERATIONS}`);
  }
  return { iterations, salt, hash };
}

async function pbkdf2(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", normalized(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}
