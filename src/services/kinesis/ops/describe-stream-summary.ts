import { streamSummary } from "../describe.js";
import type { OpContext } from "../operation.js";
import type { DescribeStreamSummaryInput, DescribeStreamSummaryOutput } from "../shapes/types.js";

/** The stream without its shard list. */
export async function describeStreamSummary(input: DescribeStreamSummaryInput, { state }: OpContext): Promise<DescribeStreamSummaryOutput> {
  return { StreamDescriptionSummary: streamSummary(state, state.requireStream(input)) };
}
