// The part of the global `WebAssembly` API the SIMD kernels use, typed here: the package
// compiles against ES2022 and Node's types, which do not declare it.

/** A `WebAssembly.Memory`. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** What instantiating a module returns: its exports. */
export interface WasmInstance {
  readonly exports: object;
}

interface WebAssemblyApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
  instantiate(
    bytes: Uint8Array,
    imports: object,
  ): Promise<{ instance: WasmInstance; module: object }>;
}

/** The global `WebAssembly` object. */
export const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
