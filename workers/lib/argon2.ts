/**
 * Argon2id (RFC 9106) from the npm `argon2id` package (openpgpjs), run as WebAssembly.
 *
 * workerd forbids compiling WebAssembly at run time ("Wasm code generation disallowed by embedder"),
 * which is why libraries that ship their WASM as bytes inside JavaScript (hash-wasm) fail there. This
 * package ships `.wasm` files: wrangler uploads them as modules compiled at deploy time, and
 * importing one gives a `WebAssembly.Module` that may be instantiated at run time. The unit tests
 * compile the same files in Node (vitest.config.ts `wasmModules`), so both run identical code.
 *
 * One instance per isolate, made on first use. Its memory is the module's declared minimum (1,040
 * pages, 65 MiB reserved; a hash touches `memorySize` KiB of it and zeroes it afterwards). A hash
 * runs synchronously, so concurrent logins in one isolate take turns and never need a second one.
 */
import setupWasm from "argon2id/lib/setup.js";
import type { Argon2idParams, computeHash } from "argon2id/lib/setup.js";
import simdModule from "argon2id/dist/simd.wasm";
import plainModule from "argon2id/dist/no-simd.wasm";

export type { Argon2idParams };

let loading: Promise<computeHash> | undefined;

const instantiate = (module: WebAssembly.Module) => async (imports: WebAssembly.Imports) => ({
  module,
  instance: await WebAssembly.instantiate(module, imports),
});

function load(): Promise<computeHash> {
  if (!loading) {
    loading = setupWasm(instantiate(simdModule), instantiate(plainModule));
    loading.catch(() => (loading = undefined));
  }
  return loading;
}

/** The Argon2id tag of `params` (RFC 9106, version 0x13). */
export async function argon2id(params: Argon2idParams): Promise<Uint8Array> {
  const hash = await load();
  return hash(params);
}
