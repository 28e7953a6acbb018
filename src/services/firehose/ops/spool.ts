import { FirehoseError } from "../errors.js";
import type { OpContext } from "./context.js";

/** The whole PutRecordBatch request may carry at most 4 MiB of data (PutRecordBatch docs). */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/** An opaque record id: the stream's spool position, as the service's ids are opaque. */
export function recordIdOf(streamId: string, seq: bigint): string {
  const b = Buffer.alloc(24);
  Buffer.from(streamId.replace(/-/g, ""), "hex").copy(b, 0, 0, 16);
  b.writeBigUInt64BE(seq, 16);
  return b.toString("base64");
}

/**
 * Appends records to the delivery stream's durable spool; resolves with their ids once they are
 * on disk (fsynced), so an acknowledged record survives a crash.
 */
export async function spoolRecords(name: string, records: readonly Uint8Array[], { state, accountId }: OpContext): Promise<string[]> {
  const row = state.require(accountId, name);
  if (row.type === "KinesisStreamAsSource") {
    // Kinesis-sourced streams take data only from their source (PutRecord docs).
    throw new FirehoseError("InvalidArgumentException", "This operation is not permitted on KinesisStreamAsSource delivery stream type.");
  }
  if (row.status !== "ACTIVE") throw state.notFound(accountId, name);
  const log = await state.spool(row.id);
  const now = state.now();
  const seqs = await log.append(records.map((data) => ({ timestamp: now, partitionKey: "", data })));
  return seqs.map((s) => recordIdOf(row.id, s));
}
