import { describeDestination, DESTINATION_ID } from "../destination.js";
import type { DeliveryStreamDescription, DescribeDeliveryStreamInput, DescribeDeliveryStreamOutput } from "../shapes/types.js";
import type { OpContext } from "./context.js";

/** The stream's status, version, source and its one destination. */
export async function describeDeliveryStream(input: DescribeDeliveryStreamInput, { state, accountId }: OpContext): Promise<DescribeDeliveryStreamOutput> {
  const row = state.require(accountId, input.DeliveryStreamName);
  // One destination per stream: a start id at or past it pages to an empty list.
  const skip = input.ExclusiveStartDestinationId !== undefined && input.ExclusiveStartDestinationId >= DESTINATION_ID;
  const d: DeliveryStreamDescription = {
    DeliveryStreamName: row.name,
    DeliveryStreamARN: state.arnOf(accountId, row.name),
    DeliveryStreamStatus: row.status,
    DeliveryStreamType: row.type,
    VersionId: String(row.versionId),
    CreateTimestamp: new Date(row.createdAt),
    Destinations: skip ? [] : [describeDestination(state.destinationOf(row))],
    HasMoreDestinations: false,
  };
  if (row.versionId > 1) d.LastUpdateTimestamp = new Date(row.updatedAt);
  if (row.type === "DirectPut") {
    d.DeliveryStreamEncryptionConfiguration = { Status: "DISABLED" };
  }
  const source = state.sourceOf(row);
  if (source !== undefined) {
    d.Source = {
      KinesisStreamSourceDescription: {
        KinesisStreamARN: source.kinesisStreamArn,
        RoleARN: source.roleArn,
        DeliveryStartTimestamp: new Date(source.deliveryStartTimestamp),
      },
    };
  }
  return { DeliveryStreamDescription: d };
}
