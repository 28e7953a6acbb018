import { KinesisError } from "./errors.js";
import { parseConsumerArn, parseStreamArn } from "./names.js";
import type { KinesisState } from "./state.js";

/** The tag key (stream id or consumer ARN) and display name of a resource ARN (TagResource and friends). */
export function resolveResource(state: KinesisState, arn: string): { key: string; streamName: string } {
  const consumer = parseConsumerArn(arn);
  if (consumer !== undefined) {
    const stream = state.requireReadable({ StreamARN: consumer.streamArn });
    const row = state.meta.getConsumerByArn(arn);
    if (row === undefined || row.streamId !== stream.id) {
      throw new KinesisError("ResourceNotFoundException", `Consumer ${arn} under account ${state.accountId} not found.`);
    }
    return { key: arn, streamName: stream.name };
  }
  if (parseStreamArn(arn) === undefined) throw new KinesisError("InvalidArgumentException", `Invalid ResourceARN ${arn}.`);
  const stream = state.requireReadable({ StreamARN: arn });
  return { key: stream.id, streamName: stream.name };
}
