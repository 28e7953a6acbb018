import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, test } from "node:test";
import type { Config } from "../../../server/config.js";
import type { RequestContext, ServiceRequest } from "../../../server/service.js";
import { createFileBlobStore } from "../../../storage/blobs/file-blob-store.js";
import type { ObjectStore } from "../../../storage/objects/object-store.js";
import { createSqliteObjectStore } from "../../../storage/objects/sqlite-object-store.js";
import { ManualClock } from "../../../util/clock.js";
import { createLogger } from "../../../util/logger.js";
import { BlobPins } from "../body/blob-pins.js";
import { S3Error } from "../errors.js";
import type { S3Env, S3Request } from "../request.js";
import { parseCopySource } from "../shapes/copy-source.js";
import { copyObject } from "./copy-object.js";

describe("parseCopySource", () => {
  test("URL-encoded bucket/key, a leading slash, and a version id", () => {
    assert.deepEqual(parseCopySource("bkt/a%20b/c%3Fd%23e%2Bf"), { bucket: "bkt", key: "a b/c?d#e+f", versionId: undefined });
    assert.deepEqual(parseCopySource("/bkt/k?versionId=abc"), { bucket: "bkt", key: "k", versionId: "abc" });
    assert.deepEqual(parseCopySource("bkt//double//"), { bucket: "bkt", key: "/double//", versionId: undefined });
  });

  test("anything without a bucket and a key is InvalidArgument", () => {
    for (const raw of ["", "bkt", "bkt/", "/bkt", "/k", "bkt/%E0%A4%A", "bkt/k?other=1"]) {
      assert.throws(() => parseCopySource(raw), (e: unknown) => e instanceof S3Error && e.code === "InvalidArgument", raw);
    }
  });
});

describe("copyObject limits", () => {
  let dir: string;
  let objects: ObjectStore;
  let env: S3Env;
  const ACCOUNT = "123456789012";

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "copy-object-test-"));
    objects = createSqliteObjectStore(join(dir, "s3.db"));
    const blobs = createFileBlobStore(join(dir, "blobs"));
    const logger = createLogger("silent");
    const ctx = {
      requestId: "REQ",
      extendedRequestId: "EXT",
      principal: { accountId: ACCOUNT },
      region: "us-east-1",
      signal: new AbortController().signal,
      clock: new ManualClock(1_700_000_000_000),
      logger,
    } as unknown as RequestContext;
    env = { objects, blobs, pins: new BlobPins(blobs, logger), config: { region: "us-east-1" } as Config, accessKeys: { getAccessKey: () => undefined }, ctx };
    await objects.createBucket({ name: "bkt", ownerAccountId: ACCOUNT, region: "us-east-1", createdAt: 0, versioning: "Unversioned" });
  });
  after(async () => {
    await objects.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const request = (key: string, headers: Record<string, string>): S3Request => ({
    http: { method: "PUT", rawPath: `/bkt/${key}`, rawQuery: "", headers, hostname: "127.0.0.1", body: Readable.from([]), trailers: {}, httpVersion: "1.1" } satisfies ServiceRequest,
    bucket: "bkt",
    key,
    query: new URLSearchParams(),
    resource: `/bkt/${key}`,
  });

  test("a source over 5 GiB answers InvalidRequest as S3 does (only multipart can make one)", async () => {
    await objects.putVersion({
      bucket: "bkt",
      key: "huge",
      versionId: "null",
      isDeleteMarker: false,
      size: 5 * 1024 ** 3 + 1,
      etag: '"00000000000000000000000000000000-2"',
      lastModified: 0,
      storageClass: "STANDARD",
      ownerAccountId: ACCOUNT,
      headers: {},
      userMetadata: {},
      checksum: undefined,
      tags: [],
      data: { kind: "blob", blobId: randomUUID() },
    });
    await assert.rejects(copyObject(request("copy", { "x-amz-copy-source": "bkt/huge" }), env), (e: unknown) => {
      assert.ok(e instanceof S3Error);
      assert.equal(e.code, "InvalidRequest");
      assert.equal(e.message, "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120");
      return true;
    });
  });
});
