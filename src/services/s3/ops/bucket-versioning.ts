import { child, parseXml, text, type XmlElement } from "../../../protocols/xml/xml-reader.js";
import { toXml } from "../../../protocols/xml/xml-writer.js";
import type { ServiceResponse } from "../../../server/service.js";
import { readConfigBody } from "../body/config-body.js";
import { S3Error, s3Headers } from "../errors.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket } from "../shapes/bucket-access.js";
import { S3_XMLNS } from "../shapes/owner.js";

/** What a VersioningConfiguration body asks for. */
export interface VersioningRequest {
  readonly status: "Enabled" | "Suspended";
}

/** Parses a PutBucketVersioning body; anything but Status Enabled/Suspended is MalformedXML (as S3 answers). */
export function parseVersioningConfiguration(body: string): VersioningRequest {
  if (body.trim() === "") throw new S3Error("MalformedXML");
  const doc = parseXml(body);
  const config: XmlElement | undefined = child(doc, "VersioningConfiguration");
  if (config === undefined) throw new S3Error("MalformedXML");
  const status = text(config, "Status");
  if (status !== "Enabled" && status !== "Suspended") throw new S3Error("MalformedXML");
  const mfa = text(config, "MfaDelete");
  if (mfa !== undefined && mfa !== "Enabled" && mfa !== "Disabled") throw new S3Error("MalformedXML");
  // MFA delete needs an MFA device (x-amz-mfa) this server has none of.
  if (mfa === "Enabled") throw new S3Error("NotImplemented", "Streamlake does not implement MFA delete.");
  return { status };
}

/** PutBucketVersioning: Enabled or Suspended (a bucket can be suspended without ever being enabled). */
export async function putBucketVersioning(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const body = await readConfigBody(req, true);
  const { status } = parseVersioningConfiguration(body);
  await env.objects.setVersioning(bucket.name, status);
  return { status: 200, headers: s3Headers(env.ctx) };
}

/** GetBucketVersioning: a bucket never versioned answers an empty VersioningConfiguration (GetBucketVersioning docs). */
export async function getBucketVersioning(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const body = toXml("VersioningConfiguration", { Status: bucket.versioning === "Unversioned" ? undefined : bucket.versioning }, S3_XMLNS);
  return { status: 200, headers: { ...s3Headers(env.ctx), "content-type": "application/xml" }, body };
}
