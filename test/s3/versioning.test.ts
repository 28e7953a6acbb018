// S3 versioning end to end with @aws-sdk/client-s3: versioned overwrites, delete markers, restoring
// a version by copy or by deleting the marker, the `null` version of a suspended bucket, S3's
// answers for a key whose latest version is a delete marker (checked on the wire with fetch), and
// NoSuchVersion; then the same flows with boto3 through pytest test/py/test_s3_versioning.py.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { runPytest } from "../helpers/pytest.js";
import { startServer, type RunningServer } from "../helpers/server.js";
import { assertXmlError, bodyBytes, rejectsWith, s3Client } from "./objects-support.js";

let server: RunningServer;
let s3: S3Client;

before(async () => {
  server = await startServer();
  s3 = s3Client(server);
});
after(async () => {
  s3?.destroy();
  await server?.dispose();
});

async function bucketWith(name: string, status: "Enabled" | "Suspended" | undefined): Promise<string> {
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  if (status !== undefined) await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: status } }));
  return name;
}
const read = async (Bucket: string, Key: string, VersionId?: string): Promise<string> =>
  (await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }))).Body)).toString();
/** Version ids of a key as S3 lists them on the wire (newest first), delete markers as "D:<id>". */
async function history(Bucket: string, Key: string): Promise<string[]> {
  const url = await getSignedUrl(s3, new ListObjectVersionsCommand({ Bucket, Prefix: Key }), { expiresIn: 300 });
  const xml = await (await fetch(url)).text();
  const out: string[] = [];
  for (const m of xml.matchAll(/<(Version|DeleteMarker)><Key>([^<]*)<\/Key><VersionId>([^<]*)<\/VersionId>/g)) {
    if (m[2] === Key) out.push(m[1] === "DeleteMarker" ? `D:${m[3]}` : m[3]!);
  }
  return out;
}

describe("an Enabled bucket", () => {
  const B = "ver-enabled";

  test("every overwrite is a new version, each readable by its id", async () => {
    await bucketWith(B, "Enabled");
    const ids: string[] = [];
    for (const body of ["one", "two", "three"]) {
      const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: "doc", Body: body }));
      assert.match(put.VersionId ?? "", /^[A-Za-z0-9_.-]{32}$/);
      ids.push(put.VersionId!);
    }
    assert.equal(new Set(ids).size, 3);
    assert.equal(await read(B, "doc"), "three");
    assert.deepEqual(await Promise.all(ids.map((id) => read(B, "doc", id))), ["one", "two", "three"]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: "doc", VersionId: ids[0] }));
    assert.deepEqual([head.VersionId, head.ContentLength], [ids[0], 3]);
    assert.deepEqual(await history(B, "doc"), [...ids].reverse());
  });

  test("DELETE adds a delete marker: GET/HEAD answer 404 with x-amz-delete-marker, the versions stay", async () => {
    const before = await history(B, "doc");
    const del = await s3.send(new DeleteObjectCommand({ Bucket: B, Key: "doc" }));
    assert.equal(del.DeleteMarker, true);
    assert.match(del.VersionId ?? "", /^[A-Za-z0-9_.-]{32}$/);
    assert.deepEqual(await history(B, "doc"), [`D:${del.VersionId}`, ...before]);

    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: B, Key: "doc" }), { expiresIn: 300 });
    const got = await fetch(url);
    assert.equal(got.status, 404);
    assert.equal(got.headers.get("x-amz-delete-marker"), "true");
    assert.equal(got.headers.get("x-amz-version-id"), del.VersionId);
    assertXmlError({ status: 404, headers: {}, body: Buffer.from(await got.arrayBuffer()) }, 404, "NoSuchKey");
    const headUrl = await getSignedUrl(s3, new HeadObjectCommand({ Bucket: B, Key: "doc" }), { expiresIn: 300 });
    const head = await fetch(headUrl, { method: "HEAD" });
    assert.equal(head.status, 404);
    assert.equal(head.headers.get("x-amz-delete-marker"), "true");
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: B, Key: "doc" })), "NoSuchKey", 404);
    // Asking for the marker itself by version id is 405, as S3 answers it.
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: B, Key: "doc", VersionId: del.VersionId })), "MethodNotAllowed", 405);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: B }));
    assert.equal(listed.KeyCount, 0);
    assert.equal(await read(B, "doc", before[0]), "three");
  });

  test("restore by copying an old version onto the key, or by deleting the marker", async () => {
    const [marker, v3, v2, v1] = await history(B, "doc");
    const copy = await s3.send(new CopyObjectCommand({ Bucket: B, Key: "doc", CopySource: `${B}/doc?versionId=${encodeURIComponent(v2!)}` }));
    assert.equal(copy.CopySourceVersionId, v2);
    assert.notEqual(copy.VersionId, v2);
    assert.equal(await read(B, "doc"), "two");
    assert.deepEqual(await history(B, "doc"), [copy.VersionId, marker, v3, v2, v1]);

    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: "doc", VersionId: copy.VersionId }));
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: B, Key: "doc" })), "NoSuchKey", 404);
    const unmarked = await s3.send(new DeleteObjectCommand({ Bucket: B, Key: "doc", VersionId: marker!.slice(2) }));
    assert.deepEqual([unmarked.DeleteMarker, unmarked.VersionId], [true, marker!.slice(2)]);
    assert.equal(await read(B, "doc"), "three");
  });

  test("deleting a version for good; NoSuchVersion for ids that are not there", async () => {
    const [v3, v2, v1] = await history(B, "doc");
    const gone = await s3.send(new DeleteObjectCommand({ Bucket: B, Key: "doc", VersionId: v1 }));
    assert.deepEqual([gone.VersionId, gone.DeleteMarker], [v1, undefined]);
    const missing = await rejectsWith(s3.send(new GetObjectCommand({ Bucket: B, Key: "doc", VersionId: v1 })), "NoSuchVersion", 404);
    assert.equal(missing.message, "The specified version does not exist.");
    await rejectsWith(s3.send(new HeadObjectCommand({ Bucket: B, Key: "doc", VersionId: v1 })), "", 404);
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: B, Key: "doc", VersionId: "A".repeat(32) })), "NoSuchVersion", 404);
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: B, Key: "other", VersionId: v2 })), "NoSuchVersion", 404);
    assert.deepEqual(await history(B, "doc"), [v3, v2]);
  });

  test("concurrent overwrites: every acknowledged version is listed and readable", async () => {
    const puts = await Promise.all(Array.from({ length: 24 }, (_, i) => s3.send(new PutObjectCommand({ Bucket: B, Key: "hot", Body: `body-${i}` }))));
    const ids = puts.map((p) => p.VersionId!);
    const listed = await history(B, "hot");
    assert.deepEqual([...listed].sort(), [...ids].sort());
    const bodies = await Promise.all(ids.map((id) => read(B, "hot", id)));
    assert.deepEqual(bodies, puts.map((_, i) => `body-${i}`));
    const latest = await s3.send(new HeadObjectCommand({ Bucket: B, Key: "hot" }));
    assert.equal(latest.VersionId, listed[0]);
  });
});

describe("a Suspended bucket and the null version", () => {
  const B = "ver-suspended";

  test("writes replace the null version and keep the versions made while Enabled", async () => {
    await bucketWith(B, "Enabled");
    const kept = (await s3.send(new PutObjectCommand({ Bucket: B, Key: "k", Body: "enabled" }))).VersionId!;
    await s3.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: "Suspended" } }));
    const first = await s3.send(new PutObjectCommand({ Bucket: B, Key: "k", Body: "null-1" }));
    assert.equal(first.VersionId, "null");
    await s3.send(new PutObjectCommand({ Bucket: B, Key: "k", Body: "null-2" }));
    assert.deepEqual(await history(B, "k"), ["null", kept]);
    assert.equal(await read(B, "k", "null"), "null-2");
    assert.equal((await s3.send(new GetObjectCommand({ Bucket: B, Key: "k" }))).VersionId, "null");

    // DELETE puts a null delete marker in place of the null version.
    const del = await s3.send(new DeleteObjectCommand({ Bucket: B, Key: "k" }));
    assert.deepEqual([del.DeleteMarker, del.VersionId], [true, "null"]);
    assert.deepEqual(await history(B, "k"), ["D:null", kept]);
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: B, Key: "k" })), "NoSuchKey", 404);
    assert.equal(await read(B, "k", kept), "enabled");

    // Enabled again: new writes get ids, the null marker stays as history.
    await s3.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: "Enabled" } }));
    const again = await s3.send(new PutObjectCommand({ Bucket: B, Key: "k", Body: "re-enabled" }));
    assert.notEqual(again.VersionId, "null");
    assert.deepEqual(await history(B, "k"), [again.VersionId, "D:null", kept]);
    // Deleting the null version by id removes only it.
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: "k", VersionId: "null" }));
    assert.deepEqual(await history(B, "k"), [again.VersionId, kept]);
  });

  test("a bucket never versioned: no version ids on the wire, versionId=null reads the object", async () => {
    await bucketWith("ver-never", undefined);
    const put = await s3.send(new PutObjectCommand({ Bucket: "ver-never", Key: "k", Body: "plain" }));
    assert.equal(put.VersionId, undefined);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: "ver-never", Key: "k" }))).VersionId, undefined);
    assert.equal(await read("ver-never", "k", "null"), "plain");
    const del = await s3.send(new DeleteObjectCommand({ Bucket: "ver-never", Key: "k" }));
    assert.equal(del.DeleteMarker, undefined);
    assert.deepEqual(await history("ver-never", "k"), []);
  });
});

test("boto3 versioning flows: pytest test/py/test_s3_versioning.py", async () => {
  await runPytest(server, "test_s3_versioning.py");
});
