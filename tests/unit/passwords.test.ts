/**
 * Password hashing in plain Node: Node 22's WebCrypto runs the same PBKDF2 as workerd, so the format,
 * the iteration ceiling and the verify logic are checked here without a Workers runtime.
 */
import { describe, expect, it } from "vitest";
import {
  HASH_BYTES,
  MAX_PBKDF2_ITERATIONS,
  PBKDF2_ITERATIONS,
  SALT_BYTES,
  hashPassword,
  verifyPassword,
} from "../../workers/lib/passwords.ts";
import { AppError } from "../../lib/errors.ts";

describe("password hashing", () => {
  it("never asks for more PBKDF2 iterations than the Workers runtime allows", () => {
    expect(PBKDF2_ITERATIONS).toBe(100_000);
    expect(MAX_PBKDF2_ITERATIONS).toBe(100_000);
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(MAX_PBKDF2_ITERATIONS);
  });

  it("stores alice's hash with its parameters, a 16-byte salt and a 32-byte hash", async () => {
    const stored = await hashPassword("correct horse battery");
    const [scheme, iterations, salt, hash, ...rest] = stored.split("$");
    expect(scheme).toBe("pbkdf2-sha256");
    expect(iterations).toBe("100000");
    expect(Buffer.from(salt ?? "", "base64")).toHaveLength(SALT_BYTES);
    expect(Buffer.from(hash ?? "", "base64")).toHaveLength(HASH_BYTES);
    expect(rest).toEqual([]);
  });

  it("lets alice in with her password and keeps mallory out with a guess", async () => {
    const stored = await hashPassword("correct horse battery");
    await expect(verifyPassword("correct horse battery", stored)).resolves.toBe(true);
    await expect(verifyPassword("correct horse batterz", stored)).resolves.toBe(false);
    await expect(verifyPassword("", stored)).resolves.toBe(false);
  });

  it("gives alice and bob with the same password different salts and hashes", async () => {
    const a = await hashPassword("same password");
    const b = await hashPassword("same password");
    expect(a).not.toBe(b);
    await expect(verifyPassword("same password", b)).resolves.toBe(true);
  });

  it("accepts alice's password typed composed or decomposed (NFKC)", async () => {
    const stored = await hashPassword("caf\u00e9 au lait");
    await expect(verifyPassword("cafe\u0301 au lait", stored)).resolves.toBe(true);
  });

  it("answers false for an unknown user after doing the same PBKDF2 work", async () => {
    await expect(verifyPassword("whatever123", null)).resolves.toBe(false);
  });

  it("refuses to hash with more iterations than the Workers maximum", async () => {
    await expect(hashPassword("correct horse battery", MAX_PBKDF2_ITERATIONS + 1)).rejects.toMatchObject({
      code: "internal",
    });
  });

  it("refuses to verify a stored hash that asks for more iterations than the Workers maximum", async () => {
    const stored = await hashPassword("correct horse battery");
    const tooCostly = stored.replace("$100000$", "$100001$");
    await expect(verifyPassword("correct horse battery", tooCostly)).rejects.toBeInstanceOf(AppError);
  });

  it("treats a tampered or malformed stored hash as a server fault, not as a wrong password", async () => {
    const stored = await hashPassword("correct horse battery");
    for (const bad of [
      "",
      "plain-text-password",
      stored.replace("pbkdf2-sha256", "pbkdf2-sha1"),
      stored.replace("$100000$", "$0$"),
      stored.replace("$100000$", "$1e5$"),
      `${stored}$extra`,
      stored.slice(0, -8),
    ]) {
      await expect(verifyPassword("correct horse battery", bad), bad).rejects.toMatchObject({ code: "internal" });
    }
  });

  it("rejects the right password against a hash whose bytes were flipped", async () => {
    const stored = await hashPassword("correct horse battery");
    const parts = stored.split("$");
    const hash = Buffer.from(parts[3] ?? "", "base64");
    hash[0] = (hash[0] ?? 0) ^ 1;
    parts[3] = hash.toString("base64");
    await expect(verifyPassword("correct horse battery", parts.join("$"))).resolves.toBe(false);
  });
});
