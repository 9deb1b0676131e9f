/**
 * Password hashing with PBKDF2-HMAC-SHA-256 from WebCrypto, the only password KDF the Workers runtime
 * offers natively (argon2/scrypt would need WASM and blow the CPU budget).
 *
 * Stored form: `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`. The parameters travel with the hash
 * so they can change later without a migration: old hashes keep verifying with their own count.
 *
 * Workers refuse PBKDF2 above 100,000 iterations (the call throws), so that is both our cost and our
 * ceiling. We refuse larger counts ourselves with a clear error instead of the runtime's opaque one,
 * and so that a hash written elsewhere with a higher count is caught as a configuration problem.
 */
import { AppError } from "../../lib/errors.ts";
import { fromBase64, timingSafeEqual, toBase64 } from "../../lib/bytes.ts";

/** PBKDF2 iterations for new hashes: the Workers maximum (OWASP asks for more; the runtime caps it). */
export const PBKDF2_ITERATIONS = 100_000;
/** The most iterations the Workers runtime will run; hashing or verifying above it is refused. */
export const MAX_PBKDF2_ITERATIONS = 100_000;
/** Per-user random salt, 128 bits (NIST SP 800-132 asks for at least 128). */
export const SALT_BYTES = 16;
/** Derived key length: SHA-256's output size; longer would only cost more for the defender. */
export const HASH_BYTES = 32;

const SCHEME = "pbkdf2-sha256";

/**
 * A fixed salt for the dummy verification of unknown users. It need not be secret: the point is only
 * that an unknown username costs the same PBKDF2 work as a known one.
 */
const DUMMY_SALT = new Uint8Array(SALT_BYTES).fill(0x5a);

function checkIterations(iterations: number): void {
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new AppError("internal", `PBKDF2 iterations must be 1–${MAX_PBKDF2_ITERATIONS}`);
  }
}

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  checkIterations(iterations);
  // NFKC (NIST SP 800-63B §5.1.1.2): the same password typed on two keyboards, composed or decomposed,
  // must hash the same.
  const secret = new TextEncoder().encode(password.normalize("NFKC"));
  const key = await crypto.subtle.importKey("raw", secret, "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}

/**
 * Hashes a password with a fresh random salt, ready to store. `iterations` exists for tests and for a
 * future change of cost; it must not exceed MAX_PBKDF2_ITERATIONS.
 */
export async function hashPassword(password: string, iterations: number = PBKDF2_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations);
  return `${SCHEME}$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

interface ParsedHash {
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array<ArrayBuffer>;
}

function parse(stored: string): ParsedHash {
  const [scheme, count, salt64, hash64, ...rest] = stored.split("$");
  const iterations = Number(count);
  const salt = fromBase64(salt64 ?? "");
  const hash = fromBase64(hash64 ?? "");
  if (scheme !== SCHEME || rest.length > 0 || !/^[1-9][0-9]*$/.test(count ?? "") || !salt || !hash) {
    throw new AppError("internal", "stored password hash is malformed");
  }
  if (salt.length < SALT_BYTES || hash.length !== HASH_BYTES) {
    throw new AppError("internal", "stored password hash has unexpected sizes");
  }
  checkIterations(iterations);
  return { iterations, salt, hash };
}

/**
 * True when `password` matches `stored`. Pass `stored = null` for an unknown user: the same PBKDF2
 * work runs against a dummy salt and the answer is false, so response time does not reveal whether a
 * username exists. A stored hash that is malformed or asks for more than MAX_PBKDF2_ITERATIONS throws
 * an `internal` AppError (it is a data or configuration fault, not a wrong password).
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (stored === null) {
    await derive(password, DUMMY_SALT, PBKDF2_ITERATIONS);
    return false;
  }
  const { iterations, salt, hash } = parse(stored);
  const candidate = await derive(password, salt, iterations);
  return timingSafeEqual(candidate, hash);
}
