import type { KinesisState } from "../services/kinesis/state.js";
import { sleep, type Worker } from "./supervisor.js";

/**
 * Completes status transitions in the background (CREATING/UPDATING -> ACTIVE, DELETING -> gone
 * with its shard logs, consumers likewise). Reads apply due transitions themselves; this worker
 * makes deletions happen even when nobody asks.
 */
export function createKinesisStatusWorker(state: KinesisState, pollMs = 250): Worker {
  let settled = 0;
  return {
    name: "kinesis-status",
    async work() {
      settled += state.settleAll();
      await state.drainRemovals();
      return "idle";
    },
    async waitForWork(signal) {
      const next = state.nextTransitionAt();
      const wait = next === undefined ? pollMs * 4 : Math.min(pollMs, Math.max(10, next - state.now()));
      await sleep(wait, signal);
    },
    status: () => `${settled} transitions completed`,
  };
}
