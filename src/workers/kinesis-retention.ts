import type { KinesisState } from "../services/kinesis/state.js";
import { sleep, type Worker } from "./supervisor.js";

/**
 * Deletes records older than each stream's retention period from disk (the shard logs drop whole
 * segments), and forgets closed shards once everything in them has expired, as the service does.
 */
export function createKinesisRetentionWorker(state: KinesisState, intervalMs = 30_000): Worker {
  let trimmed = 0;
  let lastRun: number | undefined;
  return {
    name: "kinesis-retention",
    async work(signal) {
      for (const row of state.meta.listStreams()) {
        if (signal.aborted) break;
        const stream = state.findStream(row.name);
        if (stream === undefined || stream.status === "DELETING" || stream.status === "CREATING") continue;
        const cutoff = state.retentionCutoff(stream);
        const expired: string[] = [];
        for (const shard of state.shards(stream)) {
          if (shard.closedAt !== null && shard.closedAt < cutoff) {
            await state.removeLog(stream, shard);
            expired.push(shard.shardId);
            continue;
          }
          if (shard.endSeq === 0n) continue;
          const log = await state.log(stream, shard);
          trimmed += await state.trimIfDue(stream, shard, log, true);
        }
        if (expired.length > 0) state.meta.removeShards(stream.id, expired);
      }
      lastRun = state.now();
      return "idle";
    },
    waitForWork: (signal) => sleep(intervalMs, signal),
    status: () => `${trimmed} records trimmed${lastRun === undefined ? "" : `, last run at ${new Date(lastRun).toISOString()}`}`,
  };
}
