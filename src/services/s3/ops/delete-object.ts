import type { ServiceResponse } from "../../../server/service.js";
import type { BucketRecord } from "../../../storage/objects/object-store.js";
import { S3Error, s3Headers } from "../errors.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket, requireKey } from "../shapes/bucket-access.js";
import { isValidVersionId, newVersionId } from "../shapes/version-ids.js";

/** What one delete did, as DeleteObject headers and DeleteObjects <Deleted> report it. */
export interface DeleteOutcome {
  readonly versionId: string | undefined;
  readonly deleteMarker: boolean;
  readonly deleteMarkerVersionId: string | undefined;
}

/**
 * Deletes a key or one version, as S3 does per versioning state (S3 User Guide, "Deleting object
 * versions"): without a version id an Enabled bucket gains a delete marker, a Suspended bucket
 * gets a null delete marker, an unversioned bucket loses the object; with one, that version goes.
 * Deleting what does not exist succeeds.
 */
export async function deleteKey(env: S3Env, bucket: BucketRecord, key: string, versionId: string | undefined): Promise<DeleteOutcome> {
  if (versionId !== undefined) {
    if (!isValidVersionId(versionId)) {
      throw new S3Error("InvalidArgument", "Invalid version id specified", { ArgumentName: "versionId", ArgumentValue: versionId });
    }
    const result = await env.objects.deleteVersion(bucket.name, key, versionId);
    if (result !== undefined) env.pins.release(result.released);
    return { versionId, deleteMarker: result?.removed.isDeleteMarker ?? false, deleteMarkerVersionId: undefined };
  }
  if (bucket.versioning === "Unversioned") {
    const result = await env.objects.deleteVersion(bucket.name, key, "null");
    if (result !== undefined) env.pins.release(result.released);
    return { versionId: undefined, deleteMarker: false, deleteMarkerVersionId: undefined };
  }
  const markerId = bucket.versioning === "Enabled" ? newVersionId() : "null";
  const result = await env.objects.putVersion({
    bucket: bucket.name,
    key,
    versionId: markerId,
    isDeleteMarker: true,
    size: 0,
    etag: "",
    lastModified: env.ctx.clock.now(),
    storageClass: "STANDARD",
    ownerAccountId: env.ctx.principal.accountId,
    headers: {},
    userMetadata: {},
    checksum: undefined,
    tags: [],
    data: { kind: "none" },
  });
  env.pins.release(result.released);
  return { versionId: markerId, deleteMarker: true, deleteMarkerVersionId: markerId };
}

export async function deleteObject(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const key = requireKey(req);
  const outcome = await deleteKey(env, bucket, key, req.query.get("versionId") ?? undefined);
  const headers: Record<string, string> = s3Headers(env.ctx);
  if (outcome.deleteMarker) headers["x-amz-delete-marker"] = "true";
  if (outcome.versionId !== undefined) headers["x-amz-version-id"] = outcome.versionId;
  return { status: 204, headers };
}
