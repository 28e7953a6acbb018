import type { OpContext } from "../operation.js";
import type { DisableEnhancedMonitoringInput, EnhancedMonitoringOutput, MetricsName } from "../shapes/types.js";
import { expandMetrics } from "./enable-enhanced-monitoring.js";

/** Turns shard-level metrics off. */
export async function disableEnhancedMonitoring(input: DisableEnhancedMonitoringInput, { state }: OpContext): Promise<EnhancedMonitoringOutput> {
  const stream = state.requireActive(input);
  const current = stream.shardLevelMetrics as MetricsName[];
  const off = expandMetrics(input.ShardLevelMetrics);
  const desired = current.filter((m) => !off.includes(m));
  state.meta.updateStream(stream.id, { shardLevelMetrics: desired });
  return { StreamName: stream.name, StreamARN: state.arnOf(stream.name), CurrentShardLevelMetrics: current, DesiredShardLevelMetrics: desired };
}
