import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toXml, xmlElement } from "../../../protocols/xml/xml-writer.js";
import type { ListObjectsPage, StoredVersion } from "../../../storage/objects/object-store.js";
import { commonPrefixEntry, deleteMarkerEntry, keyEncoder, objectEntry, s3UrlEncode, versionEntry } from "../shapes/listing-xml.js";
import type { S3Env } from "../request.js";
import { S3_XMLNS } from "../shapes/owner.js";
import {
  commonPrefixXml,
  contentsWriter,
  DocumentBuffer,
  fastUrlEncode,
  listingDocument,
  listingDocumentAfter,
  listingKeyEncoder,
  newVersionFormats,
  writeObjectEntries,
  versionEntryXml,
} from "./list-result-xml.js";

// Keys and values that exercise every escape: markup characters, quotes, CR, control characters,
// tab/newline (kept), non-ASCII, astral characters, spaces and '+' (URL-encoded).
const KEYS = ["plain/key.txt", "a&b<c>d\"e'f", "cr\rlf\n tab\t", "ctl\u0001\u0008\u000b\u000c\u001f", "é/ü/日本", "😀 emoji+plus", "*-_./~%"];
const ETAGS = ['"d41d8cd98f00b204e9800998ecf8427e"', '"0123456789abcdef0123456789abcdef-12"', "unquoted", '"with"quote"', '"amp&"'];

function version(i: number, over: Partial<StoredVersion> = {}): StoredVersion {
  return {
    bucket: "b",
    key: KEYS[i % KEYS.length]!,
    versionId: i % 2 === 0 ? "null" : `v${i}&<`,
    isLatest: i % 3 === 0,
    isDeleteMarker: false,
    size: i * 1000,
    etag: ETAGS[i % ETAGS.length]!,
    // Neighbours share a time now and then, as the formatter's cache expects.
    lastModified: 1_700_000_000_000 + Math.floor(i / 2) * 1234,
    storageClass: i % 4 === 0 ? "STANDARD" : "GLACIER_IR",
    ownerAccountId: i % 5 === 0 ? "000000000000" : "123456789012",
    headers: {},
    userMetadata: {},
    checksum: i % 3 === 1 ? { algorithm: "CRC32", value: "AAAAAA==", type: "FULL_OBJECT" } : undefined,
    tags: [],
    data: { kind: "none" },
    ...over,
  };
}

/** What `write` puts into a document buffer (started small, so that it grows), as text. */
function written(write: (out: DocumentBuffer) => void): string {
  const out = new DocumentBuffer(16);
  write(out);
  return out.bytes().toString("utf8");
}

describe("listing result XML", () => {
  it("writes Contents and CommonPrefixes exactly as the generic writer does", () => {
    const objects = Array.from({ length: 40 }, (_, i) => version(i));
    const page: ListObjectsPage = {
      entries: [...objects.map((object) => ({ object })), { prefix: "p&<>/" }, { prefix: "é x+/" }],
      isTruncated: false,
      resumeAfter: undefined,
    };
    for (const url of [false, true]) {
      for (const withOwner of [false, true]) {
        const encode = keyEncoder(url);
        const expected =
          objects.map((o) => xmlElement("Contents", objectEntry(o, encode, withOwner))).join("") +
          xmlElement("CommonPrefixes", commonPrefixEntry("p&<>/", encode)) +
          xmlElement("CommonPrefixes", commonPrefixEntry("é x+/", encode));
        const got = written((out) => writeObjectEntries(out, page, listingKeyEncoder(url), withOwner));
        assert.equal(got, expected, `url=${url} owner=${withOwner}`);
      }
    }
  });

  it("writes Version and DeleteMarker entries exactly as the generic writer does", () => {
    for (const url of [false, true]) {
      const encode = keyEncoder(url);
      const f = newVersionFormats();
      for (let i = 0; i < 30; i++) {
        const v = version(i, { isDeleteMarker: i % 4 === 2 });
        const expected = v.isDeleteMarker ? xmlElement("DeleteMarker", deleteMarkerEntry(v, encode)) : xmlElement("Version", versionEntry(v, encode));
        assert.equal(versionEntryXml(v, listingKeyEncoder(url), f), expected);
      }
      assert.equal(commonPrefixXml("a b/", listingKeyEncoder(url)), xmlElement("CommonPrefixes", commonPrefixEntry("a b/", encode)));
    }
  });

  it("writes runs of entries sharing an ETag, storage class, owner or checksum kind as the generic writer does", () => {
    // Runs of equal values that end at different entries, so each memo is reused and then refreshed
    // while the others are not (ETag, checksum, storage class, owner, and all four together).
    const etags = ['"aaaa"', '"aaaa"', '"aaaa"', '"bb-2"', '"bb-2"', "é&<x>", "é&<x>", '"aaaa"'];
    const checksums: StoredVersion["checksum"][] = [
      undefined,
      { algorithm: "CRC32", value: "A", type: "FULL_OBJECT" },
      { algorithm: "CRC32", value: "B", type: "FULL_OBJECT" },
      { algorithm: "CRC32", value: "B", type: "COMPOSITE" },
      { algorithm: "SHA256", value: "C", type: "COMPOSITE" },
      undefined,
    ];
    const objects = Array.from({ length: 60 }, (_, i) =>
      version(i, {
        key: `k${String(i).padStart(2, "0")}é &`,
        etag: etags[Math.floor(i / 2) % etags.length]!,
        checksum: checksums[Math.floor(i / 3) % checksums.length],
        storageClass: Math.floor(i / 5) % 2 === 0 ? "STANDARD" : "INTELLIGENT_TIERING",
        ownerAccountId: Math.floor(i / 7) % 2 === 0 ? "111111111111" : "222222222222",
        lastModified: 1_700_000_000_000 + Math.floor(i / 4) * 61_001,
        isDeleteMarker: i % 11 === 10,
      }),
    );
    const page: ListObjectsPage = { entries: objects.map((object) => ({ object })), isTruncated: false, resumeAfter: undefined };
    for (const url of [false, true]) {
      const encode = keyEncoder(url);
      for (const withOwner of [false, true]) {
        const got = written((out) => writeObjectEntries(out, page, listingKeyEncoder(url), withOwner));
        assert.equal(got, objects.map((o) => xmlElement("Contents", objectEntry(o, encode, withOwner))).join(""), `url=${url} owner=${withOwner}`);
      }
      const f = newVersionFormats();
      const versions = objects.map((v) => versionEntryXml(v, listingKeyEncoder(url), f)).join("");
      const expected = objects.map((v) => (v.isDeleteMarker ? xmlElement("DeleteMarker", deleteMarkerEntry(v, encode)) : xmlElement("Version", versionEntry(v, encode)))).join("");
      assert.equal(versions, expected, `versions url=${url}`);
    }
  });

  it("URL-encodes as S3 does, with all-safe keys returned as they are", () => {
    for (const k of [...KEYS, "", "abc/DEF-_.*", "a b", "a+b", "a%b", "a~b"]) assert.equal(fastUrlEncode(k), s3UrlEncode(k), k);
  });

  it("writes the whole document as UTF-8 into a buffer that grows past its first guess", () => {
    const env = { ctx: { requestId: "R", extendedRequestId: "X" } } as unknown as S3Env;
    const head = { Name: "b", Prefix: "é&", IsTruncated: false };
    const pieces = Array.from({ length: 500 }, (_, i) => `<Contents><Key>${"日本😀é".repeat(i % 7)}${i}</Key></Contents>`);
    const res = listingDocument(env, "ListBucketResult", head, 1, (out) => pieces.forEach((p) => out.write(p)));
    const doc = toXml("ListBucketResult", head, S3_XMLNS);
    const expected = doc.slice(0, doc.length - "</ListBucketResult>".length) + pieces.join("") + "</ListBucketResult>";
    assert.ok(res.body instanceof Uint8Array);
    assert.equal(Buffer.from(res.body).toString("utf8"), expected);
    assert.equal(res.headers?.["content-type"], "application/xml");
  });

  it("writes Last-Modified as toISOString does, across minutes, years and the epoch", () => {
    const times = [0, -1, 59_999, 60_000, 1_795_290_309_753, 1_795_290_309_007, 1_795_290_360_000, -62_198_755_200_001, 253_402_300_800_000, 8_640_000_000_000_000];
    for (let i = 0; i < 2000; i++) times.push(1_700_000_000_000 + Math.floor(i * 7919.3));
    const f = newVersionFormats();
    for (const ms of times) assert.equal(f.lastModified(ms), new Date(ms).toISOString(), String(ms));
    // The Contents writer formats the time from its own pieces.
    const objects = times.map((lastModified, i) => version(i, { lastModified }));
    const got = written((out) => {
      const write = contentsWriter(out, listingKeyEncoder(false), false);
      for (const o of objects) write(o.key, o.lastModified, o.etag, o.size, o);
    });
    assert.equal(got, objects.map((o) => xmlElement("Contents", objectEntry(o, keyEncoder(false), false))).join(""));
  });

  it("writes sizes and keys of every shape as the generic writer does, text written before and after them in order", () => {
    const sizes = [0, 9, 10, 99, 1234567, 5 * 1024 ** 4, Number.MAX_SAFE_INTEGER, 2 ** 60, 0.5, -1];
    const keys = [...KEYS, "", "x".repeat(1024), "é".repeat(600), "😀".repeat(300), "a&".repeat(400), "\u007f\u0080\u07ff\u0800\uffff"];
    const objects = keys.flatMap((key, i) => sizes.map((size, j) => version(i * sizes.length + j, { key, size })));
    for (const url of [false, true]) {
      const encode = keyEncoder(url);
      const got = written((out) => {
        out.write("<Head>é</Head>");
        const write = contentsWriter(out, listingKeyEncoder(url), true);
        for (const [i, o] of objects.entries()) {
          write(o.key, o.lastModified, o.etag, o.size, o);
          if (i % 17 === 0) out.write(`<Between>${i}😀</Between>`);
        }
        out.write("</Tail>");
      });
      let expected = "<Head>é</Head>";
      for (const [i, o] of objects.entries()) {
        expected += xmlElement("Contents", objectEntry(o, encode, true));
        if (i % 17 === 0) expected += `<Between>${i}😀</Between>`;
      }
      assert.equal(got, expected + "</Tail>", `url=${url}`);
    }
  });

  it("writes the head in front of entries written first, in place or, when longer than the room left, copied", () => {
    const env = { ctx: { requestId: "R", extendedRequestId: "X" } } as unknown as S3Env;
    const pieces = Array.from({ length: 300 }, (_, i) => `<Contents><Key>${"日本😀é".repeat(i % 7)}${i}</Key></Contents>`);
    for (const prefix of ["é&", "p/".repeat(2000)]) {
      const head = { Name: "b", Prefix: prefix, KeyCount: pieces.length };
      const res = listingDocumentAfter(env, "ListBucketResult", 100, (out) => pieces.forEach((p) => out.write(p)), () => head);
      const doc = toXml("ListBucketResult", head, S3_XMLNS);
      const expected = doc.slice(0, doc.length - "</ListBucketResult>".length) + pieces.join("") + "</ListBucketResult>";
      assert.ok(res.body instanceof Uint8Array);
      assert.equal(Buffer.from(res.body).toString("utf8"), expected);
    }
  });
});
