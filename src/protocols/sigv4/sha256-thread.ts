import { threadJob } from "../../threads/job.js";
import { sharedThreadPool } from "../../threads/pool.js";
import type { Sha256Args } from "./sha256-worker.js";

/** The payload hash of a large signed body, as a job of the shared thread pool. */
const SHA256_JOB = threadJob("sigv4-sha256", new URL("./sha256-worker.js", import.meta.url));

/**
 * The hex SHA-256 of the first `length` bytes of `buffer`, computed on a pool thread: the payload
 * hash of a large signed body then costs the main thread one message instead of the hashing
 * (~0.5 ms per 700 KB here).
 */
export function sha256HexOffThread(buffer: SharedArrayBuffer, length: number): Promise<string> {
  return sharedThreadPool().run<string>(SHA256_JOB, { buffer, length } satisfies Sha256Args, { weight: 2 });
}
