import { KinesisError } from "./errors.js";

/** "shardId-000000000007": shard ids are the index zero-padded to 12 digits. */
export function shardIdOf(index: number): string {
  return `shardId-${String(index).padStart(12, "0")}`;
}

/** The index in a shard id, accepting the short forms the service accepts ("7", "shardId-7"); undefined if none. */
export function shardIndexOf(shardId: string): number | undefined {
  const m = /^(?:shardId-)?(\d{1,12})$/.exec(shardId);
  if (m === null) return undefined;
  const n = Number(m[1]);
  return n <= 0x7fffffff ? n : undefined;
}

export function streamArn(region: string, accountId: string, name: string): string {
  return `arn:aws:kinesis:${region}:${accountId}:stream/${name}`;
}

/** Consumer ARNs end with the registration time in epoch seconds (RegisterStreamConsumer docs sample). */
export function consumerArn(streamArnText: string, consumerName: string, createdAt: number): string {
  return `${streamArnText}/consumer/${consumerName}:${Math.floor(createdAt / 1000)}`;
}

/** The parts of a stream ARN, or undefined if it is not one. */
export function parseStreamArn(arn: string): { region: string; accountId: string; name: string } | undefined {
  const m = /^arn:aws[a-z-]*:kinesis:([^:]*):(\d{12}):stream\/([a-zA-Z0-9_.-]+)$/.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, name: m[3]! } : undefined;
}

/** The parts of a consumer ARN, or undefined if it is not one. */
export function parseConsumerArn(arn: string): { streamArn: string; streamName: string; consumerName: string } | undefined {
  const m = /^(arn:aws[a-z-]*:kinesis:[^:]*:\d{12}:stream\/([a-zA-Z0-9_.-]+))\/consumer\/([a-zA-Z0-9_.-]+):\d+$/.exec(arn);
  return m ? { streamArn: m[1]!, streamName: m[2]!, consumerName: m[3]! } : undefined;
}

/** Input members that name a stream (most operations accept either, or both if they agree). */
export interface StreamRef {
  readonly StreamName?: string;
  readonly StreamARN?: string;
}

/** Picks the stream name from StreamName and/or StreamARN. */
export function streamNameOf(ref: StreamRef, region: string, accountId: string): string {
  if (ref.StreamARN !== undefined) {
    const parsed = parseStreamArn(ref.StreamARN);
    if (parsed === undefined) throw new KinesisError("InvalidArgumentException", `Invalid StreamARN ${ref.StreamARN}.`);
    if (parsed.accountId !== accountId || parsed.region !== region) {
      throw new KinesisError("ResourceNotFoundException", `Stream ${parsed.name} under account ${parsed.accountId} not found.`);
    }
    if (ref.StreamName !== undefined && ref.StreamName !== parsed.name) {
      throw new KinesisError("InvalidArgumentException", `StreamARN ${ref.StreamARN} and StreamName ${ref.StreamName} do not refer to the same stream.`);
    }
    return parsed.name;
  }
  if (ref.StreamName !== undefined) return ref.StreamName;
  throw new KinesisError("InvalidArgumentException", "Either StreamName or StreamARN must be provided.");
}
