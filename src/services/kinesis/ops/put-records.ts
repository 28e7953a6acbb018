import { KinesisError } from "../errors.js";
import type { OpContext } from "../operation.js";
import { checkRecordSizes, entrySize, putEntries } from "../put.js";
import type { PutRecordsInput, PutRecordsOutput, PutRecordsResultEntry } from "../shapes/types.js";
import { MIB } from "../throughput.js";

/** A PutRecords request carries at most 5 MiB of data and partition keys (PutRecords docs). */
export const PUT_RECORDS_MAX_BYTES = 5 * MIB;

/** Writes up to 500 records; each succeeds or fails on its own (throttling is per record). */
export async function putRecords(input: PutRecordsInput, { state }: OpContext): Promise<PutRecordsOutput> {
  const stream = state.requireReadable(input);
  const entries = input.Records;
  checkRecordSizes(stream, entries, (i) => `records.${i + 1}.member.data`);
  let total = 0;
  for (const e of entries) total += entrySize(e);
  if (total > PUT_RECORDS_MAX_BYTES) {
    throw new KinesisError("InvalidArgumentException", `Records size exceeds 5 MB limit. The size of the request was ${total} bytes.`);
  }
  const outcomes = await putEntries(state, stream, entries);
  let failed = 0;
  const records: PutRecordsResultEntry[] = outcomes.map((o) => {
    if (o.ok) return { SequenceNumber: o.sequenceNumber, ShardId: o.shardId };
    failed++;
    return { ErrorCode: o.errorCode, ErrorMessage: o.errorMessage };
  });
  return {
    FailedRecordCount: failed,
    Records: records,
    EncryptionType: stream.encryptionType,
  };
}
