import { randomUUID } from "node:crypto";
import { FirehoseMetadataConflictError } from "../../../storage/firehose-metadata/firehose-metadata-store.js";
import { destinationFromCreate } from "../destination.js";
import { FirehoseError } from "../errors.js";
import type { CreateDeliveryStreamInput, CreateDeliveryStreamOutput } from "../shapes/types.js";
import type { StoredSource } from "../state.js";
import type { OpContext } from "./context.js";

/** Delivery streams per account per Region (Firehose quota, adjustable). */
export const STREAM_LIMIT = 5000;

/** Creates a delivery stream in CREATING; it becomes ACTIVE after a short transition. */
export async function createDeliveryStream(input: CreateDeliveryStreamInput, { state, accountId }: OpContext): Promise<CreateDeliveryStreamOutput> {
  const type = input.DeliveryStreamType ?? "DirectPut";
  if (type !== "DirectPut" && type !== "KinesisStreamAsSource") {
    throw new FirehoseError("InvalidArgumentException", `DeliveryStreamType ${type} is not supported by Streamlake; use DirectPut or KinesisStreamAsSource.`);
  }
  let source: StoredSource | undefined;
  if (type === "KinesisStreamAsSource") {
    const k = input.KinesisStreamSourceConfiguration;
    if (k === undefined) throw new FirehoseError("InvalidArgumentException", "KinesisStreamSourceConfiguration is required when DeliveryStreamType is KinesisStreamAsSource.");
    if (state.deps.kinesis.describeStream(accountId, k.KinesisStreamARN) === undefined) {
      throw new FirehoseError("InvalidArgumentException", `Kinesis stream ${k.KinesisStreamARN} does not exist or is not active.`);
    }
    source = { kinesisStreamArn: k.KinesisStreamARN, roleArn: k.RoleARN, deliveryStartTimestamp: state.now() };
  } else if (input.KinesisStreamSourceConfiguration !== undefined) {
    throw new FirehoseError("InvalidArgumentException", "KinesisStreamSourceConfiguration is only allowed when DeliveryStreamType is KinesisStreamAsSource.");
  }
  if (input.DeliveryStreamEncryptionConfigurationInput !== undefined && type === "KinesisStreamAsSource") {
    throw new FirehoseError("InvalidArgumentException", "Server-side encryption is not supported for a Firehose stream whose source is a Kinesis data stream.");
  }
  const destination = destinationFromCreate(input, state.options);
  if (state.meta.listStreams(accountId).length >= STREAM_LIMIT) {
    throw new FirehoseError("LimitExceededException", `You have already reached the limit of ${STREAM_LIMIT} Firehose streams for account ${accountId}.`);
  }
  const tags: Record<string, string> = {};
  for (const t of input.Tags ?? []) tags[t.Key] = t.Value ?? "";
  const now = state.now();
  try {
    state.meta.createStream(
      {
        id: randomUUID(),
        accountId,
        name: input.DeliveryStreamName,
        type,
        status: "CREATING",
        statusUntil: now + state.options.transitionDelayMs,
        versionId: 1,
        createdAt: now,
        updatedAt: now,
        source: source === undefined ? null : JSON.stringify(source),
        destination: JSON.stringify(destination),
      },
      tags,
    );
  } catch (err) {
    if (err instanceof FirehoseMetadataConflictError) {
      throw new FirehoseError("ResourceInUseException", `Firehose ${input.DeliveryStreamName} under accountId ${accountId} already exists.`);
    }
    throw err;
  }
  state.changed();
  return { DeliveryStreamARN: state.arnOf(accountId, input.DeliveryStreamName) };
}
