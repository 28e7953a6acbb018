import assert from "node:assert/strict";
import { test } from "node:test";
import { EventStreamDecoder, encodeError, encodeEvent, encodeException, headerString } from "./event-stream.js";

test("an event survives encode -> decode with its headers and payload", () => {
  const payload = Buffer.from(JSON.stringify({ Records: [] }));
  const bytes = encodeEvent("SubscribeToShardEvent", payload, "application/json");
  const [msg] = new EventStreamDecoder().push(bytes);
  assert.ok(msg);
  assert.equal(headerString(msg.headers, ":message-type"), "event");
  assert.equal(headerString(msg.headers, ":event-type"), "SubscribeToShardEvent");
  assert.equal(headerString(msg.headers, ":content-type"), "application/json");
  assert.equal(Buffer.from(msg.body).toString(), '{"Records":[]}');
});

test("the frame starts with its total length and headers length (big-endian) and a prelude CRC", () => {
  const bytes = Buffer.from(encodeEvent("e", new Uint8Array([1, 2, 3]), "application/octet-stream"));
  assert.equal(bytes.readUInt32BE(0), bytes.length);
  const headersLength = bytes.readUInt32BE(4);
  // 12-byte prelude + headers + payload + 4-byte message CRC
  assert.equal(bytes.length, 12 + headersLength + 3 + 4);
});

test("the decoder reassembles messages split across arbitrary chunks", () => {
  const a = encodeEvent("one", Buffer.from("first"), "text/plain");
  const b = encodeException("ResourceNotFoundException", Buffer.from('{"message":"gone"}'), "application/json");
  const c = encodeError("InternalFailure", "boom");
  const all = Buffer.concat([a, b, c]);
  const decoder = new EventStreamDecoder();
  const got = [];
  for (let i = 0; i < all.length; i += 7) got.push(...decoder.push(all.subarray(i, i + 7)));
  assert.equal(got.length, 3);
  assert.equal(decoder.bufferedBytes, 0);
  assert.equal(headerString(got[1]!.headers, ":exception-type"), "ResourceNotFoundException");
  assert.equal(headerString(got[2]!.headers, ":error-code"), "InternalFailure");
  assert.equal(headerString(got[2]!.headers, ":error-message"), "boom");
});

test("a corrupted frame is rejected", () => {
  const bytes = Buffer.from(encodeEvent("e", Buffer.from("payload"), "text/plain"));
  bytes[bytes.length - 6] = (bytes[bytes.length - 6] ?? 0) ^ 0xff;
  assert.throws(() => new EventStreamDecoder().push(bytes));
});
