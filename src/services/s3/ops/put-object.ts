import type { ServiceResponse } from "../../../server/service.js";
import type { Precondition } from "../../../storage/objects/object-store.js";
import { checksumHeader } from "../checksums.js";
import { parseChecksumRequest, verifyChecksums } from "../body/checksum-request.js";
import { declaredLength } from "../body/declared-length.js";
import { INLINE_MAX, ingestBody } from "../body/ingest.js";
import { ingestInline, ingestWhole } from "../body/read-inline.js";
import { S3Error, s3Headers } from "../errors.js";
import type { S3Env, S3Request } from "../request.js";
import { parseNewObject, uploadedVersion } from "../shapes/new-object.js";

/**
 * PutObject's conditional writes: If-None-Match: * fails when the key exists, If-Match when the
 * current ETag differs (S3 User Guide, "Conditional writes").
 */
export function writePreconditions(h: Readonly<Record<string, string>>): Precondition | undefined {
  const ifNoneMatch = h["if-none-match"];
  const ifMatch = h["if-match"];
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== "*") {
    throw new S3Error("NotImplemented", "A header you provided implies functionality that is not implemented", { Header: "If-None-Match" });
  }
  return (current) => {
    const exists = current !== undefined && !current.isDeleteMarker;
    if (ifNoneMatch !== undefined && exists) throw new S3Error("PreconditionFailed", undefined, { Condition: "If-None-Match" });
    if (ifMatch !== undefined) {
      if (!exists) throw new S3Error("NoSuchKey", undefined, { Key: "" });
      const wanted = ifMatch.split(",").map((s) => s.trim());
      if (!wanted.includes("*") && !wanted.includes(current.etag)) throw new S3Error("PreconditionFailed", undefined, { Condition: "If-Match" });
    }
  };
}

export async function putObject(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const { bucket, key, write, tags } = parseNewObject(req, env);
  const h = req.http.headers;
  const sums = parseChecksumRequest(h);
  const precondition = writePreconditions(h);
  const expectedLength = declaredLength(h);

  // A small body is read whole and stored inline, watched through the cheap abort hook when there
  // is one; the server may have read it whole already (a plain payload hash, checked once).
  const whole = req.http.wholeBody;
  const abort = env.ctx.abort ?? env.ctx.signal;
  const body =
    expectedLength <= INLINE_MAX
      ? whole !== undefined
        ? await ingestWhole(whole(), expectedLength, sums.algorithm, abort)
        : await ingestInline(req.http.body, expectedLength, sums.algorithm, abort)
      : await ingestBody(req.http.body, env.blobs, { expectedLength, checksum: sums.algorithm, signal: env.ctx.signal, releaseChunks: true, direct: true });
  try {
    verifyChecksums(sums, req.http.trailers, body.md5Hex, body.checksumValue);
    const version = uploadedVersion(bucket, key, body, { write, tags, checksum: sums.algorithm, ownerAccountId: env.ctx.principal.accountId, now: env.ctx.clock.now() });
    const result = await env.objects.putVersion(version, precondition);
    env.pins.release(result.released);
    const headers = s3Headers(env.ctx);
    headers["etag"] = version.etag;
    if (bucket.versioning !== "Unversioned") headers["x-amz-version-id"] = version.versionId;
    if (version.checksum !== undefined) {
      headers[checksumHeader(version.checksum.algorithm)] = version.checksum.value;
      headers["x-amz-checksum-type"] = "FULL_OBJECT";
    }
    return { status: 200, headers };
  } catch (err) {
    env.pins.release([body.data]);
    if (err instanceof S3Error && err.code === "NoSuchKey") throw new S3Error("NoSuchKey", undefined, { Key: key });
    throw err;
  }
}
