// putVersion writes queued in the same turn commit as one group batch: each still behaves as if
// it ran alone, in queue order (a failing one is undone alone and fails with its own error).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { NoSuchBucketError, type ObjectStore, type ObjectVersion, type PartRef, type Precondition, type StoredVersion } from "./object-store.js";
import { createSqliteObjectStore } from "./sqlite-object-store.js";
import { testVersion } from "./test-version.js";

const OWNER = "123456789012";

class Exists extends Error {}

/** As If-None-Match: * — fails when the key has a current version that is not a delete marker. */
const ifNoneMatch: Precondition = (current) => {
  if (current !== undefined && !current.isDeleteMarker) throw new Exists(`${current.key} exists (${current.etag})`);
};

function inline(bucket: string, key: string, text: string, over: Partial<ObjectVersion> = {}): ObjectVersion {
  const bytes = Buffer.from(text);
  return testVersion({ bucket, key, ownerAccountId: OWNER, size: bytes.length, etag: `"${text.padEnd(32, "0")}"`, data: { kind: "inline", bytes }, ...over });
}

const textOf = (v: StoredVersion | undefined): string | undefined => (v?.data.kind === "inline" ? Buffer.from(v.data.bytes).toString() : undefined);

describe("putVersion batches", () => {
  let dir: string;
  let store: ObjectStore;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "streamlake-put-batch-"));
    store = createSqliteObjectStore(join(dir, "s3.db"));
    await store.createBucket({ name: "b", ownerAccountId: OWNER, region: "us-east-1", createdAt: 0, versioning: "Unversioned" });
    await store.createBucket({ name: "v", ownerAccountId: OWNER, region: "us-east-1", createdAt: 0, versioning: "Enabled" });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("conditional creates of one key in one batch: the first wins, the others fail with the precondition's error", async () => {
    const results = await Promise.allSettled(["one", "two", "three"].map((t) => store.putVersion(inline("b", "race", t), ifNoneMatch)));
    assert.equal(results[0]?.status, "fulfilled");
    for (const r of results.slice(1)) {
      assert.ok(r.status === "rejected" && r.reason instanceof Exists, "a later create fails as If-None-Match");
      assert.match((r.reason as Error).message, /^race exists \("one0/);
    }
    assert.equal(textOf(store.getVersion("b", "race", undefined)), "one");
  });

  it("a failing write is undone alone: new keys, an overwrite and versions around it commit", async () => {
    await store.putVersion(inline("b", "old", "before"), undefined);
    await store.putVersion(inline("v", "hist", "v1", { versionId: "v1" }), undefined);
    const writes = [
      store.putVersion(inline("b", "fresh-1", "a"), undefined),
      store.putVersion(inline("missing", "k", "x"), undefined),
      store.putVersion(inline("b", "old", "after"), undefined),
      store.putVersion(inline("b", "old", "refused"), ifNoneMatch),
      store.putVersion(inline("v", "hist", "v2", { versionId: "v2" }), undefined),
      store.putVersion(inline("b", "fresh-2", "b"), undefined),
    ];
    const results = await Promise.allSettled(writes);
    assert.deepEqual(
      results.map((r) => r.status),
      ["fulfilled", "rejected", "fulfilled", "rejected", "fulfilled", "fulfilled"],
    );
    assert.ok(results[1]?.status === "rejected" && results[1].reason instanceof NoSuchBucketError);
    assert.ok(results[3]?.status === "rejected" && results[3].reason instanceof Exists);
    assert.equal(textOf(store.getVersion("b", "fresh-1", undefined)), "a");
    assert.equal(textOf(store.getVersion("b", "fresh-2", undefined)), "b");
    // The overwrite replaced the null version: one row, the new bytes.
    assert.equal(textOf(store.getVersion("b", "old", undefined)), "after");
    const listed = store.listVersions("b", { prefix: "old", delimiter: "", keyMarker: undefined, versionIdMarker: undefined, maxKeys: 10 });
    assert.deepEqual(
      listed.entries.map((e) => ("version" in e ? `${e.version.key}@${e.version.versionId}` : e.prefix)),
      ["old@null"],
    );
    // A new version of a versioned key: the old one stays, no longer the latest.
    assert.equal(textOf(store.getVersion("v", "hist", undefined)), "v2");
    assert.equal(store.getVersion("v", "hist", "v1")?.isLatest, false);
    assert.equal(store.getVersion("v", "hist", "v2")?.isLatest, true);
  });

  it("replacing a version releases its blob or parts, and nothing for inline bytes", async () => {
    const part = (n: number): PartRef => ({ blobId: `part-${n}`, size: 5, partNumber: n, etag: `"${String(n).padEnd(32, "0")}"`, checksum: undefined });
    await store.putVersion(inline("b", "was-blob", "", { data: { kind: "blob", blobId: "blob-1" } }), undefined);
    await store.putVersion(inline("b", "was-parts", "", { data: { kind: "parts", parts: [part(1), part(2)] } }), undefined);
    await store.putVersion(inline("b", "was-inline", "bytes"), undefined);
    const [blob, parts, bytes] = await Promise.all([
      store.putVersion(inline("b", "was-blob", "new"), undefined),
      store.putVersion(inline("b", "was-parts", "new"), undefined),
      store.putVersion(inline("b", "was-inline", "new"), undefined),
    ]);
    assert.deepEqual(blob.released, [{ kind: "blob", blobId: "blob-1" }]);
    assert.deepEqual(parts.released, [{ kind: "parts", parts: [part(1), part(2)] }]);
    assert.deepEqual(bytes.released, []);
    for (const key of ["was-blob", "was-parts", "was-inline"]) assert.equal(textOf(store.getVersion("b", key, undefined)), "new");
  });
});
