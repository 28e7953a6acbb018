import { FirehoseError } from "../errors.js";
import type { PutRecordBatchInput, PutRecordBatchOutput } from "../shapes/types.js";
import type { OpContext } from "./context.js";
import { MAX_BATCH_BYTES, spoolRecords } from "./spool.js";

/**
 * Writes up to 500 records in one durable append. Each gets its own entry in RequestResponses,
 * in request order; FailedPutCount counts entries with an ErrorCode (none here: the spool takes
 * the whole batch or fails the call).
 */
export async function putRecordBatch(input: PutRecordBatchInput, ctx: OpContext): Promise<PutRecordBatchOutput> {
  const total = input.Records.reduce((n, r) => n + r.Data.byteLength, 0);
  if (total > MAX_BATCH_BYTES) {
    throw new FirehoseError("InvalidArgumentException", `Records size exceeds 4 MiB limit (${total} bytes).`);
  }
  const ids = await spoolRecords(
    input.DeliveryStreamName,
    input.Records.map((r) => r.Data),
    ctx,
  );
  return { FailedPutCount: 0, Encrypted: false, RequestResponses: ids.map((RecordId) => ({ RecordId })) };
}
