import type { ShardRow, StreamRow } from "../../../storage/kinesis-metadata/kinesis-metadata-store.js";
import type { ShardLog } from "../../../storage/shard-log/shard-log.js";
import { requireConsumer } from "../consumers.js";
import { childShardsOf } from "../describe.js";
import { KinesisError } from "../errors.js";
import type { OpContext } from "../operation.js";
import { resolveStart } from "../positions.js";
import { continuationSequenceNumber } from "../sequence-number.js";
import { findShard } from "../shard-lookup.js";
import type { SubscribeToShardEvent, SubscribeToShardInput } from "../shapes/types.js";
import type { KinesisState } from "../state.js";
import { MIB } from "../throughput.js";
import { millisBehind, toApiRecords } from "./get-records.js";

/** A subscription lasts 5 minutes; the same consumer may not resubscribe to a shard within 5 seconds (SubscribeToShard docs). */
export const SUBSCRIPTION_MS = 300_000;
export const RESUBSCRIBE_GUARD_MS = 5_000;
/** An empty event is pushed after this long without records, so clients see the subscription is alive. */
export const HEARTBEAT_MS = 5_000;
const EVENT_MAX_RECORDS = 10_000;
const EVENT_MAX_BYTES = MIB;

/** SubscribeToShard's answer: the events to push, as they happen. */
export interface SubscribeToShardResult {
  readonly events: AsyncIterable<SubscribeToShardEvent>;
}

/** Starts pushing a shard's records to an enhanced fan-out consumer. */
export async function subscribeToShard(input: SubscribeToShardInput, { state, signal }: OpContext): Promise<SubscribeToShardResult> {
  const { stream: owner, consumer } = requireConsumer(state, { ConsumerARN: input.ConsumerARN });
  if (consumer.status !== "ACTIVE") {
    throw new KinesisError("ResourceInUseException", `Consumer ${consumer.arn} under account ${state.accountId} is not ACTIVE, instead in state ${consumer.status}`);
  }
  const stream = state.requireReadable(owner.name);
  const shard = findShard(state, stream, input.ShardId, "data");
  const key = `${consumer.arn}/${shard.shardId}`;
  const now = state.now();
  const last = state.subscriptions.get(key);
  if (last !== undefined && now - last < RESUBSCRIBE_GUARD_MS && now >= last) {
    throw new KinesisError(
      "ResourceInUseException",
      `Another active subscription exists for consumer ${consumer.arn} on shard ${shard.shardId} of stream ${stream.name} under account ${state.accountId}.`,
    );
  }
  const start = await resolveStart(
    state,
    stream,
    shard,
    { type: input.StartingPosition.Type, sequenceNumber: input.StartingPosition.SequenceNumber, timestamp: input.StartingPosition.Timestamp },
    "SubscribeToShard",
  );
  state.subscriptions.set(key, now);
  return { events: pushEvents(state, stream, shard, start, signal) };
}

async function* pushEvents(state: KinesisState, stream: StreamRow, shard: ShardRow, start: bigint, signal: AbortSignal): AsyncGenerator<SubscribeToShardEvent> {
  const began = state.now();
  const end = shard.endSeq;
  let position = start;
  const log: ShardLog | undefined = end === 0n ? undefined : await state.log(stream, shard);
  let dirty = true;
  let wake: (() => void) | undefined;
  const unsubscribe = log?.onAppend(() => {
    dirty = true;
    wake?.();
  });
  const onAbort = (): void => wake?.();
  signal.addEventListener("abort", onAbort);
  let expired = false;
  const hardStop = setTimeout(() => {
    expired = true;
    wake?.();
  }, SUBSCRIPTION_MS);
  hardStop.unref(); // a subscription must not keep the process alive on its own
  try {
    // The first event goes out at once, records or not, so the client learns where it stands.
    let quietSince = Number.NEGATIVE_INFINITY;
    while (!signal.aborted && !expired && state.now() - began < SUBSCRIPTION_MS) {
      const current = state.findStream(stream.name);
      if (current === undefined || current.id !== stream.id || current.status === "DELETING") return;
      if (log !== undefined && (end === null || position < end)) {
        dirty = false;
        if (position < log.firstSeq()) position = log.firstSeq();
        const maxRecords = end === null ? EVENT_MAX_RECORDS : Math.min(EVENT_MAX_RECORDS, Number(end - position));
        let read;
        try {
          read = await log.read(position, { maxRecords, maxBytes: EVENT_MAX_BYTES });
        } catch (err) {
          // The stream was deleted under us (its logs closed): the subscription just ends.
          const now = state.findStream(stream.name);
          if (now === undefined || now.id !== stream.id || now.status === "DELETING") return;
          throw err;
        }
        const lastRecord = read[read.length - 1];
        if (lastRecord !== undefined) position = lastRecord.seq + 1n;
        const atEnd = end !== null && position >= end;
        if (read.length > 0 || atEnd || Date.now() - quietSince >= HEARTBEAT_MS) {
          yield eventOf(state, stream, shard, position, toApiRecords(stream, shard, read), millisBehind(state, position, end ?? log.nextSeq(), lastRecord?.timestamp), atEnd);
          quietSince = Date.now();
          if (atEnd) return;
          if (read.length > 0) continue;
        }
      } else {
        // A closed shard read to its end: one last event naming the children.
        yield eventOf(state, stream, shard, position, [], 0, true);
        return;
      }
      if (dirty) continue;
      // Sleep until an append, the abort, or the next heartbeat is due.
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, Math.min(HEARTBEAT_MS, Math.max(1, HEARTBEAT_MS - (Date.now() - quietSince))));
        if (signal.aborted || dirty) resolve();
      });
      clearTimeout(timer);
      wake = undefined;
    }
  } finally {
    clearTimeout(hardStop);
    signal.removeEventListener("abort", onAbort);
    unsubscribe?.();
  }
}

function eventOf(
  state: KinesisState,
  stream: StreamRow,
  shard: ShardRow,
  position: bigint,
  records: SubscribeToShardEvent["Records"],
  behind: number,
  atEnd: boolean,
): SubscribeToShardEvent {
  const lastRecord = records[records.length - 1];
  const event: SubscribeToShardEvent = {
    Records: records,
    // Resuming with AFTER_SEQUENCE_NUMBER of this number continues at `position`.
    ContinuationSequenceNumber: lastRecord?.SequenceNumber ?? continuationSequenceNumber(shard.createdAt, shard.index, position),
    MillisBehindLatest: behind,
  };
  if (atEnd) event.ChildShards = childShardsOf(state.shards(stream), shard);
  return event;
}
