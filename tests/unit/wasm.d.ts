/** `.wasm` imports in the unit tests: vitest.config.ts compiles them as workerd does (worker-configuration.d.ts). */
declare module "*.wasm" {
  const value: WebAssembly.Module;
  export default value;
}
