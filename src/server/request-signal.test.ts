import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import { RequestSignal } from "./request-signal.js";

/** A response stand-in: emits 'close', finished or not. */
class FakeResponse extends EventEmitter {
  writableFinished = false;
  close(finished: boolean): void {
    this.writableFinished = finished;
    this.emit("close");
  }
}

const reasonText = (r: unknown): string => (r instanceof Error ? r.message : String(r));

test("a response closed unfinished aborts the signal, made before or after the close", () => {
  const early = new FakeResponse();
  const a = new RequestSignal(early, new AbortController().signal);
  const signal = a.signal;
  early.close(false);
  assert.equal(signal.aborted, true);
  assert.equal(reasonText(signal.reason), "client went away");

  const late = new FakeResponse();
  const b = new RequestSignal(late, new AbortController().signal);
  late.close(false);
  assert.equal(b.aborted, true);
  assert.equal(b.signal.aborted, true);
  assert.equal(reasonText(b.signal.reason), "client went away");
});

test("a finished response never aborts, even when shutdown begins afterwards", () => {
  const shutdown = new AbortController();
  const res = new FakeResponse();
  const s = new RequestSignal(res, shutdown.signal);
  res.close(true);
  shutdown.abort();
  assert.equal(s.aborted, false);
  assert.equal(s.signal.aborted, false);
});

test("shutdown while in flight aborts, whether the signal was made before or after; not when it began before arrival", () => {
  const shutdown = new AbortController();
  const watched = new RequestSignal(new FakeResponse(), shutdown.signal);
  const signal = watched.signal;
  const lazy = new RequestSignal(new FakeResponse(), shutdown.signal);
  shutdown.abort();
  assert.equal(reasonText(signal.reason), "server shutting down");
  assert.equal(lazy.aborted, true);
  assert.equal(reasonText(lazy.signal.reason), "server shutting down");

  const after = new RequestSignal(new FakeResponse(), shutdown.signal);
  assert.equal(after.aborted, false);
  assert.equal(after.signal.aborted, false);
});

test("the first reason wins: shutdown, then the response closing unfinished", () => {
  const shutdown = new AbortController();
  const res = new FakeResponse();
  const s = new RequestSignal(res, shutdown.signal);
  shutdown.abort();
  res.close(false);
  assert.equal(reasonText(s.reason), "server shutting down");
  assert.equal(reasonText(s.signal.reason), "server shutting down");
});

test("onAbort listeners run once with the reason, unless removed; none for a request already aborted", () => {
  const shutdown = new AbortController();
  const res = new FakeResponse();
  const s = new RequestSignal(res, shutdown.signal);
  const seen: string[] = [];
  s.onAbort((r) => seen.push(`kept:${r.message}`));
  const remove = s.onAbort((r) => seen.push(`removed:${r.message}`));
  remove();
  const signal = s.signal;
  shutdown.abort();
  res.close(false);
  assert.deepEqual(seen, ["kept:server shutting down"]);
  assert.equal(signal.aborted, true);

  let called = false;
  s.onAbort(() => (called = true))();
  assert.equal(called, false);
});
