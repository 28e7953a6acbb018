/** The part of the WebAssembly global used here (the project's TypeScript libs do not declare it). */
interface WasmGlobal {
  readonly Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => { readonly buffer: ArrayBuffer | SharedArrayBuffer };
}

/** The growable SharedArrayBuffer constructor (ES2024; the project's TypeScript libs are ES2023). */
const GrowableShared = SharedArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => SharedArrayBuffer;

const PAGES = 65_536;

function pagesOf(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / PAGES)) * PAGES;
}

/**
 * Shared memory of at least `bytes` (rounded up to 64 KiB) whose first byte sits on a page
 * boundary, for direct blob writes (see BlobCreateOptions.direct) whose bytes hash workers also
 * read. A growable SharedArrayBuffer is reserved and committed by V8's page allocator, whole pages
 * at a time, while a plain SharedArrayBuffer's or Buffer's memory comes from malloc (16 bytes past
 * a page boundary, which O_DIRECT refuses; a write it refuses still goes through the page cache).
 * Unlike a shared WebAssembly memory, which Node 20's V8 (11.3) never frees, it is freed once
 * unreachable (measured: 400 MiB of dropped 5 MiB buffers, RSS back to where it was), so pools
 * may let it go when idle.
 */
export function alignedSharedMemory(bytes: number): SharedArrayBuffer {
  const length = pagesOf(bytes);
  return new GrowableShared(length, { maxByteLength: length });
}

/** Page-aligned memory like alignedSharedMemory, for one thread only; this one the GC frees too. */
export function alignedMemory(bytes: number): ArrayBuffer {
  const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
  return new wasm.Memory({ initial: pagesOf(bytes) / PAGES, maximum: pagesOf(bytes) / PAGES, shared: false }).buffer as ArrayBuffer;
}
