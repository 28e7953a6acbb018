import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ServiceResponse } from "../../../server/service.js";
import type { ObjectStore, ObjectVersion, StoredChecksum } from "../../../storage/objects/object-store.js";
import { createSqliteObjectStore } from "../../../storage/objects/sqlite-object-store.js";
import type { S3Env, S3Request } from "../request.js";
import { listObjects } from "./list-objects.js";
import { listObjectsV2 } from "./list-objects-v2.js";

// A listing without a delimiter is written object by object from the store's scanObjects; one with
// a delimiter, or from a store without scanObjects, from listObjects' entries. Both must answer
// the same bytes, page after page.

const BUCKET = "scan";
const OWNER = "123456789012";

const KEYS = [
  "plain",
  "a&b",
  "<x>",
  'q"uote',
  "apo's",
  "cr\rlf\n tab\t",
  "ctl\u0001\u0008\u000b\u001f",
  "rs\u001ey",
  "é/ü/日本",
  "😀 emoji+plus",
  "a\uffff",
  "a\u{1F600}",
  "space key",
  "%2F~*",
  "dir/a",
  "dir/b",
  "dir/sub/c",
  "k".repeat(1024),
  ...Array.from({ length: 30 }, (_, i) => `p/k${String(i).padStart(3, "0")}`),
];
const DELETED = ["dir/gone", "p/k0105"];
const CHECKSUMS: Array<StoredChecksum | undefined> = [
  undefined,
  { algorithm: "CRC32", value: "AAAAAA==", type: "FULL_OBJECT" },
  { algorithm: "CRC64NVME", value: "AAAAAAAAAAA=", type: "FULL_OBJECT" },
  { algorithm: "SHA256", value: "x-3", type: "COMPOSITE" },
];
const ETAGS = ['"d41d8cd98f00b204e9800998ecf8427e"', '"0123456789abcdef0123456789abcdef-12"', '"amp&"'];

function version(key: string, i: number, isDeleteMarker = false): ObjectVersion {
  return {
    bucket: BUCKET,
    key,
    versionId: isDeleteMarker ? "dm" : `v${i}`,
    isDeleteMarker,
    size: isDeleteMarker ? 0 : i * 7_340_033,
    etag: isDeleteMarker ? "" : ETAGS[Math.floor(i / 3) % ETAGS.length]!,
    // Runs of equal times and minutes, a time at the epoch and one past year 9999.
    lastModified: i === 4 ? 0 : i === 9 ? 253_402_300_800_000 : 1_795_290_309_000 + Math.floor(i / 2) * 30_001,
    storageClass: ["STANDARD", "GLACIER_IR", "INTELLIGENT_TIERING"][Math.floor(i / 4) % 3]!,
    ownerAccountId: Math.floor(i / 5) % 2 === 0 ? OWNER : "111111111111",
    headers: {},
    userMetadata: {},
    checksum: CHECKSUMS[Math.floor(i / 2) % CHECKSUMS.length],
    tags: [],
    data: { kind: "none" },
  };
}

describe("ListObjects and ListObjectsV2 from a scan", () => {
  let store: ObjectStore;
  let rowOnly: ObjectStore;
  let scans = 0;
  let scanning: ObjectStore;

  before(async () => {
    store = createSqliteObjectStore(":memory:");
    await store.createBucket({ name: BUCKET, ownerAccountId: OWNER, region: "us-east-1", createdAt: 0, versioning: "Enabled" });
    await store.createBucket({ name: "empty", ownerAccountId: OWNER, region: "us-east-1", createdAt: 0, versioning: "Unversioned" });
    let i = 0;
    for (const key of KEYS) await store.putVersion(version(key, i++));
    for (const key of DELETED) {
      await store.putVersion(version(key, i++));
      await store.putVersion(version(key, i++, true));
    }
    // The same store, seen without scanObjects (as a store lacking it), and with its scans counted.
    rowOnly = new Proxy(store, { get: (target, prop, receiver): unknown => (prop === "scanObjects" ? undefined : Reflect.get(target, prop, receiver)) });
    scanning = new Proxy(store, {
      get: (target, prop, receiver): unknown => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (prop !== "scanObjects" || typeof value !== "function") return value;
        return (...args: unknown[]): unknown => {
          scans++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  });
  after(async () => {
    await store.close();
  });

  const env = (objects: ObjectStore): S3Env =>
    ({ objects, ctx: { requestId: "R", extendedRequestId: "X", principal: { accountId: OWNER }, region: "us-east-1" } }) as unknown as S3Env;
  const request = (bucket: string, params: Record<string, string>): S3Request =>
    ({ bucket, key: undefined, query: new URLSearchParams(params), resource: `/${bucket}` }) as unknown as S3Request;
  const text = (res: ServiceResponse): string => {
    assert.ok(res.body instanceof Uint8Array);
    return Buffer.from(res.body).toString("utf8");
  };

  /** Answers one request both ways, checks the bytes are the same, and returns the document. */
  async function both(v2: boolean, bucket: string, params: Record<string, string>): Promise<string> {
    const op = v2 ? listObjectsV2 : listObjects;
    const query = v2 ? { "list-type": "2", ...params } : params;
    const before = scans;
    const scanned = await op(request(bucket, query), env(scanning));
    const rows = await op(request(bucket, query), env(rowOnly));
    const what = `${v2 ? "v2" : "v1"} ${JSON.stringify(params)}`;
    assert.ok(scanned.body instanceof Uint8Array && rows.body instanceof Uint8Array);
    assert.ok(Buffer.from(scanned.body).equals(Buffer.from(rows.body)), `${what}\n${text(scanned)}\n!==\n${text(rows)}`);
    assert.deepEqual(scanned.headers, rows.headers, what);
    const scannable = params["delimiter"] === undefined && params["max-keys"] !== "0";
    assert.equal(scans - before, scannable ? 1 : 0, `${what}: read through scanObjects`);
    return text(scanned);
  }

  /** Follows a listing page by page (continuation tokens, or v1's last key as the marker). */
  async function pageThrough(v2: boolean, params: Record<string, string>): Promise<number> {
    let next: Record<string, string> = params;
    for (let pages = 1; pages < 200; pages++) {
      const doc = await both(v2, BUCKET, next);
      if (!doc.includes("<IsTruncated>true</IsTruncated>")) return pages;
      if (v2) {
        const token = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(doc);
        assert.ok(token !== null, "a truncated v2 page has a token");
        next = { ...params, "continuation-token": token[1]! };
      } else {
        const keys = [...doc.matchAll(/<Key>([^<]*)<\/Key>/g)];
        assert.ok(keys.length > 0, "a truncated v1 page has keys");
        // The last key as sent back: XML-unescaped, URL-decoded when the listing was URL-encoded.
        const raw = keys[keys.length - 1]![1]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[e]!);
        next = { ...params, marker: params["encoding-type"] === "url" ? decodeURIComponent(raw) : raw };
      }
    }
    throw new Error("listing never ended");
  }

  it("answers the same bytes for every prefix, start, page size, encoding and owner option", async () => {
    for (const v2 of [true, false]) {
      for (const prefix of [undefined, "", "p/", "dir/", "é", "a", "k", "zzz"]) {
        for (const maxKeys of [undefined, "0", "1", "2", "7", "1000", "5000"]) {
          for (const extra of [{}, { "encoding-type": "url" }, v2 ? { "fetch-owner": "true" } : { marker: "a&b" }, v2 ? { "start-after": "p/k010" } : { marker: "zzz" }]) {
            const params: Record<string, string> = { ...extra };
            if (prefix !== undefined) params["prefix"] = prefix;
            if (maxKeys !== undefined) params["max-keys"] = maxKeys;
            await both(v2, BUCKET, params);
          }
        }
      }
    }
  });

  it("pages through the whole bucket to the same bytes, page after page", async () => {
    for (const v2 of [true, false]) {
      for (const maxKeys of ["1", "2", "7", "1000"]) {
        for (const extra of [{}, { "encoding-type": "url" }, { prefix: "p/" }, v2 ? { "start-after": "<x>", "fetch-owner": "true" } : { marker: "<x>" }]) {
          const pages = await pageThrough(v2, { "max-keys": maxKeys, ...extra });
          if (maxKeys === "1" && Object.keys(extra).length === 0) assert.equal(pages, KEYS.length, "one page per live key");
        }
      }
    }
  });

  it("answers the same bytes for empty listings and a delimited one (which reads entries)", async () => {
    await both(true, "empty", {});
    await both(false, "empty", { "max-keys": "1" });
    await both(true, BUCKET, { prefix: "nothing/" });
    await both(true, BUCKET, { "start-after": "\u{10FFFF}" });
    await both(true, BUCKET, { delimiter: "/" });
    await both(false, BUCKET, { delimiter: "/", prefix: "dir/", "encoding-type": "url" });
  });
});
