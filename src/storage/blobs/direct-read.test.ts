import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { EventEmitter } from "node:events";
import { SLAB_SEGMENTS, idleSlabCount } from "./block-reader.js";
import { directReadSpans, directReadStream } from "./direct-read.js";
import type { ResponseSink } from "../../util/response-sink.js";

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts);
}

describe("direct read stream", () => {
  const dir = mkdtempSync(join(tmpdir(), "streamlake-direct-read-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const MiB = 1 << 20;
  const bytes = randomBytes(3 * MiB + 5_000);
  const path = join(dir, "blob");
  writeFileSync(path, bytes);

  for (const [start, end] of [
    [0, bytes.length - 1],
    [1, bytes.length - 2],
    [4095, 4097],
    [MiB - 3, 2 * MiB + 3],
    [3 * MiB, bytes.length - 1],
    [2 * MiB + 12_345, Number.MAX_SAFE_INTEGER],
  ] as const) {
    test(`bytes ${start}-${end} are the file's`, async () => {
      const got = await collect(directReadStream(path, start, end));
      assert.ok(got.equals(bytes.subarray(start, Math.min(end, bytes.length - 1) + 1)));
    });
  }

  test("a stream destroyed after its first chunk closes the file and frees its segments", async () => {
    const stream = directReadStream(path, 0, bytes.length - 1);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      assert.ok(chunk.equals(bytes.subarray(0, chunk.length)));
      break;
    }
    assert.ok(stream.destroyed);
    // Another full read still works (segments were given back).
    assert.ok((await collect(directReadStream(path, 0, bytes.length - 1))).equals(bytes));
  });

  test("a missing file fails the stream", async () => {
    await assert.rejects(collect(directReadStream(join(dir, "missing"), 0, 10)), { code: "ENOENT" });
  });
});

/** A sink that keeps each chunk's bytes as they were when written and calls back only when told. */
class HoldingSink extends EventEmitter implements ResponseSink {
  readonly held: { chunk: Uint8Array; copy: Buffer; done: (err?: Error | null) => void }[] = [];
  destroyed = false;
  writableFinished = false;

  write(chunk: Uint8Array, done: (err?: Error | null) => void): boolean {
    this.held.push({ chunk, copy: Buffer.from(chunk), done });
    return false;
  }

  #ended = false;

  /** Finishes once every chunk has been called back for (as a socket does). */
  end(): void {
    this.#ended = true;
    this.#finishIfDone();
  }

  #finishIfDone(): void {
    if (!this.#ended || this.held.length > 0 || this.writableFinished) return;
    setImmediate(() => {
      this.writableFinished = true;
      this.emit("finish");
    });
  }

  /** Calls back for the oldest chunk not yet called back for, after checking its bytes are still what was written. */
  sendOne(): Buffer | undefined {
    const next = this.held.shift();
    if (next === undefined) return undefined;
    assert.ok(Buffer.from(next.chunk).equals(next.copy), "a chunk's memory changed before its write called back");
    next.done();
    this.#finishIfDone();
    return next.copy;
  }

  /** Goes away (as a socket the client closed) without calling back for what it holds. */
  close(): void {
    this.destroyed = true;
    this.emit("close");
  }
}

/** Calls back for chunks one at a time (a turn of the event loop apart), gathering their bytes, until `result` settles. */
async function drain(sink: HoldingSink, result: Promise<void>): Promise<Buffer> {
  const got: Buffer[] = [];
  let settled = false;
  const done = result.finally(() => (settled = true));
  while (!settled) {
    const sent = sink.sendOne();
    if (sent !== undefined) got.push(sent);
    await new Promise((r) => setImmediate(r));
  }
  await done;
  return Buffer.concat(got);
}

describe("direct read stream written to a sink", () => {
  const dir = mkdtempSync(join(tmpdir(), "streamlake-direct-send-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const MiB = 1 << 20;
  const a = randomBytes(9 * MiB + 777);
  const b = randomBytes(6 * MiB + 5);
  writeFileSync(join(dir, "a"), a);
  writeFileSync(join(dir, "b"), b);

  test("a segment is not read into again before its write calls back, and every byte arrives in order", async () => {
    for (const [start, end] of [
      [0, a.length - 1],
      [12_345, 7 * MiB + 3],
    ] as const) {
      const sink = new HoldingSink();
      const stream = directReadStream(join(dir, "a"), start, end);
      const got = await drain(sink, stream.writeTo(sink));
      assert.ok(got.equals(a.subarray(start, end + 1)));
      assert.ok(stream.destroyed);
    }
  });

  test("a sink closed mid-stream with writes outstanding fails the write, and its memory is never lent again", async () => {
    const stalled = new HoldingSink();
    const stream = directReadStream(join(dir, "a"), 0, a.length - 1);
    const writing = stream.writeTo(stalled);
    while (stalled.held.length < SLAB_SEGMENTS) await new Promise((r) => setImmediate(r));
    stalled.sendOne();
    while (stalled.held.length < SLAB_SEGMENTS) await new Promise((r) => setImmediate(r));
    stalled.close();
    await assert.rejects(writing, { code: "ERR_STREAM_PREMATURE_CLOSE" });
    assert.ok(stream.destroyed);
    // Two more streams, at once, read while the abandoned chunks are still held.
    const [sinkA, sinkB] = [new HoldingSink(), new HoldingSink()];
    const [gotA, gotB] = await Promise.all([
      drain(sinkA, directReadStream(join(dir, "a"), 0, a.length - 1).writeTo(sinkA)),
      drain(sinkB, directReadStream(join(dir, "b"), 3, b.length - 1).writeTo(sinkB)),
    ]);
    assert.ok(gotA.equals(a));
    assert.ok(gotB.equals(b.subarray(3)));
    for (const held of stalled.held) assert.ok(Buffer.from(held.chunk).equals(held.copy), "abandoned chunk memory was reused");
    // Its late callbacks (a socket cancelling its writes) do not hand the slab on either.
    for (const held of stalled.held.splice(0)) held.done(new Error("cancelled"));
    assert.ok(idleSlabCount() <= 1);
  });

  test("a missing file fails the write before anything is sent", async () => {
    const sink = new HoldingSink();
    await assert.rejects(directReadStream(join(dir, "missing"), 0, 10).writeTo(sink), { code: "ENOENT" });
    assert.equal(sink.held.length, 0);
  });

  test("spans of several files go out as one stream, read ahead across their boundaries, in both modes", async () => {
    const c = randomBytes(5_000);
    writeFileSync(join(dir, "c"), c);
    const spans = [
      { path: join(dir, "a"), start: 4 * MiB - 10, end: 6 * MiB + 100 },
      { path: join(dir, "c"), start: 1, end: 0 }, // empty
      { path: join(dir, "c"), start: 0, end: c.length - 1 },
      { path: join(dir, "b"), start: 123, end: 3 * MiB },
      { path: join(dir, "c"), start: 4095, end: 4096 },
      { path: join(dir, "b"), start: 0, end: b.length - 1 },
    ];
    const want = Buffer.concat([a.subarray(4 * MiB - 10, 6 * MiB + 101), c, b.subarray(123, 3 * MiB + 1), c.subarray(4095, 4097), b]);
    const openFiles = (): number => readdirSync("/proc/self/fd").length;
    const before = openFiles();
    const sink = new HoldingSink();
    assert.ok((await drain(sink, directReadSpans(spans).writeTo(sink))).equals(want));
    assert.equal(openFiles(), before, "every span's file is closed once the write settles");
    assert.ok((await collect(directReadSpans(spans))).equals(want));
    await assert.rejects(collect(directReadSpans([spans[0]!, { path: join(dir, "missing"), start: 0, end: 10 }])), { code: "ENOENT" });
  });
});
