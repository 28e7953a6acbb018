import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, describe, test } from "node:test";
import { AuthError } from "../../protocols/auth-error.js";
import { createBodyVerifier } from "../../protocols/sigv4/body-verifier.js";
import { createMemoryKinesisMetadataStore } from "../../storage/kinesis-metadata/memory-kinesis-metadata.js";
import { createMemoryShardLogStore } from "../../storage/shard-log/memory-shard-log.js";
import { createSegmentShardLogStore } from "../../storage/shard-log/segment-shard-log.js";
import type { ShardLogStore } from "../../storage/shard-log/shard-log.js";
import { ManualClock } from "../../util/clock.js";
import { createLogger } from "../../util/logger.js";
import { KinesisError } from "./errors.js";
import { createStream } from "./ops/create-stream.js";
import type { OpContext } from "./operation.js";
import { forgetLayouts, putParsed, putRecordsFromBody } from "./put-records-body.js";
import type { PutRecordsOutput } from "./shapes/types.js";
import { DEFAULT_KINESIS_OPTIONS, KinesisState } from "./state.js";
import { TEST_START } from "./test-kit.js";
import { serializeOperationOutput } from "./wire.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A Kinesis state with a 3-shard stream "s", on segment logs (appendFrames) or memory logs (append). */
async function stateWith(logs: "segment" | "memory", enforceLimits: boolean): Promise<OpContext> {
  let store: ShardLogStore;
  if (logs === "segment") {
    const dir = mkdtempSync(join(tmpdir(), "sl-put-body-"));
    dirs.push(dir);
    store = createSegmentShardLogStore({ dir });
  } else store = createMemoryShardLogStore();
  const clock = new ManualClock(TEST_START);
  const options = { ...DEFAULT_KINESIS_OPTIONS, region: "us-east-1", accountId: "123456789012", enforceLimits };
  const state = new KinesisState(createMemoryKinesisMetadataStore(), store, clock, options, createLogger("silent"));
  const ctx: OpContext = { state, signal: new AbortController().signal };
  await createStream({ StreamName: "s", ShardCount: 3 }, ctx);
  clock.advance(Math.max(options.transitionDelayMs, options.consumerDelayMs) + 1);
  return ctx;
}

const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

/** PutRecords through the off-thread path: the body through a verifier that holds it whole. */
async function viaBody(ctx: OpContext, body: Buffer, expectedHex = sha256(body)): Promise<unknown> {
  const verifier = createBodyVerifier({ type: "sha256", expectedHex }, {}, { wholeBodyBytes: body.length });
  const chunks: Buffer[] = [];
  // Chunks of odd sizes, each its own buffer (as the HTTP parser gives them): the shared copy is
  // written at offsets of every alignment.
  for (let o = 0, n = 65_437; o < body.length; o += n, n = 65_531) chunks.push(Buffer.from(body.subarray(o, o + n)));
  Readable.from(chunks).pipe(verifier);
  const out = putRecordsFromBody(verifier, ctx);
  assert.ok(out !== undefined, "a large body read whole goes off-thread");
  return await out;
}

/** The records of every shard of "s", as the logs hold them. */
async function stored(ctx: OpContext): Promise<unknown[]> {
  const { state } = ctx;
  const stream = state.requireReadable("s");
  const out: unknown[] = [];
  for (const shard of state.shards(stream)) {
    const records = await (await state.log(stream, shard)).read(0n, { maxRecords: 100_000, maxBytes: 1e9 });
    out.push(records.map((r) => ({ ...r, seq: String(r.seq), data: Buffer.from(r.data).toString("base64") })));
  }
  return out;
}

function recordsBody(records: readonly object[], extra: object = { StreamName: "s" }): Buffer {
  return Buffer.from(JSON.stringify({ ...extra, Records: records }));
}

const KEYS = ["a", "partition-ключ", "🔑", "x".repeat(250), "short"];
function someRecords(count: number, size: number): object[] {
  return Array.from({ length: count }, (_v, i) => {
    const r: Record<string, string> = { Data: randomBytes(size + (i % 7)).toString("base64"), PartitionKey: `${KEYS[i % KEYS.length]}-${i}` };
    if (i % 11 === 0) r["ExplicitHashKey"] = String((BigInt(i) * 3_402_823_669_209_384_634_633_746_074_317_682n) % (1n << 128n));
    return r;
  });
}

describe("PutRecords from a body held whole", () => {
  for (const logs of ["segment", "memory"] as const) {
    for (const limits of [false, true]) {
      test(`${logs} logs, limits ${limits ? "on" : "off"}: the same answers and stored records as the usual path`, async () => {
        forgetLayouts();
        const [a, b] = await Promise.all([stateWith(logs, limits), stateWith(logs, limits)]);
        // The first call routes on this thread (no layout known), the next ones on the pool thread.
        for (let round = 0; round < 3; round++) {
          const body = recordsBody(someRecords(120, 1000 + round));
          assert.deepEqual(await viaBody(a, body), await putParsed(body, b));
        }
        // ~3.6 MB over 3 shards: with limits on, part of it is throttled (1 MiB/s per shard).
        const big = recordsBody(someRecords(450, 8000));
        const [got, want] = [(await viaBody(a, big)) as PutRecordsOutput, (await putParsed(big, b)) as PutRecordsOutput];
        assert.deepEqual(got, want);
        assert.equal((want.FailedRecordCount ?? 0) > 0, limits);
        assert.deepEqual(await stored(a), await stored(b));
      });
    }
  }

  test("plain bodies (ASCII keys, the pool thread's byte-level reader): the same answers, bytes on the wire and stored records", async () => {
    forgetLayouts();
    const [a, b] = await Promise.all([stateWith("segment", false), stateWith("segment", false)]);
    for (let round = 0; round < 4; round++) {
      const records = Array.from({ length: 500 }, (_v, i) => ({ Data: randomBytes(1000 + (i % 13)).toString("base64"), PartitionKey: `r${round}-${i}` }));
      const body = recordsBody(records);
      const [got, want] = [(await viaBody(a, body)) as PutRecordsOutput, (await putParsed(body, b)) as PutRecordsOutput];
      assert.equal(Buffer.from(serializeOperationOutput("PutRecords", got, "json") as Buffer).toString("utf8"), JSON.stringify(want));
      assert.deepEqual(got, want);
    }
    assert.deepEqual(await stored(a), await stored(b));
  });

  test("errors are the usual path's, and a bad payload hash comes before any of them", async () => {
    const [a, b] = await Promise.all([stateWith("segment", false), stateWith("segment", false)]);
    const pad = { Data: randomBytes(70 * 1024).toString("base64"), PartitionKey: "pad" };
    const bodies: Buffer[] = [
      recordsBody([pad, { Data: "abc", PartitionKey: "k" }]), // base64 of a length not a multiple of 4
      recordsBody([pad, { Data: "YWJjZA=", PartitionKey: "k" }]),
      recordsBody([pad, { Data: "YQ==", PartitionKey: "k".repeat(257) }]),
      recordsBody([pad, { Data: "YQ==", PartitionKey: "k", ExplicitHashKey: String(1n << 128n) }]),
      recordsBody([pad, { Data: "YQ==", PartitionKey: "k", ExplicitHashKey: "-1" }]),
      recordsBody([pad, { Data: "YQ==", PartitionKey: "k", ExplicitHashKey: "01" }]),
      recordsBody(Array.from({ length: 501 }, () => ({ Data: "YWJj", PartitionKey: "k".repeat(200) }))),
      recordsBody([pad, { Data: randomBytes(1024 * 1024 + 1).toString("base64"), PartitionKey: "k" }]),
      recordsBody(Array.from({ length: 6 }, () => ({ Data: randomBytes(1000 * 1000).toString("base64"), PartitionKey: "k" }))),
      recordsBody([pad], { StreamName: "missing" }),
      recordsBody([pad], { StreamARN: "arn:aws:kinesis:us-east-1:123456789012:stream/missing" }),
      recordsBody([pad], {}),
      Buffer.concat([recordsBody([pad]).subarray(0, 70_000), Buffer.from("}")]),
    ];
    for (const [i, body] of bodies.entries()) {
      assert.ok(body.length >= 64 * 1024, `body ${i} is large`);
      const usual = await putParsed(body, b).then(
        () => assert.fail(`body ${i}: the usual path accepted it`),
        (err: unknown) => err,
      );
      assert.ok(usual instanceof KinesisError, String(usual));
      await assert.rejects(viaBody(a, body), (err: unknown) => {
        assert.ok(err instanceof KinesisError, String(err));
        assert.equal(`${err.code}: ${err.message}`, `${usual.code}: ${usual.message}`, `body ${i}`);
        return true;
      });
      await assert.rejects(viaBody(a, body, sha256(Buffer.from("other"))), (err: unknown) => err instanceof AuthError && err.code === "XAmzContentSHA256Mismatch");
    }
  });

  test("a body the pool thread's reader does not take (an unknown member, escapes) is put the usual way", async () => {
    const [a, b] = await Promise.all([stateWith("segment", false), stateWith("segment", false)]);
    const data = JSON.stringify(randomBytes(70 * 1024).toString("base64"));
    for (const body of [
      Buffer.from(`{"StreamName":"s","Records":[{"Data":${data},"PartitionKey":"k","Unknown":1}]}`),
      Buffer.from(`{"StreamName":"s","Records":[{"Data":${data},"PartitionKey":"k\u0041"}]}`),
    ]) {
      assert.deepEqual(await viaBody(a, body), await putParsed(body, b));
    }
    assert.deepEqual(await stored(a), await stored(b));
  });
});
