/** The part of the WebAssembly global used here (the project's TypeScript libs do not declare it). */
interface WasmGlobal {
  readonly Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => { readonly buffer: ArrayBuffer | SharedArrayBuffer };
}

function wasmMemory(bytes: number, shared: boolean): ArrayBuffer | SharedArrayBuffer {
  const pages = Math.max(1, Math.ceil(bytes / 65_536));
  const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
  return new wasm.Memory({ initial: pages, maximum: pages, shared }).buffer;
}

/**
 * Shared memory of at least `bytes` (rounded up to 64 KiB) whose first byte sits on a page
 * boundary, for direct blob writes (see BlobCreateOptions.direct) whose bytes hash workers also
 * read: a WebAssembly memory is mapped whole pages at a time, while a SharedArrayBuffer's or
 * Buffer's memory comes from malloc (16 bytes past a page boundary, which O_DIRECT refuses).
 * NEVER DROP ONE: Node 20's V8 (11.3) does not free a shared WebAssembly memory once it is
 * unreachable, not even after a last-resort collection (measured: every dropped 8 MiB memory
 * stays resident), so callers allocate a bounded number and keep them for the process's life.
 */
export function alignedSharedMemory(bytes: number): SharedArrayBuffer {
  return wasmMemory(bytes, true) as SharedArrayBuffer;
}

/** Page-aligned memory like alignedSharedMemory, for one thread only; this one the GC does free. */
export function alignedMemory(bytes: number): ArrayBuffer {
  return wasmMemory(bytes, false) as ArrayBuffer;
}
