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

/** The tail of an id: the stream id's last byte and the sequence number (reused; JS is single-threaded). */
const idTail = Buffer.alloc(9);

/**
 * The ids of records appended to one stream, as {@link recordIdOf} spells each: base64 of the 16
 * id bytes and the 8 sequence bytes. The first 15 bytes (20 characters) are the same for every
 * record, so they are encoded once and only the last 9 bytes per record: no Buffer per record.
 */
export function recordIdsOf(streamId: string, seqs: readonly bigint[]): string[] {
  const head = Buffer.alloc(16);
  Buffer.from(streamId.replace(/-/g, ""), "hex").copy(head, 0, 0, 16);
  const prefix = head.toString("base64", 0, 15);
  idTail[0] = head[15]!;
  return seqs.map((seq) => {
    idTail.writeBigUInt64BE(seq, 1);
    return prefix + idTail.toString("base64");
  });
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
  return recordIdsOf(row.id, seqs);
}
