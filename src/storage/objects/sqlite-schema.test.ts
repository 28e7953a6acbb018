import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import type { ListObjectsQuery, ObjectVersion, StoredChecksum } from "./object-store.js";
import { createSqliteObjectStore } from "./sqlite-object-store.js";
import { decodeListKind, encodeListKind } from "./sqlite-rows.js";

const BUCKET = "schema";

function version(i: number, checksum: StoredChecksum | undefined, over: Partial<ObjectVersion> = {}): ObjectVersion {
  return {
    bucket: BUCKET,
    key: `k${String(i).padStart(3, "0")}`,
    versionId: "null",
    isDeleteMarker: false,
    size: i,
    etag: `"${i.toString(16).padStart(32, "0")}"`,
    lastModified: 1_700_000_000_000 + i,
    storageClass: i % 3 === 0 ? "GLACIER_IR" : "STANDARD",
    ownerAccountId: i % 4 === 0 ? "123456789012" : "000000000000",
    headers: { "content-type": "text/plain" },
    userMetadata: { a: "b" },
    checksum,
    tags: i % 5 === 0 ? [["t", "v"]] : [],
    data: { kind: "none" },
    ...over,
  };
}

const CHECKSUMS: Array<StoredChecksum | undefined> = [
  undefined,
  { algorithm: "CRC32", value: "AAAAAA==", type: "FULL_OBJECT" },
  { algorithm: "SHA256", value: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=-3", type: "COMPOSITE" },
  { algorithm: "CRC64NVME", value: "AAAAAAAAAAA=", type: "FULL_OBJECT" },
];

describe("objects schema", () => {
  let dir: string;
  let path: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "streamlake-schema-"));
    path = join(dir, "s3.db");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("list_kind round-trips what a listing shows of a version", () => {
    for (const [i, c] of CHECKSUMS.entries()) {
      const v = version(i, c);
      assert.deepEqual(decodeListKind(encodeListKind(v)), {
        storageClass: v.storageClass,
        ownerAccountId: v.ownerAccountId,
        checksum: c === undefined ? undefined : { algorithm: c.algorithm, type: c.type },
      });
    }
  });

  it("a database written before list_kind existed is migrated at open and lists the same", async () => {
    const query: ListObjectsQuery = { prefix: "", delimiter: "", after: undefined, maxKeys: 1000 };
    let store = createSqliteObjectStore(path);
    await store.createBucket({ name: BUCKET, ownerAccountId: "000000000000", region: "us-east-1", createdAt: 0, versioning: "Unversioned" });
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.putVersion(version(i, CHECKSUMS[i % CHECKSUMS.length]))));
    await store.setTags(BUCKET, "k001", "null", [["x", "y"]]);
    const expected = store.listObjects(BUCKET, query);
    assert.equal(expected.entries.length, 40);
    await store.close();

    // The objects table as the previous versions of the store created it: no list_kind column
    // (nor its trigger), and an objects_latest index of (bucket, key) alone.
    const raw = new Database(path);
    raw.exec("DROP TRIGGER objects_list_kind; DROP INDEX objects_latest; ALTER TABLE objects DROP COLUMN list_kind; CREATE INDEX objects_latest ON objects(bucket, key) WHERE is_latest = 1");
    raw.close();

    store = createSqliteObjectStore(path);
    try {
      assert.deepEqual(store.listObjects(BUCKET, query), expected);
      // Every row's list_kind is what a write of that version would store.
      const check = new Database(path, { readonly: true });
      const rows = check.prepare<[], { key: Buffer; list_kind: string }>("SELECT key, list_kind FROM objects ORDER BY key").all();
      // The latest versions' index holds every listed column again (a listing reads it alone).
      const indexed = check.prepare<[], { name: string }>("SELECT name FROM pragma_index_info('objects_latest') ORDER BY seqno").all();
      const plan = check
        .prepare<[], { detail: string }>("EXPLAIN QUERY PLAN SELECT key, last_modified, etag, list_kind, size FROM objects WHERE bucket = 'b' AND key > x'00' AND is_latest = 1 AND is_delete_marker = 0 ORDER BY key")
        .all();
      check.close();
      assert.deepEqual(
        indexed.map((c) => c.name),
        ["bucket", "key", "is_delete_marker", "last_modified", "etag", "list_kind", "size"],
      );
      assert.match(plan.map((p) => p.detail).join("; "), /USING COVERING INDEX objects_latest/);
      assert.equal(rows.length, 40);
      for (const r of rows) {
        const v = store.getVersion(BUCKET, r.key.toString("utf8"));
        assert.ok(v !== undefined);
        assert.equal(r.list_kind, encodeListKind(v));
      }
      // Writes after the migration list with their own kinds, next to migrated rows.
      await store.putVersion(version(100, CHECKSUMS[2], { key: "k0005" }));
      const again = store.listObjects(BUCKET, { ...query, after: "k000", maxKeys: 2 });
      assert.deepEqual(
        again.entries.map((e) => ("object" in e ? [e.object.key, e.object.storageClass, e.object.checksum?.algorithm] : e.prefix)),
        [
          ["k0005", "STANDARD", "SHA256"],
          ["k001", "STANDARD", "CRC32"],
        ],
      );
    } finally {
      await store.close();
    }
    // A second open finds the column and leaves the rows alone.
    store = createSqliteObjectStore(path);
    assert.equal(store.listObjects(BUCKET, query).entries.length, 41);
    await store.close();
  });

  it("a storage class or checksum changed in place is what a listing shows next", async () => {
    const query: ListObjectsQuery = { prefix: "t", delimiter: "", after: undefined, maxKeys: 1000 };
    const store = createSqliteObjectStore(path);
    try {
      await store.putVersion(version(1, CHECKSUMS[1], { key: "t1" }));
      await store.putVersion(version(2, undefined, { key: "t2" }));
      // As a lifecycle transition would: the row's own columns rewritten, list_kind left to the store.
      const raw = new Database(path);
      raw.prepare("UPDATE objects SET storage_class = 'DEEP_ARCHIVE' WHERE key = CAST('t1' AS BLOB)").run();
      raw.prepare(`UPDATE objects SET meta = json_set(meta, '$.c', json('{"algorithm":"SHA1","value":"AAAAAAAAAAAAAAAAAAAAAAAAAAA=","type":"FULL_OBJECT"}')) WHERE key = CAST('t2' AS BLOB)`).run();
      raw.close();
      const listed = store.listObjects(BUCKET, query).entries.map((e) => ("object" in e ? [e.object.key, e.object.storageClass, e.object.checksum?.algorithm] : e.prefix));
      assert.deepEqual(listed, [
        ["t1", "DEEP_ARCHIVE", "CRC32"],
        ["t2", "STANDARD", "SHA1"],
      ]);
      for (const key of ["t1", "t2"]) {
        const v = store.getVersion(BUCKET, key);
        assert.ok(v !== undefined);
        const entry = store.listObjects(BUCKET, { ...query, prefix: key }).entries[0];
        assert.ok(entry !== undefined && "object" in entry);
        assert.deepEqual([entry.object.storageClass, entry.object.checksum?.algorithm], [v.storageClass, v.checksum?.algorithm]);
      }
    } finally {
      await store.close();
    }
  });
});
