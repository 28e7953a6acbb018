// Multipart checksums end to end: COMPOSITE (checksum of the part checksums, "-N") and FULL_OBJECT
// (a CRC of every byte, combined from the part CRCs), verified per part on UploadPart and per list
// on CompleteMultipartUpload, and returned by Complete, HEAD/GET (checksum mode) and ListParts.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { Crc32c } from "@aws-crypto/crc32c";
import { Crc64Nvme } from "@aws-sdk/crc64-nvme";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  UploadPartCommand,
  type ChecksumAlgorithm,
  type CompletedPart,
  type S3Client,
} from "@aws-sdk/client-s3";
import { bodyBytes, rejectsWith, withServerAndBucket } from "./objects-support.js";

const BUCKET = "multipart-checksums";
const MiB = 1024 * 1024;

const sha256 = (b: Uint8Array): Buffer => createHash("sha256").update(b).digest();
const crc32c = (b: Uint8Array): Buffer => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(new Crc32c().update(b).digest());
  return out;
};
const crc64 = async (b: Uint8Array): Promise<Buffer> => {
  const h = new Crc64Nvme();
  h.update(b);
  return Buffer.from(await h.digest());
};

describe("S3 multipart checksums", () => {
  let s3: S3Client;
  const bodies = [randomBytes(5 * MiB + 3), randomBytes(777)];
  const whole = Buffer.concat(bodies);

  withServerAndBucket(BUCKET, (env) => ({ s3 } = env));

  async function upload(key: string, algorithm: ChecksumAlgorithm, type?: "COMPOSITE" | "FULL_OBJECT"): Promise<{ id: string; parts: CompletedPart[] }> {
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ChecksumAlgorithm: algorithm, ...(type ? { ChecksumType: type } : {}) }));
    assert.equal(created.ChecksumAlgorithm, algorithm);
    const parts: CompletedPart[] = [];
    for (const [i, body] of bodies.entries()) {
      const r = await s3.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: created.UploadId!, PartNumber: i + 1, Body: body, ChecksumAlgorithm: algorithm }),
      );
      const field = `Checksum${algorithm}` as const;
      assert.ok(r[field] !== undefined, `UploadPart returns ${field}`);
      parts.push({ PartNumber: i + 1, ETag: r.ETag!, [field]: r[field] });
    }
    return { id: created.UploadId!, parts };
  }

  test("COMPOSITE SHA256: per-part checksums verified, the object's is SHA256 of the part digests with -N", async () => {
    const key = "composite/sha256";
    const { id, parts } = await upload(key, "SHA256");
    assert.equal(parts[0]!.ChecksumSHA256, sha256(bodies[0]!).toString("base64"));
    const listed = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
    assert.equal(listed.ChecksumAlgorithm, "SHA256");
    assert.equal(listed.ChecksumType, "COMPOSITE");
    assert.deepEqual(listed.Parts?.map((p) => p.ChecksumSHA256), parts.map((p) => p.ChecksumSHA256));

    const base = { Bucket: BUCKET, Key: key, UploadId: id };
    const missing = await rejectsWith(
      s3.send(new CompleteMultipartUploadCommand({ ...base, MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.PartNumber!, ETag: p.ETag! })) } })),
      "InvalidRequest",
      400,
    );
    assert.match(missing.message, /must include the checksum for each part/);
    const wrong = parts.map((p, i) => (i === 1 ? { ...p, ChecksumSHA256: sha256(Buffer.from("other")).toString("base64") } : p));
    await rejectsWith(s3.send(new CompleteMultipartUploadCommand({ ...base, MultipartUpload: { Parts: wrong } })), "InvalidPart", 400);

    const expected = `${sha256(Buffer.concat(bodies.map(sha256))).toString("base64")}-2`;
    const done = await s3.send(new CompleteMultipartUploadCommand({ ...base, MultipartUpload: { Parts: parts } }));
    assert.equal(done.ChecksumSHA256, expected);
    assert.equal(done.ChecksumType, "COMPOSITE");
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: "ENABLED" }));
    assert.equal(head.ChecksumSHA256, expected);
    assert.equal(head.ChecksumType, "COMPOSITE");
    const part2 = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 2, ChecksumMode: "ENABLED" }));
    assert.equal(part2.ChecksumSHA256, sha256(bodies[1]!).toString("base64"), "a part read carries the part's checksum");
    assert.ok((await bodyBytes(part2.Body)).equals(bodies[1]!));
  });

  test("a part sent with another algorithm than the upload's, or with a wrong value, is refused", async () => {
    const key = "composite/mismatch";
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ChecksumAlgorithm: "SHA256" }));
    const base = { Bucket: BUCKET, Key: key, UploadId: created.UploadId!, PartNumber: 1, Body: Buffer.from("part") };
    const mismatch = await rejectsWith(s3.send(new UploadPartCommand({ ...base, ChecksumAlgorithm: "CRC32" })), "InvalidRequest", 400);
    assert.match(mismatch.message, /expected checksum Type: sha256/);
    await rejectsWith(s3.send(new UploadPartCommand({ ...base, ChecksumSHA256: sha256(Buffer.from("not the part")).toString("base64") })), "BadDigest", 400);
    const parts = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: created.UploadId! }));
    assert.equal(parts.Parts, undefined, "no refused part was recorded");
  });

  test("FULL_OBJECT CRC32C: the part CRCs combine into the CRC of every byte; stated totals are checked", async () => {
    const key = "full/crc32c";
    const { id, parts } = await upload(key, "CRC32C", "FULL_OBJECT");
    const expected = crc32c(whole).toString("base64");
    const base = { Bucket: BUCKET, Key: key, UploadId: id, MultipartUpload: { Parts: parts } };
    await rejectsWith(s3.send(new CompleteMultipartUploadCommand({ ...base, ChecksumCRC32C: crc32c(Buffer.from("x")).toString("base64"), ChecksumType: "FULL_OBJECT" })), "BadDigest", 400);
    await rejectsWith(s3.send(new CompleteMultipartUploadCommand({ ...base, MpuObjectSize: whole.length + 1 })), "InvalidRequest", 400);
    const mode = await rejectsWith(s3.send(new CompleteMultipartUploadCommand({ ...base, ChecksumType: "COMPOSITE" })), "InvalidRequest", 400);
    assert.match(mode.message, /created using the FULL_OBJECT checksum mode/);
    const done = await s3.send(new CompleteMultipartUploadCommand({ ...base, ChecksumCRC32C: expected, ChecksumType: "FULL_OBJECT", MpuObjectSize: whole.length }));
    assert.equal(done.ChecksumCRC32C, expected);
    assert.equal(done.ChecksumType, "FULL_OBJECT");
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: "ENABLED" }));
    assert.equal(got.ChecksumCRC32C, expected);
    assert.equal(got.ChecksumType, "FULL_OBJECT");
    assert.ok((await bodyBytes(got.Body)).equals(whole));
  });

  test("CRC64NVME is FULL_OBJECT by default, and part checksums are optional in its Complete", async () => {
    const key = "full/crc64nvme";
    const { id, parts } = await upload(key, "CRC64NVME");
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id, MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.PartNumber!, ETag: p.ETag! })) } }),
    );
    assert.equal(done.ChecksumCRC64NVME, (await crc64(whole)).toString("base64"));
    assert.equal(done.ChecksumType, "FULL_OBJECT");
  });

  test("checksum types an algorithm cannot have are refused at creation", async () => {
    for (const [algorithm, type] of [
      ["SHA1", "FULL_OBJECT"],
      ["SHA256", "FULL_OBJECT"],
      ["CRC64NVME", "COMPOSITE"],
    ] as const) {
      await rejectsWith(
        s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "bad", ChecksumAlgorithm: algorithm, ChecksumType: type })),
        "InvalidRequest",
        400,
      );
    }
  });
});
