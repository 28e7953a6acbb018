// The S3 body hash job of the shared thread pool (src/threads): keeps one MD5 (and optional
// checksum) state per hash job on this thread and hashes the shared-memory spans the main thread
// posts, in the order they arrive (a job's messages all go to one thread through a lease).
import { createHasher, type Hasher } from "../checksums.js";
import type { HashRequest } from "./hash-pool.js";

interface JobState {
  readonly md5: Hasher | undefined;
  readonly extra: Hasher | undefined;
}

/** What a finish answers: the raw digests asked for. */
export interface HashDigests {
  readonly md5?: Uint8Array;
  readonly checksum?: Uint8Array;
}

const jobs = new Map<number, JobState>();

async function finish(state: JobState): Promise<HashDigests> {
  const md5 = state.md5 === undefined ? undefined : await state.md5.digest();
  const extra = state.extra === undefined ? undefined : await state.extra.digest();
  return { ...(md5 === undefined ? {} : { md5 }), ...(extra === undefined ? {} : { checksum: extra }) };
}

/** Runs on a pool thread: one step of a hash job. */
export function run(msg: HashRequest): undefined | Promise<HashDigests> {
  switch (msg.op) {
    case "start":
      jobs.set(msg.job, { md5: msg.md5 ? createHasher("MD5") : undefined, extra: msg.algorithm === null ? undefined : createHasher(msg.algorithm) });
      return undefined;
    case "update": {
      const state = jobs.get(msg.job);
      if (state === undefined) throw new Error("unknown hash job");
      const bytes = new Uint8Array(msg.buffer, msg.offset, msg.length);
      state.md5?.update(bytes);
      state.extra?.update(bytes);
      return undefined;
    }
    case "finish": {
      const state = jobs.get(msg.job);
      jobs.delete(msg.job);
      if (state === undefined) throw new Error("unknown hash job");
      return finish(state);
    }
    case "drop":
      jobs.delete(msg.job);
      return undefined;
  }
}
