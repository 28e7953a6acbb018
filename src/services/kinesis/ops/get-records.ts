import type { ShardRow, StreamRow } from "../../../storage/kinesis-metadata/kinesis-metadata-store.js";
import { freeRecordBlocks } from "../../../storage/shard-log/read-blocks.js";
import type { ShardLog } from "../../../storage/shard-log/shard-log.js";
import { collectThreadWrites } from "../../../storage/shard-log/write-threads.js";
import { childShardsOf } from "../describe.js";
import { KinesisError } from "../errors.js";
import { afterRecordsWritten, emptyPollJson, getRecordsJson, type StreamedJson } from "../json-output.js";
import { PlannedRecordsWriter, plannedRecordsJson } from "../planned-records-json.js";
import { shardIdOf } from "../names.js";
import type { OpContext } from "../operation.js";
import { recordSequenceNumber } from "../sequence-number.js";
import { decodeShardIterator, encodeShardIterator, ITERATOR_TTL_MS, javaUtcString, type IteratorState } from "../shard-iterator.js";
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

interface ReadStart {
  readonly state: KinesisState;
  readonly it: IteratorState;
  readonly now: number;
  readonly stream: StreamRow;
  readonly shards: readonly ShardRow[];
  readonly shard: ShardRow;
  readonly shardKey: string;
}

/** Checks the iterator, finds its shard and admits the call (the errors GetRecords answers before reading). */
function startRead(input: GetRecordsInput, state: KinesisState): ReadStart {
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
  return { state, it, now, stream, shards, shard, shardKey };
}

/** The members after Records: how far behind, and the next iterator or (at the end of a closed shard) the children. */
function finishOutput(s: ReadStart, records: KinesisRecord[], position: bigint, behind: number): GetRecordsOutput {
  const out: GetRecordsOutput = { Records: records, MillisBehindLatest: behind };
  const end = s.shard.endSeq;
  if (end !== null && position >= end) {
    // The end of a closed shard: no next iterator, the children to continue with (GetRecords docs).
    out.ChildShards = childShardsOf(s.shards, s.shard);
    return out;
  }
  out.NextShardIterator = encodeShardIterator({ ...s.it, position, issuedAt: s.now });
  return out;
}

/**
 * Resolves in the check phase of the current event-loop turn, after the I/O callbacks of its poll
 * phase. A read that waits for this still answers in the turn its request was handled in, but
 * after the turn's durable-write completions (which make records readable) and the requests that
 * arrived with it (a PutRecord starts its write first). Readers polling back-to-back otherwise keep
 * the loop busy writing empty answers while an append's completion, or the PutRecord itself, waits
 * behind them; a poll that arrived in the same turn as the completion then answered empty and the
 * record waited a whole poll cycle more.
 */
function afterThisTurnsIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * How long a read at the tip may wait for records of its shard that are being made durable when
 * it arrives (an append accepted, its fsync not yet returned). Answering at once would return
 * nothing and the reader would have to ask again; waiting for that one write hands it the
 * records as soon as they are durable. No wait when nothing is in flight or records are readable.
 */
export const IN_FLIGHT_WAIT_MS = 20;

/** Where the read starts and how many records it may return (undefined: nothing to read). */
async function openLog(s: ReadStart, input: GetRecordsInput): Promise<{ log: ShardLog; position: bigint; maxRecords: number } | undefined> {
  const end = s.shard.endSeq;
  if (end === 0n || (end !== null && s.it.position >= end)) return undefined;
  // A write thread's finished write is settled now, as this poll comes in, rather than when the
  // turn's parked polls look again or its completion message comes round (~20 us sooner at p50).
  collectThreadWrites();
  const log = await s.state.log(s.stream, s.shard);
  await s.state.trimIfDue(s.stream, s.shard, log);
  // An empty read waits for the end of this turn's I/O (and for the empty reads before it, one per
  // turn, so a PutRecord arriving meanwhile is read after one empty answer rather than all of them),
  // released early when a record of this shard becomes durable (answered before its appender). A read with records durable already is
  // answered at once: its answer is the one a reader waits for, and the turn's other requests
  // would only delay it.
  const turn = log.afterThisTurn === undefined ? afterThisTurnsIo() : log.afterThisTurn(s.it.position);
  if (turn !== undefined) await turn;
  let position = s.it.position;
  if (position < log.firstSeq()) position = log.firstSeq();
  const inFlight = log.whenInFlightDurable?.(position, IN_FLIGHT_WAIT_MS);
  if (inFlight !== undefined) {
    await inFlight;
    if (position < log.firstSeq()) position = log.firstSeq();
  }
  const limit = input.Limit ?? GET_RECORDS_DEFAULT_LIMIT;
  const maxRecords = end === null ? limit : Math.min(limit, Number(end - position));
  return { log, position, maxRecords };
}

/** Reads records from where the iterator points; at the end of a closed shard, reports its children instead of a next iterator. */
export async function getRecords(input: GetRecordsInput, { state }: OpContext): Promise<GetRecordsOutput> {
  const s = startRead(input, state);
  return readPlainly(s, await openLog(s, input));
}

/**
 * GetRecords answered in JSON: the same bytes as `getRecordsJson(await getRecords(...))`, but a
 * read from the segment files is planned and written while it is sent (read-plan.ts), without
 * building the page's records in memory.
 */
export async function getRecordsJsonBody(input: GetRecordsInput, ctx: OpContext): Promise<Buffer | StreamedJson> {
  const s = startRead(input, ctx.state);
  const opened = await openLog(s, input);
  if (opened !== undefined && opened.position >= opened.log.nextSeq()) {
    // At the tip with nothing in flight (most polls): nothing to plan or read, and the answer is
    // the same few members every time (readPlainly's answer for an empty read, written directly).
    if (ctx.state.limiter.enabled) ctx.state.limiter.chargeRead(s.shardKey, 0);
    const out = finishOutput(s, [], opened.position, 0);
    return out.NextShardIterator !== undefined && out.ChildShards === undefined ? emptyPollJson(out.MillisBehindLatest ?? 0, out.NextShardIterator) : getRecordsJson(out);
  }
  const planRead = opened?.log.planRead?.bind(opened.log);
  if (opened !== undefined && opened.maxRecords > 0 && planRead !== undefined) {
    const { log, maxRecords } = opened;
    const writer = new PlannedRecordsWriter(s.shard.createdAt, s.shard.index, s.stream.encryptionType === "KMS");
    const plan = await planRead(opened.position, { maxRecords, maxBytes: GET_RECORDS_MAX_BYTES }, writer.measure);
    if (plan !== undefined) {
      const position = BigInt(plan.lastSeq) + 1n;
      if (ctx.state.limiter.enabled) ctx.state.limiter.chargeRead(s.shardKey, plan.bytes);
      const behind = millisBehind(ctx.state, position, s.shard.endSeq ?? log.nextSeq(), plan.lastTimestamp);
      const { Records: _none, ...rest } = finishOutput(s, [], position, behind);
      return plannedRecordsJson(plan, writer, rest);
    }
  }
  return getRecordsJson(await readPlainly(s, opened));
}

/** Reads the records as objects (from memory, or from blocks freed once the JSON holds them). */
async function readPlainly(s: ReadStart, opened: Awaited<ReturnType<typeof openLog>>): Promise<GetRecordsOutput> {
  if (opened === undefined) return finishOutput(s, [], s.it.position, 0);
  const { log, maxRecords } = opened;
  let position = opened.position;
  const read = maxRecords > 0 ? await log.read(position, { maxRecords, maxBytes: GET_RECORDS_MAX_BYTES }) : [];
  const last = read[read.length - 1];
  if (last !== undefined) position = last.seq + 1n;
  if (s.state.limiter.enabled) s.state.limiter.chargeRead(s.shardKey, read.reduce((n, r) => n + r.data.byteLength + Buffer.byteLength(r.partitionKey, "utf8"), 0));
  const out = finishOutput(s, toApiRecords(s.stream, s.shard, read), position, millisBehind(s.state, position, s.shard.endSeq ?? log.nextSeq(), last?.timestamp));
  if (read.length > 0) afterRecordsWritten(out, () => freeRecordBlocks(read));
  return out;
}
