/**
 * wrangler (and vitest-pool-workers) import a `.wasm` file as a WebAssembly.Module compiled when the
 * worker is deployed: workerd refuses to compile WebAssembly from bytes at run time.
 */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
