/** The part of the WebAssembly global used here (the project's TypeScript libs do not declare it). */
interface WasmGlobal {
  readonly Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => { readonly buffer: SharedArrayBuffer };
}

/**
 * Shared memory of at least `bytes` (rounded up to 64 KiB) whose first byte sits on a page
 * boundary, for direct blob writes (see BlobCreateOptions.direct): a WebAssembly memory is mapped
 * whole pages at a time, while a SharedArrayBuffer's or Buffer's memory comes from malloc (16
 * bytes past a page boundary, which O_DIRECT refuses). V8 reserves address space per memory,
 * so allocate a few large ones rather than many small ones.
 */
export function alignedMemory(bytes: number): SharedArrayBuffer {
  const pages = Math.max(1, Math.ceil(bytes / 65_536));
  const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
  return new wasm.Memory({ initial: pages, maximum: pages, shared: true }).buffer;
}
