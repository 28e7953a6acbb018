/** States of a write slot (control word 0); word 1 holds the errno of a failed write. */
export const IDLE = 0;
export const SUBMITTED = 1;
export const DONE = 2;
export const FAILED = 3;

/** Shared memory of one write slot, handed to its thread. */
export interface SlotMemory {
  /** Int32 words: state, errno. */
  readonly control: SharedArrayBuffer;
  /** Float64 words: fd, file position, byte length. */
  readonly args: SharedArrayBuffer;
  /** The bytes to write. */
  readonly data: SharedArrayBuffer;
}
