import type { Readable } from "node:stream";
import { child, children, parseXml, text, type XmlValue } from "../../../protocols/xml/xml-reader.js";
import { toXml, type XmlNode } from "../../../protocols/xml/xml-writer.js";
import type { ServiceResponse } from "../../../server/service.js";
import { parseChecksumRequest, verifyBodyBytes } from "../body/checksum-request.js";
import { S3Error, s3Headers, toS3Error } from "../errors.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket } from "../shapes/bucket-access.js";
import { assertKey } from "../shapes/object-key.js";
import { S3_XMLNS } from "../shapes/owner.js";
import { isValidVersionId } from "../shapes/version-ids.js";
import { deleteKey } from "./delete-object.js";

/** At most 1,000 keys per request (DeleteObjects docs). */
export const MAX_DELETE_KEYS = 1000;
// 1,000 keys of 1,024 bytes, each character possibly written as a 6-byte entity, plus framing.
const MAX_BODY = 8 * 1024 * 1024;

/** One `<Object>` of the request. */
interface Target {
  readonly key: string;
  readonly versionId: string | undefined;
}

async function readBody(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_BODY) throw new S3Error("MalformedXML");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** Reads `<Delete><Quiet/><Object><Key/><VersionId/></Object>...</Delete>`; anything else is MalformedXML. */
export function parseDeleteRequest(xml: string): { quiet: boolean; targets: Target[] } {
  const root = child(parseXml(xml), "Delete");
  if (root === undefined) throw new S3Error("MalformedXML");
  const quietText = text(root, "Quiet");
  if (quietText !== undefined && !/^(true|false)$/i.test(quietText.trim())) throw new S3Error("MalformedXML");
  const objects: XmlValue[] = children(root, "Object");
  if (objects.length === 0 || objects.length > MAX_DELETE_KEYS) throw new S3Error("MalformedXML");
  const targets = objects.map((o): Target => {
    const key = text(o, "Key");
    // ObjectKey has a minimum length of 1 in the S3 model.
    if (key === undefined || key === "") throw new S3Error("MalformedXML");
    return { key, versionId: text(o, "VersionId") };
  });
  return { quiet: quietText?.trim().toLowerCase() === "true", targets };
}

/** DeleteObjects: up to 1,000 deletes in one request, each answered on its own. */
export async function deleteObjects(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const h = req.http.headers;
  const sums = parseChecksumRequest(h);
  // S3 insists on an integrity check for this operation (DeleteObjects docs: Content-MD5 or an x-amz-checksum-*).
  if (sums.contentMd5 === undefined && sums.algorithm === undefined) {
    throw new S3Error("InvalidRequest", "Missing required header for this request: Content-MD5");
  }
  const bytes = await readBody(req.http.body);
  await verifyBodyBytes(sums, req.http.trailers, bytes);
  const { quiet, targets } = parseDeleteRequest(bytes.toString("utf8"));

  // Started together so the store's group commit can share fsyncs; a key's deletes still commit in order.
  const outcomes = await Promise.all(
    targets.map(async (t) => {
      try {
        assertKey(t.key);
        // A version id that cannot exist is answered per key, as S3 does.
        if (t.versionId !== undefined && !isValidVersionId(t.versionId)) throw new S3Error("NoSuchVersion");
        return { target: t, outcome: await deleteKey(env, bucket, t.key, t.versionId) };
      } catch (err) {
        const e = toS3Error(err);
        if (e.status >= 500) env.ctx.logger.error("delete failed", { requestId: env.ctx.requestId, key: t.key, err: String(err) });
        return { target: t, error: e };
      }
    }),
  );
  const deleted: XmlNode[] = [];
  const errors: XmlNode[] = [];
  for (const r of outcomes) {
    const { key, versionId } = r.target;
    if ("error" in r) {
      errors.push({ Key: key, VersionId: versionId, Code: r.error.code, Message: r.error.message });
      continue;
    }
    if (quiet) continue;
    const o = r.outcome;
    deleted.push({
      Key: key,
      VersionId: versionId,
      DeleteMarker: o.deleteMarker ? true : undefined,
      // Removing a delete marker by id reports that marker's id too.
      DeleteMarkerVersionId: o.deleteMarker ? (o.deleteMarkerVersionId ?? versionId) : undefined,
    });
  }
  const body = toXml("DeleteResult", { Deleted: deleted, Error: errors }, S3_XMLNS);
  return { status: 200, headers: { ...s3Headers(env.ctx), "content-type": "application/xml" }, body };
}
