// The body of a hash-pool worker thread: keeps one MD5 (and optional checksum) state per job and
// hashes the shared-memory spans the main thread posts, in the order they arrive.
import { parentPort } from "node:worker_threads";
import { createHasher, type Hasher } from "../checksums.js";
import type { HashReply, HashRequest } from "./hash-pool.js";

interface JobState {
  readonly md5: Hasher | undefined;
  readonly extra: Hasher | undefined;
}

const port = parentPort;
if (port === null) throw new Error("hash-worker must run in a worker thread");
const jobs = new Map<number, JobState>();

function reply(message: HashReply): void {
  port!.postMessage(message);
}

async function finish(job: number, state: JobState): Promise<void> {
  const md5 = state.md5 === undefined ? undefined : await state.md5.digest();
  const extra = state.extra === undefined ? undefined : await state.extra.digest();
  reply({ job, seq: -1, ...(md5 === undefined ? {} : { md5 }), ...(extra === undefined ? {} : { checksum: extra }) });
}

port.on("message", (msg: HashRequest) => {
  switch (msg.op) {
    case "start":
      jobs.set(msg.job, { md5: msg.md5 ? createHasher("MD5") : undefined, extra: msg.algorithm === null ? undefined : createHasher(msg.algorithm) });
      return;
    case "update": {
      const state = jobs.get(msg.job);
      if (state === undefined) return reply({ job: msg.job, seq: msg.seq, error: "unknown hash job" });
      try {
        const bytes = new Uint8Array(msg.buffer, msg.offset, msg.length);
        state.md5?.update(bytes);
        state.extra?.update(bytes);
        reply({ job: msg.job, seq: msg.seq });
      } catch (err) {
        reply({ job: msg.job, seq: msg.seq, error: String(err) });
      }
      return;
    }
    case "finish": {
      const state = jobs.get(msg.job);
      jobs.delete(msg.job);
      if (state === undefined) return reply({ job: msg.job, seq: -1, error: "unknown hash job" });
      finish(msg.job, state).catch((err: unknown) => reply({ job: msg.job, seq: -1, error: String(err) }));
      return;
    }
    case "drop":
      jobs.delete(msg.job);
      return;
  }
});
