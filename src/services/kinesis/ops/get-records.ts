import type { ShardRow, StreamRow } from "../../../storage/kinesis-metadata/kinesis-metadata-store.js";
import { freeRecordBlocks } from "../../../storage/shard-log/read-blocks.js";
import type { LogRecord } from "../../../storage/shard-log/shard-log.js";
import { childShardsOf } from "../describe.js";
import { KinesisError } from "../errors.js";
import { afterRecordsWritten } from "../json-output.js";
import { shardIdOf } from "../names.js";
import type { OpContext } from "../operation.js";
import { recordSequenceNumber } from "../sequence-number.js";
import { decodeShardIterator, encodeShardIterator, ITERATOR_TTL_MS, javaUtcString } from "../shard-iterator.js";
import type { GetRecordsInput, GetRecordsOutput, Record as KinesisRecord } from "../shapes/types.js";
import type { KinesisState } from "../state.js";
import { MIB } from "../throughput.js";

export const GET_RECORDS_DEFAULT_LIMIT = 10_000;
/** A GetRecords call returns at most 10 MiB (GetRecords docs). */
export const GET_RECORDS_MAX_BYTES = 10 * MIB;

function invalidIterator(): KinesisError {
  return new KinesisError("InvalidArgumentException", "Invalid ShardIterator.");
}

/** How far behind the tip a reader is after a read ending at `next` (0 at the tip). */
export function millisBehind(state: KinesisState, next: bigint, tip: bigint, lastReadTimestamp: number | undefined): number {
  if (next >= tip || lastReadTimestamp === undefined) return 0;
  return Math.max(0, state.now() - lastReadTimestamp);
}

/** Maps log records to the API's records for one shard. */
export function toApiRecords(stream: StreamRow, shard: ShardRow, records: readonly { seq: bigint; timestamp: number; partitionKey: string; data: Uint8Array }[]): KinesisRecord[] {
  return records.map((r) => {
    const out: KinesisRecord = {
      SequenceNumber: recordSequenceNumber(shard.createdAt, shard.index, r.seq),
      ApproximateArrivalTimestamp: new Date(r.timestamp),
      Data: r.data,
      PartitionKey: r.partitionKey,
    };
    if (stream.encryptionType === "KMS") out.EncryptionType = "KMS";
    return out;
  });
}

/** Reads records from where the iterator points; at the end of a closed shard, reports its children instead of a next iterator. */
export async function getRecords(input: GetRecordsInput, { state }: OpContext): Promise<GetRecordsOutput> {
  const it = decodeShardIterator(input.ShardIterator);
  if (it === undefined) throw invalidIterator();
  const now = state.now();
  if (now - it.issuedAt > ITERATOR_TTL_MS) {
    throw new KinesisError(
      "ExpiredIteratorException",
      `Iterator expired. The iterator was created at time ${javaUtcString(it.issuedAt)} while right now it is ${javaUtcString(now)} which is further in the future than the tolerated delay of ${ITERATOR_TTL_MS} milliseconds.`,
    );
  }
  const missing = (): KinesisError =>
    new KinesisError("ResourceNotFoundException", `Shard ${shardIdOf(it.shardIndex)} in stream ${it.streamName} under account ${state.accountId} does not exist`);
  const stream = state.findStream(it.streamName);
  if (stream === undefined || stream.createdAt !== it.streamCreatedAt || stream.status === "DELETING") throw missing();
  const shards = state.shards(stream);
  const shard = shards.find((s) => s.index === it.shardIndex);
  if (shard === undefined) throw missing();

  const shardKey = `${stream.id}/${shard.shardId}`;
  if (!state.limiter.admitRead(shardKey)) {
    throw new KinesisError(
      "ProvisionedThroughputExceededException",
      `Rate exceeded for shard ${shard.shardId} in stream ${stream.name} under account ${state.accountId}.`,
    );
  }

  const end = shard.endSeq;
  let position = it.position;
  let records: KinesisRecord[] = [];
  let read: readonly LogRecord[] = [];
  let behind = 0;
  if (end !== 0n && (end === null || position < end)) {
    const log = await state.log(stream, shard);
    await state.trimIfDue(stream, shard, log);
    if (position < log.firstSeq()) position = log.firstSeq();
    const limit = input.Limit ?? GET_RECORDS_DEFAULT_LIMIT;
    const maxRecords = end === null ? limit : Math.min(limit, Number(end - position));
    read = maxRecords > 0 ? await log.read(position, { maxRecords, maxBytes: GET_RECORDS_MAX_BYTES }) : [];
    const last = read[read.length - 1];
    if (last !== undefined) position = last.seq + 1n;
    records = toApiRecords(stream, shard, read);
    if (state.limiter.enabled) state.limiter.chargeRead(shardKey, read.reduce((n, r) => n + r.data.byteLength + Buffer.byteLength(r.partitionKey, "utf8"), 0));
    behind = millisBehind(state, position, end ?? log.nextSeq(), last?.timestamp);
  }

  const out: GetRecordsOutput = { Records: records, MillisBehindLatest: behind };
  // Once the JSON body holds the records, nothing reads their data again: free the blocks under them.
  if (read.length > 0) afterRecordsWritten(out, () => freeRecordBlocks(read));
  if (end !== null && position >= end) {
    // The end of a closed shard: no next iterator, the children to continue with (GetRecords docs).
    out.ChildShards = childShardsOf(shards, shard);
    return out;
  }
  out.NextShardIterator = encodeShardIterator({ ...it, position, issuedAt: now });
  return out;
}
