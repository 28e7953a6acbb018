import type { ConsumerRow, StreamRow } from "../../storage/kinesis-metadata/kinesis-metadata-store.js";
import { KinesisError } from "./errors.js";
import { parseConsumerArn } from "./names.js";
import type { KinesisState } from "./state.js";

/** Consumers a stream may have registered at once (Kinesis quotas). */
export const MAX_CONSUMERS_PER_STREAM = 20;

/** How the consumer operations name a consumer: its ARN, or the stream ARN plus its name. */
export interface ConsumerRef {
  readonly ConsumerARN?: string;
  readonly StreamARN?: string;
  readonly ConsumerName?: string;
}

function consumerNotFound(state: KinesisState, what: string): KinesisError {
  return new KinesisError("ResourceNotFoundException", `Consumer ${what} under account ${state.accountId} not found.`);
}

/** Finds a live consumer (transitions applied) and its stream, or throws ResourceNotFoundException. */
export function requireConsumer(state: KinesisState, ref: ConsumerRef): { stream: StreamRow; consumer: ConsumerRow } {
  if (ref.ConsumerARN !== undefined) {
    const parsed = parseConsumerArn(ref.ConsumerARN);
    if (parsed === undefined) throw consumerNotFound(state, ref.ConsumerARN);
    if (ref.StreamARN !== undefined && ref.StreamARN !== parsed.streamArn) {
      throw new KinesisError("InvalidArgumentException", `ConsumerARN ${ref.ConsumerARN} does not belong to stream ${ref.StreamARN}.`);
    }
    const stream = state.findStream(parsed.streamName);
    const row = state.meta.getConsumerByArn(ref.ConsumerARN);
    const consumer = row === undefined ? undefined : state.settleConsumer(row);
    if (stream === undefined || consumer === undefined || consumer.streamId !== stream.id) throw consumerNotFound(state, ref.ConsumerARN);
    return { stream, consumer };
  }
  if (ref.StreamARN === undefined || ref.ConsumerName === undefined) {
    throw new KinesisError("InvalidArgumentException", "Either ConsumerARN or both StreamARN and ConsumerName must be provided.");
  }
  const stream = state.requireStream({ StreamARN: ref.StreamARN });
  const row = state.meta.getConsumer(stream.id, ref.ConsumerName);
  const consumer = row === undefined ? undefined : state.settleConsumer(row);
  if (consumer === undefined) throw consumerNotFound(state, ref.ConsumerName);
  return { stream, consumer };
}
