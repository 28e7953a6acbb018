// Multipart uploads end to end with @aws-sdk/client-s3 and lib-storage: the whole flow, every error
// S3 answers (with its code and status), GET/HEAD by partNumber, ranges across part boundaries,
// UploadPartCopy, ListParts / ListMultipartUploads paging, and retried completions.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { before, describe, test } from "node:test";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { RunningServer } from "../helpers/server.js";
import { signedRequest } from "../helpers/signed-requests.js";
import { assertXmlError, bodyBytes, md5Hex, rejectsWith, withServerAndBucket } from "./objects-support.js";

const BUCKET = "multipart-tests";
const MiB = 1024 * 1024;

/** The multipart ETag computed the way S3 documents it: MD5 of the binary part MD5s, "-N". */
function multipartEtag(parts: readonly Buffer[]): string {
  const h = createHash("md5");
  for (const p of parts) h.update(createHash("md5").update(p).digest());
  return `"${h.digest("hex")}-${parts.length}"`;
}

describe("S3 multipart uploads", () => {
  let server: RunningServer;
  let s3: S3Client;

  withServerAndBucket(BUCKET, (env) => ({ server, s3 } = env));

  const create = async (key: string, extra: Partial<ConstructorParameters<typeof CreateMultipartUploadCommand>[0]> = {}): Promise<string> =>
    (await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ...extra }))).UploadId!;
  const put = async (key: string, uploadId: string, partNumber: number, body: Buffer): Promise<CompletedPart> => {
    const r = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body }));
    return { PartNumber: partNumber, ETag: r.ETag!, ChecksumCRC32: r.ChecksumCRC32! };
  };
  const complete = (key: string, uploadId: string, parts: CompletedPart[]) =>
    s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));

  describe("a three-part object", () => {
    const key = "flow/object.bin";
    const bodies = [randomBytes(5 * MiB), randomBytes(5 * MiB + 17), randomBytes(1000)];
    const whole = Buffer.concat(bodies);

    before(async () => {
      const id = await create(key, {
        ContentType: "application/x-test",
        Metadata: { origin: "multipart" },
        Tagging: "team=data&tier=hot",
        StorageClass: "STANDARD_IA",
        CacheControl: "max-age=60",
      });
      // Uploaded out of order and part 2 twice: the last upload of a number wins.
      const p3 = await put(key, id, 3, bodies[2]!);
      await put(key, id, 2, randomBytes(5 * MiB));
      const p1 = await put(key, id, 1, bodies[0]!);
      const p2 = await put(key, id, 2, bodies[1]!);
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "flow/" }));
      assert.equal(listed.KeyCount, 0, "an incomplete upload's parts never appear in listings");

      const done = await complete(key, id, [p1, p2, p3]);
      assert.equal(done.ETag, multipartEtag(bodies));
      assert.equal(done.Key, key);
      assert.equal(done.Bucket, BUCKET);
      assert.match(done.Location ?? "", new RegExp(`/${BUCKET}/flow/object\\.bin$`));
    });

    test("reads back byte-identical with the headers, metadata, tags and storage class given at creation", async () => {
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      assert.ok((await bodyBytes(got.Body)).equals(whole));
      assert.equal(got.ContentLength, whole.length);
      assert.equal(got.ETag, multipartEtag(bodies));
      assert.equal(got.ContentType, "application/x-test");
      assert.equal(got.CacheControl, "max-age=60");
      assert.deepEqual(got.Metadata, { origin: "multipart" });
      assert.equal(got.TagCount, 2);
      assert.equal(got.StorageClass, "STANDARD_IA");
      assert.equal(got.PartsCount, undefined, "x-amz-mp-parts-count only answers a partNumber request");
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "flow/" }));
      assert.deepEqual(listed.Contents?.map((o) => [o.Key, o.Size, o.ETag]), [[key, whole.length, multipartEtag(bodies)]]);
    });

    test("GET and HEAD by partNumber answer 206 with that part and x-amz-mp-parts-count", async () => {
      for (const n of [1, 2, 3]) {
        const start = bodies.slice(0, n - 1).reduce((s, b) => s + b.length, 0);
        const part = bodies[n - 1]!;
        const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: n }));
        assert.equal(got.$metadata.httpStatusCode, 206);
        assert.equal(got.PartsCount, 3);
        assert.equal(got.ContentRange, `bytes ${start}-${start + part.length - 1}/${whole.length}`);
        assert.ok((await bodyBytes(got.Body)).equals(part), `part ${n}`);
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: n }));
        assert.equal(head.ContentLength, part.length);
        assert.equal(head.PartsCount, 3);
      }
      await rejectsWith(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 4 })), "InvalidPartNumber", 416);
      await rejectsWith(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 2, Range: "bytes=0-1" })), "InvalidRequest", 400);
      await rejectsWith(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 10001 })), "InvalidArgument", 400);
    });

    test("ranges across part boundaries stream the right bytes", async () => {
      const boundary = 5 * MiB;
      for (const [a, b] of [
        [boundary - 10, boundary + 10],
        [0, whole.length - 1],
        [boundary * 2 + 17 - 1, boundary * 2 + 17 + 5],
        [123, boundary * 2 + 500],
      ] as const) {
        const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: `bytes=${a}-${b}` }));
        assert.equal(got.ContentRange, `bytes ${a}-${b}/${whole.length}`);
        assert.ok((await bodyBytes(got.Body)).equals(whole.subarray(a, b + 1)), `bytes ${a}-${b}`);
      }
      const tail = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: "bytes=-1500" }));
      assert.ok((await bodyBytes(tail.Body)).equals(whole.subarray(whole.length - 1500)));
    });

    test("partNumber=1 of an object not uploaded in parts is the whole object; 2 is not satisfiable", async () => {
      const body = Buffer.from("single part");
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "flow/single.txt", Body: body }));
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "flow/single.txt", PartNumber: 1 }));
      assert.equal(got.$metadata.httpStatusCode, 206);
      assert.ok((await bodyBytes(got.Body)).equals(body));
      await rejectsWith(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "flow/single.txt", PartNumber: 2 })), "InvalidPartNumber", 416);
    });

    test("UploadPartCopy copies byte ranges (across the source's part boundaries) and whole objects", async () => {
      const dest = "flow/copied.bin";
      const id = await create(dest);
      const source = `${BUCKET}/${key}`;
      const a = 5 * MiB - 100;
      const b = a + 5 * MiB - 1;
      const c1 = await s3.send(
        new UploadPartCopyCommand({ Bucket: BUCKET, Key: dest, UploadId: id, PartNumber: 1, CopySource: source, CopySourceRange: `bytes=${a}-${b}` }),
      );
      const c2 = await s3.send(new UploadPartCopyCommand({ Bucket: BUCKET, Key: dest, UploadId: id, PartNumber: 2, CopySource: `${BUCKET}/flow/single.txt` }));
      const expected = Buffer.concat([whole.subarray(a, b + 1), Buffer.from("single part")]);
      assert.equal(c1.CopyPartResult?.ETag, `"${md5Hex(whole.subarray(a, b + 1))}"`);
      const done = await complete(dest, id, [
        { PartNumber: 1, ETag: c1.CopyPartResult!.ETag! },
        { PartNumber: 2, ETag: c2.CopyPartResult!.ETag! },
      ]);
      assert.equal(done.ETag, multipartEtag([whole.subarray(a, b + 1), Buffer.from("single part")]));
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: dest }));
      assert.ok((await bodyBytes(got.Body)).equals(expected));
    });

    test("UploadPartCopy refuses malformed and out-of-bounds ranges and failed copy-source conditions", async () => {
      const id = await create("flow/copy-errors.bin");
      const base = { Bucket: BUCKET, Key: "flow/copy-errors.bin", UploadId: id, PartNumber: 1, CopySource: `${BUCKET}/${key}` };
      for (const range of ["bytes=0-", "0-10", "bytes=5-2,3-4", "bytes=a-b"]) {
        const err = await rejectsWith(s3.send(new UploadPartCopyCommand({ ...base, CopySourceRange: range })), "InvalidArgument", 400);
        assert.match(err.message, /must be of the form bytes=first-last/);
      }
      for (const range of [`bytes=0-${whole.length}`, "bytes=10-5"]) {
        const err = await rejectsWith(s3.send(new UploadPartCopyCommand({ ...base, CopySourceRange: range })), "InvalidArgument", 400);
        assert.equal(err.message, `Range specified is not valid for source object of size: ${whole.length}`);
      }
      await rejectsWith(s3.send(new UploadPartCopyCommand({ ...base, CopySourceIfMatch: '"nope"' })), "PreconditionFailed", 412);
      await rejectsWith(s3.send(new UploadPartCopyCommand({ ...base, CopySource: `${BUCKET}/flow/missing` })), "NoSuchKey", 404);
      await rejectsWith(s3.send(new UploadPartCopyCommand({ ...base, UploadId: "nope" })), "NoSuchUpload", 404);
      await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: "flow/copy-errors.bin", UploadId: id }));
    });
  });

  describe("S3's errors", () => {
    test("part numbers outside 1..10000 are InvalidArgument; an unknown upload is NoSuchUpload", async () => {
      const id = await create("errors/numbers");
      for (const n of [0, 10001]) {
        const res = await signedRequest(server, {
          method: "PUT",
          path: `/${BUCKET}/errors/numbers`,
          query: { partNumber: String(n), uploadId: id },
          body: "x",
        });
        const e = assertXmlError(res, 400, "InvalidArgument");
        assert.equal(e["Message"], "Part number must be an integer between 1 and 10000, inclusive");
        assert.equal(e["ArgumentName"], "partNumber");
        assert.equal(e["ArgumentValue"], String(n));
      }
      const missing = await signedRequest(server, { method: "PUT", path: `/${BUCKET}/errors/numbers`, query: { partNumber: "1", uploadId: "no-such-upload" }, body: "x" });
      assert.equal(assertXmlError(missing, 404, "NoSuchUpload")["UploadId"], "no-such-upload");
      // An upload id answers only for its own key.
      await rejectsWith(put("errors/other-key", id, 1, Buffer.from("x")), "NoSuchUpload", 404);
    });

    test("a part over 5 GiB is EntityTooLarge before any byte is read", async () => {
      const id = await create("errors/huge");
      const res = await signedRequest(server, {
        method: "PUT",
        path: `/${BUCKET}/errors/huge`,
        query: { partNumber: "1", uploadId: id },
        headers: { "content-length": String(5 * 1024 ** 3 + 1), "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
      });
      const e = assertXmlError(res, 400, "EntityTooLarge");
      assert.equal(e["MaxSizeAllowed"], String(5 * 1024 ** 3));
    });

    test("EntityTooSmall, InvalidPart, InvalidPartOrder, MalformedXML at completion; the upload survives them", async () => {
      const key = "errors/complete";
      const id = await create(key);
      const small = await put(key, id, 1, Buffer.from("tiny"));
      const big = await put(key, id, 2, randomBytes(5 * MiB));
      const last = await put(key, id, 3, Buffer.from("last"));

      const tooSmall = await signedRequest(server, {
        method: "POST",
        path: `/${BUCKET}/${key}`,
        query: { uploadId: id },
        body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${small.ETag}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>${big.ETag}</ETag></Part></CompleteMultipartUpload>`,
      });
      const e = assertXmlError(tooSmall, 400, "EntityTooSmall");
      assert.equal(e["ProposedSize"], "4");
      assert.equal(e["MinSizeAllowed"], String(5 * MiB));
      assert.equal(e["PartNumber"], "1");
      assert.equal(e["ETag"], small.ETag!.replace(/"/g, ""));

      const wrongEtag = await rejectsWith(complete(key, id, [{ PartNumber: 2, ETag: '"0123456789abcdef0123456789abcdef"' }, last]), "InvalidPart", 400);
      assert.match(wrongEtag.message, /could not be found/);
      await rejectsWith(complete(key, id, [big, { PartNumber: 4, ETag: last.ETag! }]), "InvalidPart", 400);
      await rejectsWith(complete(key, id, [last, big]), "InvalidPartOrder", 400);
      await rejectsWith(complete(key, id, [big, big]), "InvalidPartOrder", 400);
      const empty = await signedRequest(server, { method: "POST", path: `/${BUCKET}/${key}`, query: { uploadId: id }, body: "<CompleteMultipartUpload></CompleteMultipartUpload>" });
      assertXmlError(empty, 400, "MalformedXML");
      const badNumber = await signedRequest(server, {
        method: "POST",
        path: `/${BUCKET}/${key}`,
        query: { uploadId: id },
        body: `<CompleteMultipartUpload><Part><PartNumber>0</PartNumber><ETag>${big.ETag}</ETag></Part></CompleteMultipartUpload>`,
      });
      assertXmlError(badNumber, 400, "InvalidArgument");

      // Parts may skip numbers; ETags may come without quotes; the last part may be empty.
      const emptyPart = await put(key, id, 9, Buffer.alloc(0));
      const done = await complete(key, id, [{ PartNumber: 2, ETag: big.ETag!.replace(/"/g, "") }, emptyPart]);
      assert.match(done.ETag ?? "", /-2"$/);
      const second = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 2 }));
      assert.equal(second.ContentLength, 0);
      assert.equal((await bodyBytes(second.Body)).length, 0);
      const first = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 1 }));
      assert.equal(first.ContentLength, 5 * MiB);
      assert.equal(first.PartsCount, 2);
    });

    test("a retried Complete answers the same; another parts list, Abort and ListParts then answer NoSuchUpload", async () => {
      const key = "errors/retry";
      const id = await create(key);
      const body = randomBytes(5 * MiB);
      const p1 = await put(key, id, 1, body);
      const p2 = await put(key, id, 2, Buffer.from("end"));
      const first = await complete(key, id, [p1, p2]);
      const again = await complete(key, id, [p1, p2]);
      assert.equal(again.ETag, first.ETag);
      assert.equal(again.$metadata.httpStatusCode, 200);
      await rejectsWith(complete(key, id, [p1]), "NoSuchUpload", 404);
      await rejectsWith(s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id })), "NoSuchUpload", 404);
      await rejectsWith(s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: id })), "NoSuchUpload", 404);
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      assert.ok((await bodyBytes(got.Body)).equals(Buffer.concat([body, Buffer.from("end")])));
    });

    test("an aborted upload is gone for every operation", async () => {
      const key = "errors/aborted";
      const id = await create(key);
      const p1 = await put(key, id, 1, Buffer.from("x"));
      await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
      await rejectsWith(s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id })), "NoSuchUpload", 404);
      await rejectsWith(put(key, id, 2, Buffer.from("y")), "NoSuchUpload", 404);
      await rejectsWith(complete(key, id, [p1]), "NoSuchUpload", 404);
      await rejectsWith(s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: id })), "NoSuchUpload", 404);
    });

    test("If-None-Match: * on Complete refuses to overwrite an existing key", async () => {
      const key = "errors/conditional";
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: "exists" }));
      const id = await create(key);
      const p1 = await put(key, id, 1, Buffer.from("new"));
      await rejectsWith(
        s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id, IfNoneMatch: "*", MultipartUpload: { Parts: [p1] } })),
        "PreconditionFailed",
        412,
      );
      const parts = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
      assert.equal(parts.Parts?.length, 1, "a refused completion leaves the upload in place");
    });
  });

  test("ListParts pages with max-parts and part-number-marker", async () => {
    const key = "paging/parts";
    const id = await create(key, { StorageClass: "STANDARD_IA" });
    const numbers = [1, 2, 3, 5, 8, 13, 21];
    for (const n of numbers) await put(key, id, n, Buffer.from(`part ${n}`));
    const seen: number[] = [];
    let marker: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: id, MaxParts: 3, ...(marker ? { PartNumberMarker: marker } : {}) }));
      pages++;
      assert.equal(page.MaxParts, 3);
      assert.equal(page.StorageClass, "STANDARD_IA");
      for (const p of page.Parts ?? []) {
        seen.push(p.PartNumber!);
        assert.equal(p.Size, `part ${p.PartNumber}`.length);
        assert.equal(p.ETag, `"${md5Hex(`part ${p.PartNumber}`)}"`);
      }
      if (!page.IsTruncated) break;
      marker = String(page.NextPartNumberMarker);
    }
    assert.deepEqual(seen, numbers);
    assert.equal(pages, 3);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
  });

  test("ListMultipartUploads: prefix, delimiter, key-marker / upload-id-marker paging", async () => {
    const bucket = "multipart-listing";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const made: Array<[string, string]> = [];
    for (const key of ["logs/2024/a", "logs/2024/b", "logs/2025/a", "logs/top", "data/x", "data/x", "zeta"]) {
      const r = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      made.push([key, r.UploadId!]);
    }
    const all: Array<[string, string]> = [];
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    for (;;) {
      const page = await s3.send(
        new ListMultipartUploadsCommand({ Bucket: bucket, MaxUploads: 2, ...(keyMarker ? { KeyMarker: keyMarker } : {}), ...(idMarker ? { UploadIdMarker: idMarker } : {}) }),
      );
      for (const u of page.Uploads ?? []) all.push([u.Key!, u.UploadId!]);
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      idMarker = page.NextUploadIdMarker;
    }
    const expected = [...made].sort((a, b) => (a[0] === b[0] ? 0 : Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0]))));
    assert.deepEqual(all, expected, "by key, then initiation order, across pages");

    const folders = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: "logs/", Delimiter: "/" }));
    assert.deepEqual(folders.CommonPrefixes?.map((p) => p.Prefix), ["logs/2024/", "logs/2025/"]);
    assert.deepEqual(folders.Uploads?.map((u) => u.Key), ["logs/top"]);
    assert.equal(folders.Prefix, "logs/");
    assert.equal(folders.Delimiter, "/");

    // A bucket whose only content is incomplete uploads can be deleted; the uploads go with it.
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    await rejectsWith(s3.send(new ListMultipartUploadsCommand({ Bucket: bucket })), "NoSuchBucket", 404);
  });

  test("lib-storage Upload: a 40 MiB body in 5 MiB parts, 4 at a time", async () => {
    const body = randomBytes(40 * MiB + 12345);
    const upload = new Upload({ client: s3, params: { Bucket: BUCKET, Key: "lib-storage/big.bin", Body: body }, partSize: 5 * MiB, queueSize: 4 });
    const done = await upload.done();
    const parts = [];
    for (let at = 0; at < body.length; at += 5 * MiB) parts.push(body.subarray(at, at + 5 * MiB));
    assert.equal(done.ETag, multipartEtag(parts));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "lib-storage/big.bin" }));
    assert.equal(createHash("sha256").update(await bodyBytes(got.Body)).digest("hex"), createHash("sha256").update(body).digest("hex"));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: "lib-storage/" }));
    assert.equal(uploads.Uploads, undefined, "nothing left incomplete");
  });
});
