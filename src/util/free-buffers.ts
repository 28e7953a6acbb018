import { MessageChannel } from "node:worker_threads";

// A port whose peer is closed: a message posted on it is dropped, and an ArrayBuffer in its
// transfer list is detached and its memory freed at once.
const { port1: dropPort, port2: closedPeer } = new MessageChannel();
closedPeer.close();
dropPort.unref();

/**
 * Frees now the memory under `views` that each owns whole (its own, unshared ArrayBuffer), instead
 * of leaving it to the garbage collector; any other view of those buffers then reads as empty,
 * never as other bytes. The caller promises nothing reads them again. Views over part of a buffer,
 * or over shared memory, are left to the GC, as are buffers that cannot be transferred (pooled).
 */
export function freeBuffers(views: readonly Uint8Array[]): void {
  const buffers: ArrayBuffer[] = [];
  for (const v of views) {
    const ab = v.buffer;
    if (v.byteOffset === 0 && ab.byteLength === v.byteLength && !(ab instanceof SharedArrayBuffer)) buffers.push(ab);
  }
  if (buffers.length === 0) return;
  try {
    dropPort.postMessage(null, buffers);
  } catch {
    // a buffer that cannot be transferred: the GC frees them all
  }
}
