import { KinesisMetadataConflictError } from "../../../storage/kinesis-metadata/kinesis-metadata-store.js";
import { MAX_CONSUMERS_PER_STREAM } from "../consumers.js";
import { KinesisError } from "../errors.js";
import type { OpContext } from "../operation.js";
import type { RegisterStreamConsumerInput, RegisterStreamConsumerOutput } from "../shapes/types.js";

/** Registers an enhanced fan-out consumer; it is CREATING for a moment, then ACTIVE. */
export async function registerStreamConsumer(input: RegisterStreamConsumerInput, { state }: OpContext): Promise<RegisterStreamConsumerOutput> {
  const stream = state.requireReadable({ StreamARN: input.StreamARN });
  const existing = state.meta.listConsumers(stream.id).map((c) => state.settleConsumer(c)).filter((c) => c !== undefined);
  if (existing.some((c) => c.name === input.ConsumerName)) {
    throw new KinesisError("ResourceInUseException", `Consumer ${input.ConsumerName} under stream ${stream.name} under account ${state.accountId} already exists.`);
  }
  if (existing.length >= MAX_CONSUMERS_PER_STREAM) {
    throw new KinesisError(
      "LimitExceededException",
      `Stream ${stream.name} under account ${state.accountId} already has the maximum of ${MAX_CONSUMERS_PER_STREAM} registered consumers.`,
    );
  }
  const now = state.now();
  const arn = state.consumerArnOf(stream.name, input.ConsumerName, now);
  try {
    state.meta.createConsumer({ streamId: stream.id, name: input.ConsumerName, arn, createdAt: now, status: "CREATING", statusUntil: now + state.options.consumerDelayMs });
  } catch (err) {
    if (err instanceof KinesisMetadataConflictError) {
      throw new KinesisError("ResourceInUseException", `Consumer ${input.ConsumerName} under stream ${stream.name} under account ${state.accountId} already exists.`);
    }
    throw err;
  }
  if (input.Tags !== undefined) state.meta.putTags(arn, input.Tags);
  return { Consumer: { ConsumerName: input.ConsumerName, ConsumerARN: arn, ConsumerStatus: "CREATING", ConsumerCreationTimestamp: new Date(now) } };
}
