import assert from "node:assert/strict";
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { writeResponse } from "../../server/write-response.js";
import { ANSWER_CHUNK_BYTES, ChunkedAnswer, type ChunkFiller } from "./chunked-answer.js";

/** Writes `total` bytes of a known pattern, at most `piece` bytes per piece, one piece of `big` bytes in the middle. */
class PatternFiller implements ChunkFiller {
  done = false;
  needBytes = 0;
  released = 0;
  chunks = new Set<ArrayBufferLike>();
  #at = 0;

  constructor(
    readonly total: number,
    readonly piece: number,
    readonly big: number,
  ) {}

  async fill(out: Buffer): Promise<number> {
    await Promise.resolve();
    this.chunks.add(out.buffer);
    let off = 0;
    while (this.#at < this.total) {
      const size = Math.min(this.#at === this.piece * 3 ? this.big : this.piece, this.total - this.#at);
      if (off + size > out.length) {
        if (off > 0) return off;
        this.needBytes = size;
        return 0;
      }
      for (let i = 0; i < size; i++) out[off + i] = (this.#at + i) % 251;
      off += size;
      this.#at += size;
    }
    this.done = true;
    return off;
  }

  release(): void {
    this.released++;
  }
}

function expected(total: number): Buffer {
  const b = Buffer.alloc(total);
  for (let i = 0; i < total; i++) b[i] = i % 251;
  return b;
}

async function serve(handler: (res: http.ServerResponse) => Promise<void>): Promise<{ url: string; close: () => Promise<void>; errors: unknown[] }> {
  const errors: unknown[] = [];
  const server = http.createServer((_req, res) => {
    handler(res).catch((err: unknown) => {
      errors.push(err);
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    errors,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test("a chunked answer written by the server: the same bytes, a few chunk buffers reused, a piece bigger than a chunk", async () => {
  const total = 40 * ANSWER_CHUNK_BYTES + 12_345;
  const filler = new PatternFiller(total, 1000, ANSWER_CHUNK_BYTES + 5000);
  let done: Promise<void> | undefined;
  const srv = await serve(async (res) => {
    done = writeResponse(res, { status: 200, headers: { "content-length": total }, body: new ChunkedAnswer(filler) }, false, false);
    await done;
  });
  try {
    const got = Buffer.from(await (await fetch(srv.url)).arrayBuffer());
    await done;
    assert.equal(got.length, total);
    assert.ok(got.equals(expected(total)));
    assert.equal(filler.released > 0, true);
    assert.deepEqual(srv.errors, []);
    // 41+ chunks went out through a handful of buffers (plus the one of its own for the big piece).
    assert.ok(filler.chunks.size <= 5, `${filler.chunks.size} chunk buffers`);
  } finally {
    await srv.close();
  }
});

test("a chunked answer whose client goes away: writing stops with an error and the filler is released", async () => {
  const total = 200 * ANSWER_CHUNK_BYTES;
  const filler = new PatternFiller(total, 4000, 4000);
  let settled: Promise<unknown> | undefined;
  const srv = await serve(async (res) => {
    settled = writeResponse(res, { status: 200, headers: { "content-length": total }, body: new ChunkedAnswer(filler) }, false, false)!.then(
      () => "finished",
      (err: unknown) => err,
    );
    await settled;
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const req = http.get(srv.url, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", () => undefined);
      req.on("close", resolve);
      setTimeout(() => reject(new Error("no data")), 10_000).unref();
    });
    const deadline = Date.now() + 10_000;
    while (settled === undefined && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    const outcome = await settled;
    assert.ok(outcome instanceof Error, `writing ended with ${String(outcome)}`);
    assert.ok(filler.released > 0);
    assert.equal(filler.done, false);
  } finally {
    await srv.close();
  }
});

test("a chunked answer read as a stream gives the same bytes", async () => {
  const total = 3 * ANSWER_CHUNK_BYTES + 77;
  const filler = new PatternFiller(total, 999, ANSWER_CHUNK_BYTES * 2);
  const parts: Buffer[] = [];
  for await (const chunk of new ChunkedAnswer(filler)) parts.push(chunk as Buffer);
  assert.ok(Buffer.concat(parts).equals(expected(total)));
  assert.ok(filler.released > 0);
});

test("a chunked answer written to an HTTP/2 response: the same bytes", async () => {
  const total = 9 * ANSWER_CHUNK_BYTES + 321;
  const filler = new PatternFiller(total, 1500, 1500);
  let written: Promise<unknown> | undefined;
  const server = http2.createServer((_req, res) => {
    written = writeResponse(res, { status: 200, headers: { "content-length": total }, body: new ChunkedAnswer(filler) }, false, true)!.then(
      () => "finished",
      (err: unknown) => err,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    const parts: Buffer[] = [];
    const req = client.request({ ":path": "/" });
    for await (const chunk of req) parts.push(chunk as Buffer);
    assert.ok(Buffer.concat(parts).equals(expected(total)));
    assert.equal(await written, "finished");
    assert.ok(filler.released > 0);
  } finally {
    client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
