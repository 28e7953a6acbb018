import { requireConsumer } from "../consumers.js";
import type { OpContext } from "../operation.js";
import type { DescribeStreamConsumerInput, DescribeStreamConsumerOutput } from "../shapes/types.js";

/** A consumer by ARN, or by stream ARN and name. */
export async function describeStreamConsumer(input: DescribeStreamConsumerInput, { state }: OpContext): Promise<DescribeStreamConsumerOutput> {
  const { stream, consumer } = requireConsumer(state, input);
  return {
    ConsumerDescription: {
      ConsumerName: consumer.name,
      ConsumerARN: consumer.arn,
      ConsumerStatus: consumer.status,
      ConsumerCreationTimestamp: new Date(consumer.createdAt),
      StreamARN: state.arnOf(stream.name),
    },
  };
}
