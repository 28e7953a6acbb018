import type { ShardRow, StreamRow } from "../../storage/kinesis-metadata/kinesis-metadata-store.js";
import { KinesisError } from "./errors.js";
import { shardIdOf } from "./names.js";
import { decodeSequenceNumber, logSeqOf } from "./sequence-number.js";
import type { ShardIteratorType } from "./shapes/types.js";
import type { KinesisState } from "./state.js";

/** Where a reader asks to start (GetShardIterator's arguments, SubscribeToShard's StartingPosition). */
export interface StartRequest {
  readonly type: ShardIteratorType;
  readonly sequenceNumber?: string | undefined;
  readonly timestamp?: Date | undefined;
}

/**
 * Resolves a start request to the log seq the first read begins at, with the service's
 * InvalidArgumentException wording for every misuse.
 */
export async function resolveStart(
  state: KinesisState,
  stream: StreamRow,
  shard: ShardRow,
  req: StartRequest,
  operation: "GetShardIterator" | "SubscribeToShard",
): Promise<bigint> {
  const bySeq = req.type === "AT_SEQUENCE_NUMBER" || req.type === "AFTER_SEQUENCE_NUMBER";
  if (bySeq !== (req.sequenceNumber !== undefined) && req.type !== "AT_TIMESTAMP") {
    throw new KinesisError(
      "InvalidArgumentException",
      "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or " +
        "(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. " +
        `Request specified ${req.type} and ${req.sequenceNumber === undefined ? "no" : "also a"} StartingSequenceNumber.`,
    );
  }
  if (req.type === "AT_TIMESTAMP" && req.timestamp === undefined) {
    throw new KinesisError(
      "InvalidArgumentException",
      "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.",
    );
  }
  if (req.type !== "AT_TIMESTAMP" && req.timestamp !== undefined) {
    throw new KinesisError("InvalidArgumentException", `The timestampInMillis parameter cannot be passed if ShardIteratorType is not AT_TIMESTAMP.`);
  }

  let fromSeq: bigint | undefined;
  if (req.sequenceNumber !== undefined && bySeq) {
    const parts = decodeSequenceNumber(req.sequenceNumber);
    const where = `used in ${operation} on shard ${shard.shardId} in stream ${stream.name} under account ${state.accountId}`;
    if (parts === undefined) throw new KinesisError("InvalidArgumentException", `StartingSequenceNumber ${req.sequenceNumber} ${where} is invalid.`);
    if (parts.shardIndex !== shard.index) {
      throw new KinesisError(
        "InvalidArgumentException",
        `Invalid StartingSequenceNumber. It encodes ${shardIdOf(parts.shardIndex)}, while it was used in a call to a shard with ${shard.shardId}`,
      );
    }
    if (parts.shardCreatedSecs !== Math.floor(shard.createdAt / 1000)) {
      throw new KinesisError("InvalidArgumentException", `StartingSequenceNumber ${req.sequenceNumber} ${where} is invalid because it did not come from this stream.`);
    }
    const at = parts.position === 0n ? 0n : logSeqOf(parts);
    fromSeq = req.type === "AT_SEQUENCE_NUMBER" ? at : logSeqOf(parts) + 1n;
  }
  const now = state.now();
  if (req.type === "AT_TIMESTAMP" && req.timestamp !== undefined && req.timestamp.getTime() > now) {
    throw new KinesisError(
      "InvalidArgumentException",
      `The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: ${req.timestamp.getTime()}, currentTimestampInMillis: ${now}`,
    );
  }

  const end = shard.endSeq;
  // A short-lived shard of a rescale never held records: every position is its end.
  if (end === 0n) return 0n;
  const log = await state.log(stream, shard);
  await state.trimIfDue(stream, shard, log);
  let position: bigint;
  switch (req.type) {
    case "TRIM_HORIZON":
      position = log.firstSeq();
      break;
    case "LATEST":
      position = end ?? log.nextSeq();
      break;
    case "AT_TIMESTAMP":
      position = await log.seekTimestamp(req.timestamp!.getTime());
      break;
    default:
      position = fromSeq!;
  }
  return end !== null && position > end ? end : position;
}
