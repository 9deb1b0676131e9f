/**
 * Argon2id inside workerd at the production cost: the `argon2id` package's WebAssembly loads as a
 * module import (workerd refuses run-time compilation), hashes at 19 MiB / 2 passes, and a PBKDF2 hash
 * from before still verifies and asks to be replaced. README "Passwords" has the measured cost.
 */
import { describe, expect, it } from "vitest";
import { ARGON2_COST, hashPassword, verifyPassword, type PasswordConfig } from "../../workers/lib/passwords.ts";

const production: PasswordConfig = { pepper: "pepper-0123456789abcdef0123456789abcdef", cost: ARGON2_COST };

describe("argon2id in workerd", () => {
  it("hashes and verifies alice's password at the production cost", async () => {
    const started = performance.now();
    const stored = await hashPassword("correct horse battery", production);
    const hashMs = performance.now() - started;
    expect(stored).toMatch(/^argon2id\$v=19\$m=19456,t=2,p=1,k=[A-Za-z0-9_-]{8}\$/);
    await expect(verifyPassword("correct horse battery", stored, production)).resolves.toEqual({
      ok: true,
      rehash: false,
    });
    await expect(verifyPassword("correct horse batterz", stored, production)).resolves.toMatchObject({ ok: false });
    console.log(JSON.stringify({ argon2idHashMs: Math.round(hashMs) }));
  });

  it("verifies a PBKDF2 hash from before argon2id and asks for a rehash", async () => {
    // pbkdf2-sha256, 1,000 iterations of "correct horse battery" (made with node:crypto).
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode("correct horse battery"),
      "PBKDF2",
      false,
      ["deriveBits"],
    );
    const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 1000 }, key, 256);
    const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
    const stored = `pbkdf2-sha256$1000$${b64(salt)}$${b64(new Uint8Array(bits))}`;
    await expect(verifyPassword("correct horse battery", stored, production)).resolves.toEqual({
      ok: true,
      rehash: true,
    });
  });
});
