// The SHA-256 job of the shared thread pool (src/threads): hashes a body the main thread copied
// into shared memory and answers with its hex digest (see sha256-thread.ts).
import { createHash } from "node:crypto";

/** Hash the first `length` bytes of `buffer`. */
export interface Sha256Args {
  readonly buffer: SharedArrayBuffer;
  readonly length: number;
}

/** Runs on a pool thread: the hex SHA-256 of the span. */
export function run(args: Sha256Args): string {
  return createHash("sha256").update(new Uint8Array(args.buffer, 0, args.length)).digest("hex");
}
