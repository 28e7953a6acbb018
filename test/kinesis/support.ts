// Shared helpers for the Kinesis end-to-end tests.
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type Shard,
} from "@aws-sdk/client-kinesis";
import { clientConfig, type RunningServer } from "../helpers/server.js";

/** A JS SDK client for the test server (HTTP/2 to an http:// endpoint, as the SDK chooses). */
export function kinesisClient(server: RunningServer, extra: { maxAttempts?: number } = {}): KinesisClient {
  return new KinesisClient({ ...clientConfig(server), ...extra });
}

/** Polls `check` every 25 ms until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until a stream is ACTIVE. */
export async function waitActive(client: KinesisClient, name: string): Promise<void> {
  await eventually(
    async () => ((await client.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary?.StreamStatus === "ACTIVE" ? true : undefined),
    10_000,
    `${name} ACTIVE`,
  );
}

/** Moves the server's clock forward (server started with STREAMLAKE_CLOCK_CONTROL=1). */
export async function advanceClock(server: RunningServer, ms: number): Promise<void> {
  const res = await fetch(`${server.endpoint}/_streamlake/clock?advanceMs=${ms}`, { method: "POST" });
  if (res.status !== 200) throw new Error(`clock control refused: ${res.status}`);
}

export interface ReadRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: string;
}

/** Reads one shard from TRIM_HORIZON to its end (closed) or its tip (open). */
export async function readShard(client: KinesisClient, stream: string, shardId: string): Promise<{ records: ReadRecord[]; childShards: string[] }> {
  let it = (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
  const records: ReadRecord[] = [];
  let childShards: string[] = [];
  while (it !== undefined) {
    const out = await client.send(new GetRecordsCommand({ ShardIterator: it }));
    for (const r of out.Records ?? []) {
      records.push({ shardId, sequenceNumber: r.SequenceNumber!, partitionKey: r.PartitionKey!, data: Buffer.from(r.Data!).toString() });
    }
    if (out.ChildShards !== undefined && out.NextShardIterator === undefined) childShards = out.ChildShards.map((c) => c.ShardId!);
    if ((out.Records ?? []).length === 0 && (out.MillisBehindLatest ?? 0) === 0 && out.NextShardIterator !== undefined) break;
    it = out.NextShardIterator;
  }
  return { records, childShards };
}

/** Every shard of a stream, read parents before children, as the KCL does. */
export async function readLineage(client: KinesisClient, stream: string): Promise<ReadRecord[]> {
  const shards: Shard[] = (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  const done = new Set<string>();
  const out: ReadRecord[] = [];
  const known = new Set(shards.map((s) => s.ShardId!));
  while (done.size < shards.length) {
    const next = shards.find(
      (s) => !done.has(s.ShardId!) && [s.ParentShardId, s.AdjacentParentShardId].every((p) => p === undefined || done.has(p) || !known.has(p)),
    );
    if (next === undefined) throw new Error("shard lineage has a cycle");
    out.push(...(await readShard(client, stream, next.ShardId!)).records);
    done.add(next.ShardId!);
  }
  return out;
}
