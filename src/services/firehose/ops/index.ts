import type { OpContext } from "./context.js";
import { createDeliveryStream } from "./create-delivery-stream.js";
import { deleteDeliveryStream } from "./delete-delivery-stream.js";
import { describeDeliveryStream } from "./describe-delivery-stream.js";
import { listDeliveryStreams } from "./list-delivery-streams.js";
import { putRecordBatch } from "./put-record-batch.js";
import { putRecord } from "./put-record.js";
import { listTagsForDeliveryStream } from "./list-tags-for-delivery-stream.js";
import { tagDeliveryStream } from "./tag-delivery-stream.js";
import { untagDeliveryStream } from "./untag-delivery-stream.js";
import { updateDestination } from "./update-destination.js";

type Operation = (input: never, ctx: OpContext) => Promise<unknown>;

/** Every implemented Firehose operation by its X-Amz-Target name. */
export const firehoseOperations: Readonly<Record<string, Operation>> = {
  CreateDeliveryStream: createDeliveryStream,
  DescribeDeliveryStream: describeDeliveryStream,
  ListDeliveryStreams: listDeliveryStreams,
  DeleteDeliveryStream: deleteDeliveryStream,
  UpdateDestination: updateDestination,
  PutRecord: putRecord,
  PutRecordBatch: putRecordBatch,
  TagDeliveryStream: tagDeliveryStream,
  UntagDeliveryStream: untagDeliveryStream,
  ListTagsForDeliveryStream: listTagsForDeliveryStream,
};
