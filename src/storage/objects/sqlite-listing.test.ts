import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import type { SqliteDatabase } from "../sqlite/database.js";
import type { ListedObject, ListObjectsQuery, ListVersionsQuery, ObjectStore, ObjectVersion } from "./object-store.js";
import { listObjectsPage, listVersionsPage, type RowSource } from "./sqlite-listing.js";
import { createSqliteObjectStore } from "./sqlite-object-store.js";
import { decodeRow } from "./sqlite-rows.js";
import { testVersion } from "./test-version.js";

const BUCKET = "listing";
const OWNER = "000000000000";

/** Compares as S3 orders keys: by their UTF-8 bytes. */
const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

let seq = 0;
function version(key: string, versionId: string, isDeleteMarker = false): ObjectVersion {
  seq += 1;
  const etag = isDeleteMarker ? "" : `"${seq.toString(16).padStart(32, "0")}"`;
  return testVersion({ bucket: BUCKET, key, ownerAccountId: OWNER, versionId, isDeleteMarker, size: isDeleteMarker ? 0 : key.length, etag, lastModified: 1_700_000_000_000 + seq });
}

// Keys chosen so that UTF-16 order and UTF-8 byte order disagree (U+FFFF vs an emoji's surrogate
// pair), with multi-character delimiters, empty path segments, and prefixes made only of deletes.
const LIVE = [
  "a",
  "a/b",
  "a/c/d",
  "a/c/e",
  "a\u00e9",
  "a\uffff",
  "a\u{1F600}",
  "a\u{1F600}/x",
  "b/",
  "b//c",
  "b//d",
  "b/x",
  "c::d::e",
  "c::f",
  "c:g",
  "d/sp ace",
  "d/+plus",
  "d/%2F",
  "\u00e9/1",
  "\u00e9/2",
  "z",
];
/** Keys whose latest version is a delete marker (with an older live version underneath). */
const DELETED = ["a/c/gone", "gone/only", "b/x2"];
/** Keys with several versions, newest last here. */
const HISTORY: Record<string, string[]> = { "a/b": ["v1", "v2", "v3"], z: ["v1", "v2"] };

describe("sqlite object listing", () => {
  let store: ObjectStore;
  /** Per key, its versions newest first, as ListObjectVersions must return them. */
  const versionsOf = new Map<string, Array<{ versionId: string; isDeleteMarker: boolean }>>();

  before(async () => {
    store = createSqliteObjectStore(":memory:");
    await store.createBucket({ name: BUCKET, ownerAccountId: OWNER, region: "us-east-1", createdAt: 0, versioning: "Enabled" });
    const record = (key: string, versionId: string, dm: boolean): void => {
      const list = versionsOf.get(key) ?? [];
      list.unshift({ versionId, isDeleteMarker: dm });
      versionsOf.set(key, list);
    };
    for (const key of LIVE) {
      for (const v of HISTORY[key] ?? ["v1"]) {
        await store.putVersion(version(key, v));
        record(key, v, false);
      }
    }
    for (const key of DELETED) {
      await store.putVersion(version(key, "v1"));
      record(key, "v1", false);
      await store.putVersion(version(key, "dm", true));
      record(key, "dm", true);
    }
  });
  after(async () => {
    await store.close();
  });

  /** The whole listing as S3 defines it, computed naively from the live keys. */
  function expectedObjects(prefix: string, delimiter: string): string[] {
    const out: string[] = [];
    for (const key of [...LIVE].sort(byBytes)) {
      if (!key.startsWith(prefix)) continue;
      const at = delimiter === "" ? -1 : key.indexOf(delimiter, prefix.length);
      const entry = at === -1 ? `K:${key}` : `P:${key.slice(0, at + delimiter.length)}`;
      if (out[out.length - 1] !== entry) out.push(entry);
    }
    return out;
  }

  function page(q: ListObjectsQuery): { entries: string[]; truncated: boolean; resume: string | undefined } {
    const p = store.listObjects(BUCKET, q);
    return {
      entries: p.entries.map((e) => ("object" in e ? `K:${e.object.key}` : `P:${e.prefix}`)),
      truncated: p.isTruncated,
      resume: p.resumeAfter,
    };
  }

  function pageThrough(prefix: string, delimiter: string, maxKeys: number, start?: string): string[] {
    const seen: string[] = [];
    let afterKey = start;
    for (let i = 0; i < 1000; i++) {
      const p = page({ prefix, delimiter, after: afterKey, maxKeys });
      assert.ok(p.entries.length <= maxKeys, "a page never exceeds max-keys");
      seen.push(...p.entries);
      if (!p.truncated) return seen;
      assert.equal(p.entries.length, maxKeys, "only a full page is truncated");
      assert.equal(p.resume, p.entries[p.entries.length - 1]!.slice(2), "a page resumes after its last entry");
      afterKey = p.resume;
    }
    throw new Error("listing never ended");
  }

  it("orders keys by their UTF-8 bytes, not by UTF-16 code units", () => {
    const keys = page({ prefix: "a", delimiter: "", after: undefined, maxKeys: 1000 }).entries;
    assert.deepEqual(
      keys.filter((k) => !k.includes("/")),
      ["K:a", "K:a\u00e9", "K:a\uffff", "K:a\u{1F600}"],
    );
    // JS would sort the emoji (U+D83D...) before U+FFFF; S3 puts F0 9F.. after EF BF BF.
    assert.ok("a\u{1F600}" < "a\uffff");
    const all = page({ prefix: "", delimiter: "", after: undefined, maxKeys: 1000 }).entries;
    assert.equal(all[all.length - 1], "K:\u00e9/2", "a key starting with U+00E9 sorts after 'z'");
  });

  it("filters by prefix, including unicode and partial-segment prefixes", () => {
    assert.deepEqual(page({ prefix: "a/c/", delimiter: "", after: undefined, maxKeys: 1000 }).entries, ["K:a/c/d", "K:a/c/e"]);
    assert.deepEqual(page({ prefix: "\u00e9", delimiter: "", after: undefined, maxKeys: 1000 }).entries, ["K:\u00e9/1", "K:\u00e9/2"]);
    assert.deepEqual(page({ prefix: "c:", delimiter: "", after: undefined, maxKeys: 1000 }).entries, ["K:c::d::e", "K:c::f", "K:c:g"]);
    assert.deepEqual(page({ prefix: "nothing", delimiter: "/", after: undefined, maxKeys: 1000 }).entries, []);
  });

  it("rolls keys up into common prefixes with single- and multi-character delimiters", () => {
    assert.deepEqual(page({ prefix: "", delimiter: "/", after: undefined, maxKeys: 1000 }).entries, expectedObjects("", "/"));
    assert.deepEqual(page({ prefix: "c", delimiter: "::", after: undefined, maxKeys: 1000 }).entries, ["P:c::", "K:c:g"]);
    assert.deepEqual(page({ prefix: "c::", delimiter: "::", after: undefined, maxKeys: 1000 }).entries, ["P:c::d::", "K:c::f"]);
    assert.deepEqual(page({ prefix: "b/", delimiter: "/", after: undefined, maxKeys: 1000 }).entries, ["K:b/", "P:b//", "K:b/x"]);
    assert.deepEqual(page({ prefix: "b", delimiter: "//", after: undefined, maxKeys: 1000 }).entries, ["K:b/", "P:b//", "K:b/x"]);
    // The delimiter is looked for only after the prefix.
    assert.deepEqual(page({ prefix: "a/c/", delimiter: "/", after: undefined, maxKeys: 1000 }).entries, ["K:a/c/d", "K:a/c/e"]);
  });

  it("hides keys whose latest version is a delete marker, and prefixes holding only those", () => {
    const top = page({ prefix: "", delimiter: "/", after: undefined, maxKeys: 1000 }).entries;
    assert.ok(!top.includes("P:gone/"));
    const flat = page({ prefix: "", delimiter: "", after: undefined, maxKeys: 1000 }).entries;
    for (const key of DELETED) assert.ok(!flat.includes(`K:${key}`), key);
    assert.deepEqual(flat, expectedObjects("", ""));
  });

  it("skips the whole common prefix a marker falls inside", () => {
    assert.deepEqual(page({ prefix: "", delimiter: "/", after: "a/c/d", maxKeys: 1000 }).entries.slice(0, 1), ["K:a\u00e9"]);
    assert.deepEqual(page({ prefix: "", delimiter: "/", after: "a/", maxKeys: 1000 }).entries.slice(0, 1), ["K:a\u00e9"]);
    assert.deepEqual(page({ prefix: "a/", delimiter: "/", after: "a/c/zzz", maxKeys: 1000 }).entries, []);
    // A marker before the prefix starts at the prefix; one past it lists nothing.
    assert.deepEqual(page({ prefix: "d/", delimiter: "", after: "0", maxKeys: 1000 }).entries, expectedObjects("d/", ""));
    assert.deepEqual(page({ prefix: "d/", delimiter: "", after: "e", maxKeys: 1000 }).entries, []);
  });

  it("pages through every prefix, delimiter and page size to exactly the one-shot listing", () => {
    const prefixes = ["", "a", "a/", "b", "b/", "c", "c::", "d/", "\u00e9", "zz"];
    const delimiters = ["", "/", "//", "::", ":", "c"];
    for (const prefix of prefixes) {
      for (const delimiter of delimiters) {
        const oneShot = page({ prefix, delimiter, after: undefined, maxKeys: 1000 });
        assert.equal(oneShot.truncated, false);
        assert.deepEqual(oneShot.entries, expectedObjects(prefix, delimiter), `prefix=${prefix} delimiter=${delimiter}`);
        for (const maxKeys of [1, 2, 3, 7]) {
          assert.deepEqual(pageThrough(prefix, delimiter, maxKeys), oneShot.entries, `prefix=${prefix} delimiter=${delimiter} max=${maxKeys}`);
        }
      }
    }
  });

  it("starts strictly after an arbitrary marker, as S3 defines it", () => {
    const markers = ["", "a", "a/", "a/b", "a/c", "a/c/d", "a\u00e9", "a\u{1F600}", "b//", "b//c", "c::d", "d/", "\u00e9", "\u00e9/1", "zzz"];
    for (const delimiter of ["", "/", "::"]) {
      const full = expectedObjects("", delimiter);
      for (const marker of markers) {
        // Entries after the marker, except a common prefix the marker itself lies inside.
        const want = full.filter((e) => byBytes(e.slice(2), marker) > 0 && !(e.startsWith("P:") && marker.startsWith(e.slice(2))));
        assert.deepEqual(pageThrough("", delimiter, 2, marker === "" ? undefined : marker), want, `delimiter=${delimiter} marker=${marker}`);
      }
    }
  });

  it("scans every page exactly as listObjects lists it without a delimiter", () => {
    const markers = [undefined, "", "a", "a/", "a/b", "a/c/d", "a\u00e9", "a\u{1F600}", "b//", "c::d", "d/", "\u00e9", "\u00e9/1", "zzz"];
    for (const prefix of ["", "a", "a/", "b", "b/", "c", "d/", "\u00e9", "zz"]) {
      for (const after of markers) {
        for (const maxKeys of [0, 1, 2, 3, 7, 1000]) {
          assertScanMatches(store, BUCKET, { prefix, after, maxKeys });
        }
      }
    }
  });

  /** Every version entry as ListObjectVersions must order it. */
  function expectedVersions(prefix: string, delimiter: string): string[] {
    const out: string[] = [];
    for (const key of [...versionsOf.keys()].sort(byBytes)) {
      if (!key.startsWith(prefix)) continue;
      const at = delimiter === "" ? -1 : key.indexOf(delimiter, prefix.length);
      if (at !== -1) {
        const entry = `P:${key.slice(0, at + delimiter.length)}`;
        if (out[out.length - 1] !== entry) out.push(entry);
        continue;
      }
      versionsOf.get(key)!.forEach((v, i) => out.push(`${v.isDeleteMarker ? "D" : "V"}:${key}@${v.versionId}${i === 0 ? "*" : ""}`));
    }
    return out;
  }

  function versionsPage(q: ListVersionsQuery) {
    const p = store.listVersions(BUCKET, q);
    return {
      entries: p.entries.map((e) =>
        "prefix" in e ? `P:${e.prefix}` : `${e.version.isDeleteMarker ? "D" : "V"}:${e.version.key}@${e.version.versionId}${e.version.isLatest ? "*" : ""}`,
      ),
      truncated: p.isTruncated,
      keyMarker: p.nextKeyMarker,
      versionIdMarker: p.nextVersionIdMarker,
    };
  }

  it("lists versions newest first with the latest flagged, delete markers included", () => {
    const all = versionsPage({ prefix: "", delimiter: "", keyMarker: undefined, versionIdMarker: undefined, maxKeys: 1000 }).entries;
    assert.deepEqual(all.filter((e) => e.includes(":a/b@")), ["V:a/b@v3*", "V:a/b@v2", "V:a/b@v1"]);
    assert.deepEqual(all.filter((e) => e.includes(":gone/only@")), ["D:gone/only@dm*", "V:gone/only@v1"]);
    assert.deepEqual(all, expectedVersions("", ""));
  });

  it("pages versions through key and version-id markers to exactly the one-shot listing", () => {
    for (const prefix of ["", "a", "a/", "b", "gone/", "z"]) {
      for (const delimiter of ["", "/", "::"]) {
        const oneShot = versionsPage({ prefix, delimiter, keyMarker: undefined, versionIdMarker: undefined, maxKeys: 1000 });
        assert.deepEqual(oneShot.entries, expectedVersions(prefix, delimiter), `prefix=${prefix} delimiter=${delimiter}`);
        for (const maxKeys of [1, 2, 4]) {
          const seen: string[] = [];
          let keyMarker: string | undefined;
          let versionIdMarker: string | undefined;
          for (let i = 0; ; i++) {
            assert.ok(i < 1000, "listing never ended");
            const p = versionsPage({ prefix, delimiter, keyMarker, versionIdMarker, maxKeys });
            assert.ok(p.entries.length <= maxKeys);
            seen.push(...p.entries);
            if (!p.truncated) break;
            assert.equal(p.entries.length, maxKeys);
            keyMarker = p.keyMarker;
            versionIdMarker = p.versionIdMarker;
          }
          assert.deepEqual(seen, oneShot.entries, `prefix=${prefix} delimiter=${delimiter} max=${maxKeys}`);
        }
      }
    }
  });

  it("resumes inside a key after its version-id marker, and never outside the prefix", () => {
    const inside = versionsPage({ prefix: "", delimiter: "", keyMarker: "a/b", versionIdMarker: "v3", maxKeys: 3 }).entries;
    assert.deepEqual(inside, ["V:a/b@v2", "V:a/b@v1", "V:a/c/d@v1*"]);
    const outside = versionsPage({ prefix: "a/", delimiter: "", keyMarker: "z", versionIdMarker: "v2", maxKeys: 10 });
    assert.deepEqual(outside.entries, []);
    assert.equal(outside.truncated, false);
  });
});

/** scanObjects visits what listObjects lists with no delimiter: same objects, kinds, order, truncation and resume point. */
function assertScanMatches(store: ObjectStore, bucket: string, q: Omit<ListObjectsQuery, "delimiter">): void {
  const want = store.listObjects(bucket, { ...q, delimiter: "" });
  const seen: ListedObject[] = [];
  const got = store.scanObjects!(bucket, q, (key, lastModified, etag, size, kind) => void seen.push({ key, lastModified, etag, size, ...kind }));
  const what = JSON.stringify(q);
  assert.deepEqual(
    seen,
    want.entries.map((e) => ("object" in e ? e.object : assert.fail(`a prefix in a listing without a delimiter: ${e.prefix}`))),
    what,
  );
  assert.deepEqual(got, { count: want.entries.length, isTruncated: want.isTruncated, resumeAfter: want.resumeAfter }, what);
}

describe("sqlite object scan", () => {
  let store: ObjectStore;
  // RS (U+001E) separates a packed page's fields: a key holding it must send its page down the row path.
  const KEYS = ["a", "a\u001e", "a\u001eb\u001e\u001ec", "b", "ctl\u0001\u001f", "k".repeat(1024), "m&<>\"'", "\u00e9\u{1F600}", "z\u001e"];

  before(async () => {
    store = createSqliteObjectStore(":memory:");
    await store.createBucket({ name: BUCKET, ownerAccountId: OWNER, region: "us-east-1", createdAt: 0, versioning: "Unversioned" });
    let i = 0;
    for (const key of KEYS) {
      i++;
      await store.putVersion({
        ...version(key, "null"),
        storageClass: i % 2 === 0 ? "STANDARD" : "GLACIER_IR",
        ownerAccountId: i % 3 === 0 ? OWNER : "111111111111",
        checksum: i % 4 === 0 ? undefined : { algorithm: i % 4 === 1 ? "CRC32" : "SHA256", value: "AAAAAA==", type: i % 4 === 3 ? "COMPOSITE" : "FULL_OBJECT" },
        etag: i % 2 === 0 ? `"${"0".repeat(32)}-${i}"` : `"${"f".repeat(32)}"`,
        size: i * 1_000_000_007,
        lastModified: i === 5 ? 0 : 1_700_000_000_000 + i * 59_999,
      });
    }
  });
  after(async () => {
    await store.close();
  });

  it("scans pages holding keys with RS, control characters, markup and 1,024 bytes as listObjects lists them", () => {
    for (const prefix of ["", "a", "a\u001e", "z", "k"]) {
      for (const after of [undefined, "a", "a\u001e", "a\u001eb", "b", "z\u001e"]) {
        for (const maxKeys of [0, 1, 2, 3, 1000]) assertScanMatches(store, BUCKET, { prefix, after, maxKeys });
      }
    }
  });

  it("scans an unknown bucket as an empty page", () => {
    assertScanMatches(store, "no-such-bucket", { prefix: "", after: undefined, maxKeys: 1000 });
  });
});

describe("sqlite object listing cost", () => {
  const FOLDERS = 40;
  const PER_FOLDER = 100;
  let dir: string;
  let db: SqliteDatabase;
  let rowsRead = 0;
  let src: RowSource;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "streamlake-listing-"));
    const path = join(dir, "s3.db");
    const store = createSqliteObjectStore(path);
    await store.createBucket({ name: BUCKET, ownerAccountId: OWNER, region: "us-east-1", createdAt: 0, versioning: "Unversioned" });
    const puts: Array<Promise<unknown>> = [store.putVersion(version("top", "null"))];
    for (let f = 0; f < FOLDERS; f++) {
      for (let k = 0; k < PER_FOLDER; k++) puts.push(store.putVersion(version(`f${String(f).padStart(2, "0")}/k${k}`, "null")));
    }
    await Promise.all(puts);
    await store.close();
    // Reopen the file behind a prepare() that counts every row a listing statement yields.
    db = new Database(path, { readonly: true });
    const counting = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop !== "prepare") return Reflect.get(target, prop, receiver) as unknown;
        return (sql: string) => {
          const stmt = target.prepare(sql);
          const counted: typeof stmt = new Proxy(stmt, {
            get(st, p, r) {
              // raw() returns the statement itself: hand back the counting proxy instead.
              if (p === "raw") {
                return (...args: [boolean?]) => {
                  st.raw(...args);
                  return counted;
                };
              }
              if (p === "get") {
                return (...args: unknown[]) => {
                  const row = st.get(...args);
                  if (row !== undefined) rowsRead++;
                  return row;
                };
              }
              if (p === "all") {
                return (...args: unknown[]) => {
                  const rows = st.all(...args);
                  rowsRead += rows.length;
                  return rows;
                };
              }
              if (p === "iterate") {
                return function* (...args: unknown[]) {
                  for (const row of st.iterate(...args)) {
                    rowsRead++;
                    yield row;
                  }
                };
              }
              const v = Reflect.get(st, p, r) as unknown;
              return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(st) : v;
            },
          });
          return counted;
        };
      },
    });
    src = {
      db: counting,
      cols: "id, key, version_id, is_latest, is_delete_marker, size, etag, last_modified, storage_class, owner, meta, blob_id",
      decode: decodeRow,
    };
  });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a delimited listing seeks past each common prefix instead of reading the keys under it", () => {
    rowsRead = 0;
    const page = listObjectsPage(src, BUCKET, { prefix: "", delimiter: "/", after: undefined, maxKeys: 1000 });
    assert.equal(page.entries.length, FOLDERS + 1);
    assert.ok(rowsRead >= FOLDERS + 1, "the counter sees the listing's reads");
    assert.ok(rowsRead <= 2 * (FOLDERS + 1), `read ${rowsRead} rows for ${FOLDERS + 1} entries over ${FOLDERS * PER_FOLDER + 1} keys`);

    rowsRead = 0;
    const versions = listVersionsPage(src, BUCKET, { prefix: "", delimiter: "/", keyMarker: undefined, versionIdMarker: undefined, maxKeys: 1000 });
    assert.equal(versions.entries.length, FOLDERS + 1);
    assert.ok(rowsRead <= 2 * (FOLDERS + 1), `read ${rowsRead} rows listing versions`);

    rowsRead = 0;
    const flat = listObjectsPage(src, BUCKET, { prefix: "f07/", delimiter: "", after: undefined, maxKeys: 10 });
    assert.equal(flat.entries.length, 10);
    assert.ok(rowsRead <= 11, `a page of 10 reads ${rowsRead} rows`);
  });
});
