import { KinesisError } from "../errors.js";
import type { OpContext } from "../operation.js";
import { checkRecordSizes, putEntries } from "../put.js";
import { decodeSequenceNumber } from "../sequence-number.js";
import type { PutRecordInput, PutRecordOutput } from "../shapes/types.js";

/** Writes one record; resolves once it is durable. */
export async function putRecord(input: PutRecordInput, { state }: OpContext): Promise<PutRecordOutput> {
  const stream = state.requireReadable(input);
  checkRecordSizes(stream, [input], () => "data");
  // Our numbers already increase strictly per shard, so the ordering hint only needs to be one of ours.
  if (input.SequenceNumberForOrdering !== undefined && decodeSequenceNumber(input.SequenceNumberForOrdering) === undefined) {
    throw new KinesisError(
      "InvalidArgumentException",
      `ExclusiveMinimumSequenceNumber ${input.SequenceNumberForOrdering} used in PutRecord on stream ${stream.name} under account ${state.accountId} is invalid.`,
    );
  }
  const [outcome] = await putEntries(state, stream, [input]);
  if (outcome === undefined || !outcome.ok) {
    if (outcome?.errorCode === "ProvisionedThroughputExceededException") {
      throw new KinesisError("ProvisionedThroughputExceededException", outcome.errorMessage);
    }
    throw new KinesisError("InternalFailure");
  }
  return { ShardId: outcome.shardId, SequenceNumber: outcome.sequenceNumber, EncryptionType: stream.encryptionType };
}
