import { test } from "node:test";
import assert from "node:assert/strict";
import { authenticate } from "./index.js";
import { deriveSigningKey } from "./signing.js";
import { sdkSign, secrets } from "./test-support.js";
import { formatAmzDate, parseAmzDate, parseHttpDate } from "./timestamps.js";
import { canonicalQuery, canonicalUriCandidates, normalizePath, percentDecode, uriEncode } from "./uri-encode.js";

test("AWS URI encoding", () => {
  assert.equal(uriEncode("A-Za-z0-9_.~", false), "A-Za-z0-9_.~");
  assert.equal(uriEncode("a b+c/d*!'()", false), "a%20b%2Bc%2Fd%2A%21%27%28%29");
  assert.equal(uriEncode("a b/c", true), "a%20b/c");
  assert.equal(uriEncode("ü€🎉", false), "%C3%BC%E2%82%AC%F0%9F%8E%89");
  assert.deepEqual([...percentDecode("%41%4a%zz%4%")], [0x41, 0x4a, 0x25, 0x7a, 0x7a, 0x25, 0x34, 0x25]);
  assert.equal(percentDecode("a+b").toString(), "a+b");
});

test("canonical query", () => {
  assert.equal(canonicalQuery("b=2&a=1&a=0&c"), "a=0&a=1&b=2&c=");
  assert.equal(canonicalQuery("x=%7e%2f&y=a b"), "x=~%2F&y=a%20b");
  assert.equal(canonicalQuery("X-Amz-Signature=abc&k=v", "X-Amz-Signature"), "k=v");
  assert.equal(canonicalQuery("p=a+b"), "p=a%2Bb");
  assert.equal(canonicalQuery("p=a+b", undefined, true), "p=a%20b");
  assert.equal(canonicalQuery("&&a=1&"), "a=1");
  // Sorted by encoded bytes: upper case before lower case, '-' before letters.
  assert.equal(canonicalQuery("b=1&B=1&a-b=1&a=1"), "B=1&a=1&a-b=1&b=1");
});

test("canonical URI candidates: S3 as sent, others normalized and encoded twice", () => {
  assert.deepEqual(canonicalUriCandidates("/b/a%20b", false), ["/b/a%20b"]);
  assert.deepEqual(canonicalUriCandidates("/b/it's", false), ["/b/it's", "/b/it%27s"]);
  assert.deepEqual(canonicalUriCandidates("", false), ["/"]);
  assert.deepEqual(canonicalUriCandidates("/a//b", false), ["/a//b"]);
  assert.deepEqual(canonicalUriCandidates("/f/my%3Afn", true), ["/f/my%253Afn"]);
  assert.deepEqual(canonicalUriCandidates("/a//b/./c/../d/", true), ["/a/b/d/"]);
  assert.equal(normalizePath("/../a"), "/a");
});

test("timestamps", () => {
  assert.equal(parseAmzDate("20130524T000000Z"), Date.UTC(2013, 4, 24));
  assert.equal(parseAmzDate("20130230T000000Z"), undefined);
  assert.equal(parseAmzDate("20130524T250000Z"), undefined);
  assert.equal(parseAmzDate("2013-05-24T00:00:00Z"), undefined);
  assert.equal(formatAmzDate(Date.UTC(2013, 4, 24)), "20130524T000000Z");
  const t = Date.UTC(2007, 2, 27, 19, 36, 42);
  assert.equal(parseHttpDate("Tue, 27 Mar 2007 19:36:42 GMT"), t);
  assert.equal(parseHttpDate("Tue, 27 Mar 2007 19:36:42 +0000"), t);
  assert.equal(parseHttpDate("Tue, 27 Mar 2007 21:36:42 +0200"), t);
  assert.equal(parseHttpDate("Tuesday, 27-Mar-07 19:36:42 GMT"), t);
  assert.equal(parseHttpDate("Tue Mar 27 19:36:42 2007"), t);
  assert.equal(parseHttpDate("yesterday"), undefined);
});

test("a '+' on the wire may stand for a space the client signed", async () => {
  const at = Date.UTC(2026, 0, 1);
  const r = await sdkSign({ method: "GET", hostname: "s3.localhost", path: "/b", query: { prefix: "a b" } }, { at });
  assert.equal(r.rawQuery, "prefix=a%20b");
  assert.equal(authenticate({ ...r, rawQuery: "prefix=a+b" }, secrets, at).kind, "sigv4");
});

test("signing keys are derived once per secret, day, region and service", () => {
  const a = deriveSigningKey("s", "20260101", "us-east-1", "s3");
  assert.equal(deriveSigningKey("s", "20260101", "us-east-1", "s3"), a);
  assert.notEqual(deriveSigningKey("s", "20260102", "us-east-1", "s3"), a);
  assert.equal(a.toString("hex").length, 64);
});
