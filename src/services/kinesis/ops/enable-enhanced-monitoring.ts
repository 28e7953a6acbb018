import type { OpContext } from "../operation.js";
import type { EnableEnhancedMonitoringInput, EnhancedMonitoringOutput, MetricsName } from "../shapes/types.js";

export const ALL_METRICS: readonly MetricsName[] = [
  "IncomingBytes",
  "IncomingRecords",
  "OutgoingBytes",
  "OutgoingRecords",
  "WriteProvisionedThroughputExceeded",
  "ReadProvisionedThroughputExceeded",
  "IteratorAgeMilliseconds",
];

/** Expands "ALL" to every metric name. */
export function expandMetrics(names: readonly MetricsName[]): MetricsName[] {
  return names.includes("ALL") ? [...ALL_METRICS] : [...new Set(names)];
}

/** Records which shard-level metrics are on (the metrics themselves are not published). */
export async function enableEnhancedMonitoring(input: EnableEnhancedMonitoringInput, { state }: OpContext): Promise<EnhancedMonitoringOutput> {
  const stream = state.requireActive(input);
  const current = stream.shardLevelMetrics as MetricsName[];
  const desired = ALL_METRICS.filter((m) => current.includes(m) || expandMetrics(input.ShardLevelMetrics).includes(m));
  state.meta.updateStream(stream.id, { shardLevelMetrics: desired });
  return { StreamName: stream.name, StreamARN: state.arnOf(stream.name), CurrentShardLevelMetrics: current, DesiredShardLevelMetrics: desired };
}
