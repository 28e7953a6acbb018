import type { StreamRow } from "../../storage/kinesis-metadata/kinesis-metadata-store.js";
import { KinesisError } from "./errors.js";
import type { KinesisState } from "./state.js";

/** Open shards across every live stream of the account (DescribeLimits OpenShardCount). */
export function accountOpenShards(state: KinesisState): number {
  let n = 0;
  for (const s of state.meta.listStreams()) {
    if (state.findStream(s.name) === undefined) continue;
    n += state.meta.listShards(s.id).filter((sh) => sh.closedAt === null).length;
  }
  return n;
}

/** Live on-demand streams of the account. */
export function onDemandStreams(state: KinesisState): StreamRow[] {
  return state.meta.listStreams().filter((s) => s.mode === "ON_DEMAND");
}

/** LimitExceededException when `additional` more open shards would pass the account's shard limit. */
export function checkShardLimit(state: KinesisState, additional: number): void {
  const current = accountOpenShards(state);
  const limit = state.options.shardLimit;
  if (current + additional > limit) {
    throw new KinesisError(
      "LimitExceededException",
      `This request would exceed the shard limit for the account ${state.accountId} in ${state.options.region}. ` +
        `Current shard count for the account: ${current}. Limit: ${limit}. ` +
        `Number of additional shards that would have resulted from this request: ${additional}. ` +
        "Refer to the AWS Service Limits page (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.",
    );
  }
}

/** Tags per stream (Kinesis quotas: 50). */
export const MAX_TAGS_PER_STREAM = 50;

/** InvalidArgumentException if adding `tags` to `existing` would pass 50 tags. */
export function checkTagCount(streamName: string, accountId: string, existing: Readonly<Record<string, string>>, tags: Readonly<Record<string, string>>): void {
  const keys = new Set([...Object.keys(existing), ...Object.keys(tags)]);
  if (keys.size > MAX_TAGS_PER_STREAM) {
    throw new KinesisError(
      "InvalidArgumentException",
      `Failed to add tags to stream ${streamName} under account ${accountId} because a given stream cannot have more than ${MAX_TAGS_PER_STREAM} tags associated with it.`,
    );
  }
}
