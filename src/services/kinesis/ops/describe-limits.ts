import { accountOpenShards, onDemandStreams } from "../limits.js";
import type { OpContext } from "../operation.js";
import type { DescribeLimitsInput, DescribeLimitsOutput } from "../shapes/types.js";

/** The account's shard and on-demand stream quotas and usage. */
export async function describeLimits(_input: DescribeLimitsInput, { state }: OpContext): Promise<DescribeLimitsOutput> {
  return {
    ShardLimit: state.options.shardLimit,
    OpenShardCount: accountOpenShards(state),
    OnDemandStreamCount: onDemandStreams(state).length,
    OnDemandStreamCountLimit: state.options.onDemandStreamLimit,
  };
}
