/**
 * Password hashing in plain Node, with the same argon2id WebAssembly modules workerd loads
 * (vitest.config.ts compiles them the way wrangler does): the format, the pepper, the migration from
 * PBKDF2 (old hashes verify and ask to be rehashed), pepper rotation, and malformed hashes as server
 * faults. tests/workers/passwords.test.ts runs the production cost inside workerd.
 */
import { createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  ARGON2_COST,
  ARGON2_TEST_COST,
  HASH_BYTES,
  SALT_BYTES,
  hashPassword,
  passwordConfig,
  verifyPassword,
  type PasswordConfig,
} from "../../workers/lib/passwords.ts";
import { argon2id } from "../../workers/lib/argon2.ts";

const PEPPER = "pepper-0123456789abcdef0123456789abcdef";
const config: PasswordConfig = { pepper: PEPPER, cost: ARGON2_TEST_COST };

/** A hash as stored before argon2id: PBKDF2-SHA-256, unpeppered (the old `hashPassword`). */
function pbkdf2Hash(password: string, iterations = 100_000): string {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(password.normalize("NFKC"), salt, iterations, 32, "sha256");
  return `pbkdf2-sha256$${iterations}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

describe("password hashing", () => {
  it("uses OWASP's first choice in production: argon2id, 19 MiB, 2 passes, 1 lane", () => {
    expect(ARGON2_COST).toEqual({ memoryKiB: 19_456, passes: 2, lanes: 1 });
    expect(passwordConfig({ PASSWORD_PEPPER: PEPPER }).cost).toBe(ARGON2_COST);
    expect(passwordConfig({ PASSWORD_PEPPER: PEPPER, PASSWORD_TEST_COST: "1" }).cost).toBe(ARGON2_TEST_COST);
    // The test cost is refused where DEPLOY_ENV=production (wrangler.toml [env.production]).
    const production = { PASSWORD_PEPPER: PEPPER, PASSWORD_TEST_COST: "1", DEPLOY_ENV: "production" };
    expect(passwordConfig(production).cost).toBe(ARGON2_COST);
  });

  it("fails with an internal configuration error when PASSWORD_PEPPER is missing", () => {
    expect(() => passwordConfig({})).toThrow(expect.objectContaining({ code: "internal" }));
    expect(() => passwordConfig({ PASSWORD_PEPPER: "" })).toThrow(expect.objectContaining({ code: "internal" }));
  });

  it("stores argon2id with its parameters, the pepper's id, a 128-bit salt and a 256-bit hash", async () => {
    const stored = await hashPassword("correct horse battery", config);
    const [scheme, version, params, salt, hash, ...rest] = stored.split("$");
    expect(scheme).toBe("argon2id");
    expect(version).toBe("v=19");
    expect(params).toMatch(/^m=64,t=1,p=1,k=[A-Za-z0-9_-]{8}$/);
    expect(Buffer.from(salt ?? "", "base64")).toHaveLength(SALT_BYTES);
    expect(Buffer.from(hash ?? "", "base64")).toHaveLength(HASH_BYTES);
    expect(rest).toEqual([]);
  });

  it("computes RFC 9106's argon2id test vector with the WebAssembly module", async () => {
    // RFC 9106 §5.3: argon2id, m=32 KiB, t=3, p=4, with secret and associated data.
    const tag = await argon2id({
      password: new Uint8Array(32).fill(1),
      salt: new Uint8Array(16).fill(2),
      secret: new Uint8Array(8).fill(3),
      ad: new Uint8Array(12).fill(4),
      memorySize: 32,
      passes: 3,
      parallelism: 4,
      tagLength: 32,
    });
    expect(Buffer.from(tag).toString("hex")).toBe("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
  });

  it("peppers before hashing: the stored hash is argon2id of HMAC(pepper, password), not of the password", async () => {
    const stored = await hashPassword("correct horse battery", config);
    const [, , , salt64, hash64] = stored.split("$");
    const salt = Buffer.from(salt64 ?? "", "base64");
    const tag = (password: Uint8Array) =>
      argon2id({ password, salt, memorySize: 64, passes: 1, parallelism: 1, tagLength: 32 });
    const hmac = createHmac("sha256", PEPPER).update("correct horse battery").digest();
    expect(Buffer.from(await tag(hmac)).toString("base64")).toBe(hash64);
    expect(Buffer.from(await tag(Buffer.from("correct horse battery"))).toString("base64")).not.toBe(hash64);
  });

  it("verifies the right password only, without asking for a rehash", async () => {
    const stored = await hashPassword("correct horse battery", config);
    await expect(verifyPassword("correct horse battery", stored, config)).resolves.toEqual({ ok: true, rehash: false });
    await expect(verifyPassword("correct horse batterz", stored, config)).resolves.toEqual({
      ok: false,
      rehash: false,
    });
    await expect(verifyPassword("", stored, config)).resolves.toEqual({ ok: false, rehash: false });
  });

  it("salts each hash, and matches composed and decomposed forms of a password (NFKC)", async () => {
    const a = await hashPassword("same password", config);
    expect(await hashPassword("same password", config)).not.toBe(a);
    const stored = await hashPassword("caf\u00e9 au lait", config);
    await expect(verifyPassword("cafe\u0301 au lait", stored, config)).resolves.toMatchObject({ ok: true });
  });

  it("needs the pepper: the same hash under another PASSWORD_PEPPER is a configuration error, not a wrong password", async () => {
    const stored = await hashPassword("correct horse battery", config);
    await expect(
      verifyPassword("correct horse battery", stored, { ...config, pepper: "another-pepper-0123456789abcdef" }),
    ).rejects.toMatchObject({ code: "internal" });
  });

  it("does the same work for an unknown user and says no", async () => {
    await expect(verifyPassword("whatever123", null, config)).resolves.toEqual({ ok: false, rehash: false });
  });

  it("treats a tampered or malformed stored hash as a server fault, not as a wrong password", async () => {
    const stored = await hashPassword("correct horse battery", config);
    for (const bad of [
      "",
      "plain-text-password",
      stored.replace("argon2id", "argon2i"),
      stored.replace("v=19", "v=16"),
      stored.replace("m=64", "m=0"),
      stored.replace("m=64", "m=4194304"),
      stored.replace("t=1", "t=99"),
      `${stored}$extra`,
      stored.slice(0, -8),
    ]) {
      await expect(verifyPassword("correct horse battery", bad, config), bad).rejects.toMatchObject({
        code: "internal",
      });
    }
  });

  it("rejects the right password against a hash whose bytes were flipped", async () => {
    const parts = (await hashPassword("correct horse battery", config)).split("$");
    const hash = Buffer.from(parts[4] ?? "", "base64");
    hash[0] = (hash[0] ?? 0) ^ 1;
    parts[4] = hash.toString("base64");
    await expect(verifyPassword("correct horse battery", parts.join("$"), config)).resolves.toMatchObject({
      ok: false,
    });
  });
});

describe("hashes stored before argon2id", () => {
  it("verifies alice's PBKDF2 hash and asks for it to be replaced; a wrong password is still no", async () => {
    const stored = pbkdf2Hash("correct horse battery");
    await expect(verifyPassword("correct horse battery", stored, config)).resolves.toEqual({ ok: true, rehash: true });
    await expect(verifyPassword("wrong horse battery", stored, config)).resolves.toEqual({ ok: false, rehash: false });
  });

  it("refuses a PBKDF2 hash that asks for more iterations than the Workers maximum, or is malformed", async () => {
    const stored = pbkdf2Hash("correct horse battery");
    for (const bad of [
      stored.replace("$100000$", "$100001$"),
      stored.replace("$100000$", "$0$"),
      stored.replace("$100000$", "$1e5$"),
      stored.replace("pbkdf2-sha256", "pbkdf2-sha1"),
      `${stored}$extra`,
    ]) {
      await expect(verifyPassword("correct horse battery", bad, config), bad).rejects.toMatchObject({
        code: "internal",
      });
    }
  });

  it("asks to rehash an argon2id hash made at another cost (the test cost, seen by a production server)", async () => {
    const cheap = await hashPassword("correct horse battery", config);
    const production = { ...config, cost: { memoryKiB: 128, passes: 2, lanes: 1 } };
    await expect(verifyPassword("correct horse battery", cheap, production)).resolves.toEqual({
      ok: true,
      rehash: true,
    });
  });

  it("verifies with PASSWORD_PEPPER_PREVIOUS after a pepper rotation and asks for a rehash under the new one", async () => {
    const stored = await hashPassword("correct horse battery", config);
    const rotated = { ...config, pepper: "new-pepper-0123456789abcdef0123456789", previousPepper: PEPPER };
    await expect(verifyPassword("correct horse battery", stored, rotated)).resolves.toEqual({ ok: true, rehash: true });
    const fresh = await hashPassword("correct horse battery", rotated);
    await expect(verifyPassword("correct horse battery", fresh, rotated)).resolves.toEqual({ ok: true, rehash: false });
  });
});
