// The words the main thread and the WAL checkpoint thread share (an Int32Array over a
// SharedArrayBuffer): wal-checkpointer.ts writes SIGNAL, REQUEST and STOP; checkpoint-worker.ts
// writes ANSWERED, PASSES, LOG and DONE.

/** Bumped by the main thread after every commit (and to wake the thread). */
export const SIGNAL = 0;
/** Bumped by the main thread when it holds its commits and asks for a complete checkpoint. */
export const REQUEST = 1;
/** The last REQUEST value the thread has served. */
export const ANSWERED = 2;
/** Checkpoint passes run so far. */
export const PASSES = 3;
/** Frames in the WAL at the last pass. */
export const LOG = 4;
/** Frames of the WAL copied into the database file at the last pass. */
export const DONE = 5;
/** Set to 1 by the main thread: close the connection and end. */
export const STOP = 6;
/** How many words the state holds. */
export const STATE_WORDS = 7;

/** What the main thread passes to the checkpoint thread as workerData. */
export interface CheckpointWorkerData {
  /** The database file. */
  readonly path: string;
  /** STATE_WORDS Int32 words, shared. */
  readonly state: SharedArrayBuffer;
  /** Least time between two passes the thread starts on its own (a REQUEST runs at once). */
  readonly intervalMs: number;
  /** The thread closes its connection and ends after this long without a commit. */
  readonly idleMs: number;
}

/** The thread -> main thread message after serving REQUEST `served`. */
export interface CheckpointAnswer {
  readonly served: number;
}
