import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, beforeEach, describe, it } from "node:test";
import { BucketNotEmptyError, NoSuchBucketError, type DataRef, type ObjectStore, type ObjectVersion, type PartRef } from "./object-store.js";
import { createSqliteObjectStore } from "./sqlite-object-store.js";
import { testVersion } from "./test-version.js";
import { NoSuchUploadError, PartChangedError, type PartRecord, type UploadRecord } from "./upload-store.js";

const OWNER = "000000000000";
const dir = mkdtempSync(join(tmpdir(), "streamlake-uploads-"));
let n = 0;
let store: ObjectStore;
let path: string;

after(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => {
  n += 1;
  path = join(dir, `s3-${n}.db`);
  store = createSqliteObjectStore(path);
  await store.createBucket({ name: "b", ownerAccountId: OWNER, region: "us-east-1", createdAt: 0, versioning: "Unversioned" });
});

let ids = 0;
const uploadId = (time: number): string => `${time.toString(16).padStart(12, "0")}u${(ids++).toString().padStart(6, "0")}`;

function upload(key: string, id: string, extra: Partial<UploadRecord> = {}): UploadRecord {
  return {
    bucket: "b",
    key,
    uploadId: id,
    initiated: 1000,
    ownerAccountId: OWNER,
    storageClass: "STANDARD",
    headers: { "content-type": "text/plain" },
    userMetadata: { a: "1" },
    tags: [["t", "v"]],
    checksum: { algorithm: "CRC32", type: "COMPOSITE" },
    ...extra,
  };
}

const part = (partNumber: number, blobId: string, size = 10): PartRecord => ({
  partNumber,
  blobId,
  size,
  etag: `"etag-${blobId}"`,
  lastModified: 2000,
  checksum: { algorithm: "CRC32", value: `crc-${blobId}` },
});

const toRef = (p: PartRecord): PartRef => ({ blobId: p.blobId, size: p.size, partNumber: p.partNumber, etag: p.etag, checksum: p.checksum?.value });

function versionOf(key: string, parts: PartRecord[], versionId = "null"): ObjectVersion {
  const size = parts.reduce((s, p) => s + p.size, 0);
  return testVersion({ bucket: "b", key, ownerAccountId: OWNER, versionId, size, etag: `"x-${parts.length}"`, lastModified: 5000, data: { kind: "parts", parts: parts.map(toRef) } });
}

const blobIds = (refs: readonly DataRef[]): string[] =>
  refs.flatMap((r) => (r.kind === "blob" ? [r.blobId] : r.kind === "parts" ? r.parts.map((p) => p.blobId) : [])).sort();

describe("SQLite multipart uploads", () => {
  it("stores an upload with what the object will carry, and survives a reopen", async () => {
    const id = uploadId(1);
    await store.createUpload(upload("k", id));
    await store.putPart("b", "k", id, part(1, "p1"));
    await store.close();
    store = createSqliteObjectStore(path);
    const u = store.getUpload("b", "k", id);
    assert.deepEqual(u, upload("k", id));
    assert.deepEqual(store.listParts("b", "k", id, 0, 10), [part(1, "p1")]);
    assert.equal(store.getUpload("b", "other-key", id), undefined, "an upload id only answers for its own key");
    await assert.rejects(store.createUpload({ ...upload("k", uploadId(2)), bucket: "nope" }), NoSuchBucketError);
  });

  it("replacing a part releases the old blob; a part for a missing upload is refused", async () => {
    const id = uploadId(1);
    await store.createUpload(upload("k", id));
    assert.deepEqual((await store.putPart("b", "k", id, part(3, "old"))).released, []);
    assert.deepEqual(blobIds((await store.putPart("b", "k", id, part(3, "new"))).released), ["old"]);
    assert.equal(store.isBlobReferenced("old"), false);
    assert.equal(store.isBlobReferenced("new"), true, "an incomplete upload's part counts as referenced");
    await assert.rejects(store.putPart("b", "k", "missing", part(1, "x")), NoSuchUploadError);
  });

  it("lists parts in number order, paged after a part number", async () => {
    const id = uploadId(1);
    await store.createUpload(upload("k", id));
    for (const p of [7, 2, 10000, 5, 1]) await store.putPart("b", "k", id, part(p, `p${p}`));
    assert.deepEqual(store.listParts("b", "k", id, 0, 3).map((p) => p.partNumber), [1, 2, 5]);
    assert.deepEqual(store.listParts("b", "k", id, 5, 3).map((p) => p.partNumber), [7, 10000]);
    assert.throws(() => store.listParts("b", "k", "missing", 0, 3), NoSuchUploadError);
  });

  it("lists uploads by key bytes then initiation, with prefix, delimiter and both markers", async () => {
    const made: Array<[string, string]> = [];
    // "a\uffff" sorts after "a\u{1F600}" in UTF-16 but before it in UTF-8 bytes (S3's order).
    for (const [key, t] of [["a/1", 3], ["a/2", 1], ["b", 5], ["b", 2], ["a\u{1F600}", 1], ["a\uffff", 1], ["c/d/e", 1], ["c/f", 1]] as const) {
      const id = uploadId(t);
      made.push([key, id]);
      await store.createUpload({ ...upload(key, id), initiated: t });
    }
    const all = store.listUploads("b", { prefix: "", delimiter: "", keyMarker: undefined, uploadIdMarker: undefined, maxUploads: 100 });
    const keys = all.entries.map((e) => ("upload" in e ? e.upload.key : e.prefix));
    assert.deepEqual(keys, ["a/1", "a/2", "a\uffff", "a\u{1F600}", "b", "b", "c/d/e", "c/f"]);
    const bIds = all.entries.flatMap((e) => ("upload" in e && e.upload.key === "b" ? [e.upload.initiated] : []));
    assert.deepEqual(bIds, [2, 5], "the uploads of one key come oldest first");
    assert.equal(all.isTruncated, false);

    const page1 = store.listUploads("b", { prefix: "", delimiter: "", keyMarker: undefined, uploadIdMarker: undefined, maxUploads: 5 });
    assert.equal(page1.isTruncated, true);
    assert.equal(page1.nextKeyMarker, "b");
    const page2 = store.listUploads("b", { prefix: "", delimiter: "", keyMarker: page1.nextKeyMarker, uploadIdMarker: page1.nextUploadIdMarker, maxUploads: 5 });
    assert.deepEqual(page2.entries.map((e) => ("upload" in e ? `${e.upload.key}@${e.upload.initiated}` : e.prefix)), ["b@5", "c/d/e@1", "c/f@1"]);
    assert.equal(page2.isTruncated, false);

    const keyOnly = store.listUploads("b", { prefix: "", delimiter: "", keyMarker: "b", uploadIdMarker: undefined, maxUploads: 10 });
    assert.deepEqual(keyOnly.entries.map((e) => ("upload" in e ? e.upload.key : "")), ["c/d/e", "c/f"], "key-marker alone skips the whole key");

    const delimited = store.listUploads("b", { prefix: "", delimiter: "/", keyMarker: undefined, uploadIdMarker: undefined, maxUploads: 3 });
    assert.deepEqual(delimited.entries.map((e) => ("upload" in e ? e.upload.key : `P:${e.prefix}`)), ["P:a/", "a\uffff", "a\u{1F600}"]);
    const next = store.listUploads("b", { prefix: "", delimiter: "/", keyMarker: delimited.nextKeyMarker, uploadIdMarker: delimited.nextUploadIdMarker, maxUploads: 3 });
    assert.deepEqual(next.entries.map((e) => ("upload" in e ? e.upload.key : `P:${e.prefix}`)), ["b", "b", "P:c/"]);
    const afterPrefix = store.listUploads("b", { prefix: "", delimiter: "/", keyMarker: "a/", uploadIdMarker: undefined, maxUploads: 1 });
    assert.deepEqual(afterPrefix.entries.map((e) => ("upload" in e ? e.upload.key : `P:${e.prefix}`)), ["a\uffff"], "a marker naming a common prefix skips it");

    const prefixed = store.listUploads("b", { prefix: "c/", delimiter: "/", keyMarker: undefined, uploadIdMarker: undefined, maxUploads: 10 });
    assert.deepEqual(prefixed.entries.map((e) => ("upload" in e ? e.upload.key : `P:${e.prefix}`)), ["P:c/d/", "c/f"]);
    assert.equal(made.length, 8);
  });

  it("completes atomically: the version holds the parts, leftovers are released, a retry is remembered", async () => {
    const id = uploadId(1);
    await store.createUpload(upload("k", id));
    const p1 = part(1, "b1");
    const p2 = part(2, "b2");
    const p3 = part(3, "b3");
    for (const p of [p1, p2, p3]) await store.putPart("b", "k", id, p);
    const v = versionOf("k", [p1, p3]);
    const result = await store.completeUpload({ uploadId: id, version: v, partsDigest: "d1", forgetBefore: 0 });
    assert.deepEqual(blobIds(result.released), ["b2"]);
    const got = store.getVersion("b", "k");
    assert.ok(got !== undefined);
    assert.deepEqual(got.data, v.data);
    assert.equal(store.getUpload("b", "k", id), undefined);
    assert.equal(store.isBlobReferenced("b1"), true, "a multipart object's part counts as referenced");
    assert.equal(store.isBlobReferenced("b2"), false);
    assert.deepEqual(store.getCompletedUpload("b", "k", id)?.partsDigest, "d1");
    await assert.rejects(store.completeUpload({ uploadId: id, version: v, partsDigest: "d1", forgetBefore: 0 }), NoSuchUploadError);
    const listed = store.listObjects("b", { prefix: "", delimiter: "", after: undefined, maxKeys: 10 });
    assert.deepEqual(listed.entries.map((e) => ("object" in e ? e.object.key : e.prefix)), ["k"]);

    // Overwriting the object releases every part blob it held.
    const put = await store.putVersion({ ...v, etag: '"plain"', data: { kind: "inline", bytes: Buffer.from("x") } });
    assert.deepEqual(blobIds(put.released), ["b1", "b3"]);
    assert.equal(store.isBlobReferenced("b1"), false);
  });

  it("refuses a completion whose part changed meanwhile, and keeps the upload when a precondition fails", async () => {
    const id = uploadId(1);
    await store.createUpload(upload("k", id));
    const p1 = part(1, "first");
    await store.putPart("b", "k", id, p1);
    await store.putPart("b", "k", id, part(1, "second"));
    await assert.rejects(store.completeUpload({ uploadId: id, version: versionOf("k", [p1]), partsDigest: "d", forgetBefore: 0 }), PartChangedError);
    const boom = new Error("precondition");
    const current = part(1, "second");
    await assert.rejects(
      store.completeUpload({
        uploadId: id,
        version: versionOf("k", [current]),
        partsDigest: "d",
        forgetBefore: 0,
        precondition: () => {
          throw boom;
        },
      }),
      boom,
    );
    assert.ok(store.getUpload("b", "k", id) !== undefined);
    assert.equal(store.getVersion("b", "k"), undefined);
  });

  it("deleting a multipart version releases its parts; abort releases every part", async () => {
    const id = uploadId(1);
    await store.createUpload(upload("k", id));
    const p1 = part(1, "d1");
    await store.putPart("b", "k", id, p1);
    await store.completeUpload({ uploadId: id, version: versionOf("k", [p1]), partsDigest: "d", forgetBefore: 0 });
    const del = await store.deleteVersion("b", "k", "null");
    assert.ok(del !== undefined);
    assert.deepEqual(blobIds(del.released), ["d1"]);
    assert.equal(store.isBlobReferenced("d1"), false);

    const id2 = uploadId(2);
    await store.createUpload(upload("k2", id2));
    await store.putPart("b", "k2", id2, part(1, "a1"));
    await store.putPart("b", "k2", id2, part(2, "a2"));
    assert.deepEqual(blobIds((await store.abortUpload("b", "k2", id2)).released), ["a1", "a2"]);
    await assert.rejects(store.abortUpload("b", "k2", id2), NoSuchUploadError);
  });

  it("forgets completion records older than asked", async () => {
    const id = uploadId(1);
    await store.createUpload(upload("k", id));
    const p1 = part(1, "f1");
    await store.putPart("b", "k", id, p1);
    await store.completeUpload({ uploadId: id, version: { ...versionOf("k", [p1]), lastModified: 100 }, partsDigest: "d", forgetBefore: 0 });
    const id2 = uploadId(2);
    await store.createUpload(upload("k", id2));
    const p2 = part(1, "f2");
    await store.putPart("b", "k", id2, p2);
    await store.completeUpload({ uploadId: id2, version: { ...versionOf("k", [p2]), lastModified: 500 }, partsDigest: "d", forgetBefore: 200 });
    assert.equal(store.getCompletedUpload("b", "k", id), undefined);
    assert.ok(store.getCompletedUpload("b", "k", id2) !== undefined);
  });

  it("a bucket with only incomplete uploads is deleted with them; one with objects is not", async () => {
    const done = uploadId(0);
    await store.createUpload(upload("gone", done));
    const p0 = part(1, "z0");
    await store.putPart("b", "gone", done, p0);
    await store.completeUpload({ uploadId: done, version: versionOf("gone", [p0]), partsDigest: "d", forgetBefore: 0 });
    await store.deleteVersion("b", "gone", "null");
    const id = uploadId(1);
    await store.createUpload(upload("k", id));
    await store.putPart("b", "k", id, part(1, "z1"));
    assert.deepEqual(blobIds((await store.deleteBucket("b")).released), ["z1"]);
    assert.equal(store.getBucket("b"), undefined);
    assert.equal(store.isBlobReferenced("z1"), false);
    assert.equal(store.getCompletedUpload("b", "gone", done), undefined, "completion records go with the bucket");

    await store.createBucket({ name: "c", ownerAccountId: OWNER, region: "us-east-1", createdAt: 0, versioning: "Unversioned" });
    await store.putVersion({ ...versionOf("k", []), bucket: "c", data: { kind: "inline", bytes: Buffer.from("x") } });
    await assert.rejects(store.deleteBucket("c"), BucketNotEmptyError);
  });
});
