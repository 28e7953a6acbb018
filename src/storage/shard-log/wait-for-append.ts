import type { ShardLog } from "./shard-log.js";

/**
 * Resolves when `log` makes an append durable whose last sequence number satisfies `ready`, when
 * `timeoutMs` passes, or when `signal` aborts, whichever comes first (never rejects). Without a log
 * it waits for the timeout or the abort only.
 */
export function waitForAppend(log: ShardLog | undefined, ready: (lastSeq: bigint) => boolean, timeoutMs: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      unsubscribe?.();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    signal.addEventListener("abort", done, { once: true });
    const unsubscribe = log?.onAppend((last) => {
      if (ready(last)) done();
    });
    if (signal.aborted) done();
  });
}
