import assert from "node:assert/strict";
import { createMemoryKinesisMetadataStore } from "../../storage/kinesis-metadata/memory-kinesis-metadata.js";
import { createMemoryShardLogStore } from "../../storage/shard-log/memory-shard-log.js";
import { ManualClock } from "../../util/clock.js";
import { createLogger } from "../../util/logger.js";
import { KinesisError } from "./errors.js";
import { evenRanges, hashKeyWords } from "./hash-key.js";
import { createStream } from "./ops/create-stream.js";
import type { StreamedJson } from "./json-output.js";
import type { OpContext } from "./operation.js";
import { DEFAULT_KINESIS_OPTIONS, KinesisState, type KinesisOptions } from "./state.js";

/** A Kinesis state on in-memory stores and a manual clock, for unit tests of the operations. */
export interface TestKinesis {
  readonly clock: ManualClock;
  readonly state: KinesisState;
  readonly ctx: OpContext;
  /** Creates a stream and moves the clock past CREATING. */
  activeStream(name: string, shardCount?: number): Promise<void>;
  /** Moves the clock past any pending transition. */
  settle(): void;
}

export const TEST_START = Date.UTC(2026, 0, 15, 12, 0, 0);

export function createTestKinesis(options: Partial<KinesisOptions> = {}): TestKinesis {
  const clock = new ManualClock(TEST_START);
  const state = new KinesisState(
    createMemoryKinesisMetadataStore(),
    createMemoryShardLogStore(),
    clock,
    { ...DEFAULT_KINESIS_OPTIONS, region: "us-east-1", accountId: "123456789012", enforceLimits: true, ...options },
    createLogger("silent"),
  );
  const ctx: OpContext = { state, signal: new AbortController().signal };
  const settle = (): void => clock.advance(Math.max(state.options.transitionDelayMs, state.options.consumerDelayMs) + 1);
  return {
    clock,
    state,
    ctx,
    settle,
    async activeStream(name, shardCount = 1) {
      await createStream({ StreamName: name, ShardCount: shardCount }, ctx);
      settle();
    },
  };
}

/** Asserts `p` rejects with a KinesisError of this code (and a message matching `message`). */
export async function rejects(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof KinesisError, String(err));
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

/** An answer body's text, its declared length and how many chunks it came in (a buffer is one). */
export async function bytesOf(body: Buffer | StreamedJson): Promise<{ text: string; declared: number; chunks: number }> {
  if (Buffer.isBuffer(body)) return { text: body.toString("utf8"), declared: body.length, chunks: 1 };
  const parts: Buffer[] = [];
  for await (const chunk of body.body) parts.push(chunk as Buffer);
  return { text: Buffer.concat(parts).toString("utf8"), declared: body.length, chunks: parts.length };
}

/** `text`'s UTF-8 bytes in shared memory, as the server hands a body to a pool job. */
export function sharedBody(text: string): { buffer: SharedArrayBuffer; length: number } {
  const bytes = Buffer.from(text);
  const buffer = new SharedArrayBuffer(bytes.length);
  bytes.copy(Buffer.from(buffer));
  return { buffer, length: bytes.length };
}

/** The hash-key ranges of `count` evenly split shards, as the words a pool job routes by. */
export function evenLayout(count: number): Uint32Array {
  const out = new Uint32Array(count * 8);
  evenRanges(count).forEach((r, k) => {
    hashKeyWords(r.start, out, k * 8);
    hashKeyWords(r.end, out, k * 8 + 4);
  });
  return out;
}
