import { KinesisError } from "../errors.js";
import { checkShardLimit } from "../limits.js";
import type { OpContext } from "../operation.js";
import { applyReshard, planUniformScaling } from "../resharding.js";
import type { UpdateShardCountInput, UpdateShardCountOutput } from "../shapes/types.js";

const DAY_MS = 86_400_000;
/** UpdateShardCount calls allowed per stream per rolling 24 hours (UpdateShardCount docs). */
export const SCALINGS_PER_DAY = 10;

/** Rescales a provisioned stream to TargetShardCount evenly sized shards through splits and merges. */
export async function updateShardCount(input: UpdateShardCountInput, { state }: OpContext): Promise<UpdateShardCountOutput> {
  const stream = state.requireActive(input);
  if (stream.mode === "ON_DEMAND") {
    throw new KinesisError("ValidationException", `UpdateShardCount is not supported for stream ${stream.name} in ON_DEMAND mode.`);
  }
  const open = state.shards(stream).filter((s) => s.closedAt === null);
  const current = open.length;
  const target = input.TargetShardCount;
  if (target > current * 2) {
    throw new KinesisError(
      "LimitExceededException",
      `UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: ${current}, Target shard count: ${target}`,
    );
  }
  if (target < current / 2) {
    throw new KinesisError(
      "LimitExceededException",
      `UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: ${current}, Target shard count: ${target}`,
    );
  }
  const now = state.now();
  const recent = stream.scalingHistory.filter((t) => now - t < DAY_MS);
  if (state.options.enforceLimits && recent.length >= SCALINGS_PER_DAY) {
    throw new KinesisError(
      "LimitExceededException",
      `Exceeded the limit of ${SCALINGS_PER_DAY} UpdateShardCount calls per rolling 24 hours for stream ${stream.name} under account ${state.accountId}.`,
    );
  }
  if (target > current) checkShardLimit(state, target - current);
  const plan = planUniformScaling(open, target);
  await applyReshard(state, stream, plan.parents, plan.children, {
    status: "UPDATING",
    statusUntil: now + state.options.transitionDelayMs,
    scalingHistory: [...recent, now],
  });
  return { StreamName: stream.name, StreamARN: state.arnOf(stream.name), CurrentShardCount: current, TargetShardCount: target };
}
