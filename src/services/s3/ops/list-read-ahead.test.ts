import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ServiceResponse } from "../../../server/service.js";
import type { ObjectStore, ObjectVersion } from "../../../storage/objects/object-store.js";
import { createSqliteObjectStore } from "../../../storage/objects/sqlite-object-store.js";
import { testVersion } from "../../../storage/objects/test-version.js";
import type { S3Env, S3Request } from "../request.js";
import { listObjects } from "./list-objects.js";
import { listObjectsV2 } from "./list-objects-v2.js";

// A page read ahead is served only while the store is unchanged: every write acknowledged before a
// request, through this store or another connection to its database, shows in the page it gets.

const BUCKET = "ahead";
const OWNER = "123456789012";

function version(key: string, i: number, isDeleteMarker = false): ObjectVersion {
  return testVersion({ bucket: BUCKET, key, ownerAccountId: OWNER, isDeleteMarker, size: i, etag: `"${i.toString(16).padStart(32, "0")}"`, lastModified: 1_795_290_309_000 + i });
}

const key = (i: number): string => `k/${String(i).padStart(4, "0")}`;
/** Lets the event loop turn, as it does between a client's requests: a read ahead runs then. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("ListObjects pages read ahead", () => {
  let dir: string;
  let store: ObjectStore;
  let other: ObjectStore;
  let counted: ObjectStore;
  /** Pages the store was asked to read. */
  let scans = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "list-ahead-"));
    store = createSqliteObjectStore(join(dir, "s3.db"));
    await store.createBucket({ name: BUCKET, ownerAccountId: OWNER, region: "us-east-1", createdAt: 0, versioning: "Unversioned" });
    for (let i = 0; i < 100; i += 2) await store.putVersion(version(key(i), i));
    // A second connection to the same database, as another process writing it would be.
    other = createSqliteObjectStore(join(dir, "s3.db"));
    counted = new Proxy(store, {
      get: (target, prop, receiver): unknown => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if ((prop !== "scanObjects" && prop !== "listObjects") || typeof value !== "function") return value;
        return (...args: unknown[]): unknown => {
          scans++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  });
  after(async () => {
    await other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (objects: ObjectStore): S3Env =>
    ({ objects, ctx: { requestId: "R", extendedRequestId: "X", principal: { accountId: OWNER }, region: "us-east-1" } }) as unknown as S3Env;
  const request = (params: Record<string, string>): S3Request =>
    ({ bucket: BUCKET, key: undefined, query: new URLSearchParams(params), resource: `/${BUCKET}` }) as unknown as S3Request;
  const text = (res: ServiceResponse): string => {
    assert.ok(res.body instanceof Uint8Array);
    return Buffer.from(res.body).toString("utf8");
  };
  /** The same request answered by a store that never reads ahead (no change stamp). */
  const fresh = (v2: boolean, params: Record<string, string>): Promise<ServiceResponse> => {
    const plain = new Proxy(store, { get: (target, prop, receiver): unknown => (prop === "changeStamp" ? undefined : Reflect.get(target, prop, receiver)) });
    return (v2 ? listObjectsV2 : listObjects)(request(params), env(plain));
  };

  /** Answers a request, checks it against a fresh read, and tells whether it was served without a read of its own. */
  async function ask(v2: boolean, params: Record<string, string>): Promise<{ doc: string; readAhead: boolean }> {
    const before = scans;
    const res = await (v2 ? listObjectsV2 : listObjects)(request(params), env(counted));
    const readAhead = scans === before;
    assert.equal(text(res), text(await fresh(v2, params)), JSON.stringify(params));
    return { doc: text(res), readAhead };
  }

  const nextToken = (doc: string): string | undefined => /<NextContinuationToken>([^<]*)</.exec(doc)?.[1];

  it("serves each page after the second from the page read ahead, with the same bytes", async () => {
    const served: boolean[] = [];
    let token: string | undefined;
    do {
      const page = await ask(true, token === undefined ? { "list-type": "2", "max-keys": "7" } : { "list-type": "2", "max-keys": "7", "continuation-token": token });
      served.push(page.readAhead);
      token = nextToken(page.doc);
      await turn();
    } while (token !== undefined);
    assert.equal(served.length, 8);
    assert.deepEqual(served, [false, false, true, true, true, true, true, true]);
  });

  it("reads a page again after a write through this store or another connection, and after a delete", async () => {
    // Each write lands in the third page (k/0004 on, 3 keys a page) while it is held read ahead.
    const writes: Array<[string, () => Promise<unknown>, string, boolean]> = [
      ["put here", () => store.putVersion(version("k/0019", 19)), "k/0019", true],
      ["put through another connection", () => other.putVersion(version("k/0017", 17)), "k/0017", true],
      ["delete through another connection", () => other.deleteVersion(BUCKET, "k/0018", "null"), "k/0018", false],
      ["delete here", () => store.deleteVersion(BUCKET, "k/0019", "null"), "k/0019", false],
    ];
    for (const [what, write, changed, shown] of writes) {
      const params = { "list-type": "2", "max-keys": "3", "start-after": "k/0004" };
      const first = await ask(true, params);
      await turn();
      const second = { "list-type": "2", "max-keys": "3", "start-after": "k/0004", "continuation-token": nextToken(first.doc)! };
      const third = nextToken((await ask(true, second)).doc)!;
      await turn();
      // The third page is read ahead by now; the write lands in it.
      await write();
      const page = await ask(true, { ...second, "continuation-token": third });
      assert.equal(page.readAhead, false, what);
      assert.equal(page.doc.includes(`<Key>${changed}</Key>`), shown, `${what}: ${page.doc}`);
    }
  });

  it("keeps pages apart by everything that shapes them, and reads ahead for ListObjects markers too", async () => {
    await ask(true, { "list-type": "2", "max-keys": "2", "start-after": "k/0030" });
    await turn();
    // Another page size, key encoding, owner option: not the page read ahead.
    assert.equal((await ask(true, { "list-type": "2", "max-keys": "3", "start-after": "k/0034" })).readAhead, false);
    await ask(true, { "list-type": "2", "max-keys": "2", "start-after": "k/0030" });
    await turn();
    assert.equal((await ask(true, { "list-type": "2", "max-keys": "2", "start-after": "k/0034", "encoding-type": "url" })).readAhead, false);
    await ask(true, { "list-type": "2", "max-keys": "2", "start-after": "k/0030" });
    await turn();
    assert.equal((await ask(true, { "list-type": "2", "max-keys": "2", "start-after": "k/0034", "fetch-owner": "true" })).readAhead, false);
    await ask(true, { "list-type": "2", "max-keys": "2", "start-after": "k/0030" });
    await turn();
    assert.equal((await ask(true, { "list-type": "2", "max-keys": "2", "start-after": "k/0034" })).readAhead, true);
    // ListObjects (v1) pages on with the last key as its marker.
    await ask(false, { "max-keys": "2", marker: "k/0040" });
    await turn();
    assert.equal((await ask(false, { "max-keys": "2", marker: "k/0044" })).readAhead, true);
    // A delimited listing is never read ahead.
    await ask(true, { "list-type": "2", "max-keys": "2", "start-after": "k/0050", delimiter: "/" });
    await turn();
    assert.equal((await ask(true, { "list-type": "2", "max-keys": "2", "start-after": "k/0054", delimiter: "/" })).readAhead, false);
  });
});
