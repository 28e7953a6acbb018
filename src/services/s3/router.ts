import { S3Error } from "./errors.js";
import type { S3Request } from "./request.js";

/** S3 operations by their API names. */
export type S3Operation =
  | "ListBuckets"
  | "CreateBucket"
  | "HeadBucket"
  | "DeleteBucket"
  | "GetBucketLocation"
  | "GetBucketVersioning"
  | "PutBucketVersioning"
  | "GetBucketTagging"
  | "PutBucketTagging"
  | "DeleteBucketTagging"
  | "GetBucketCors"
  | "PutBucketCors"
  | "DeleteBucketCors"
  | "ListObjects"
  | "ListObjectsV2"
  | "ListObjectVersions"
  | "ListMultipartUploads"
  | "DeleteObjects"
  | "PostObject"
  | "PutObject"
  | "CopyObject"
  | "GetObject"
  | "HeadObject"
  | "DeleteObject"
  | "GetObjectTagging"
  | "PutObjectTagging"
  | "DeleteObjectTagging"
  | "GetObjectAttributes"
  | "CreateMultipartUpload"
  | "UploadPart"
  | "UploadPartCopy"
  | "CompleteMultipartUpload"
  | "AbortMultipartUpload"
  | "ListParts";

// Bucket sub-resources we do not serve yet; asking for one is answered NotImplemented rather
// than being mistaken for a plain listing or object read.
const UNSUPPORTED = [
  "accelerate", "acl", "analytics", "encryption", "intelligent-tiering", "inventory", "lifecycle",
  "logging", "metrics", "notification", "object-lock", "ownershipControls", "policy", "policyStatus",
  "publicAccessBlock", "replication", "requestPayment", "website", "legal-hold", "retention", "restore",
  "select", "torrent", "session", "metadataTable",
];

/** Which operation a request is, from its method, addressing and sub-resource parameters (the S3 API reference's request syntax). */
export function resolveOperation(req: S3Request): S3Operation {
  const m = req.http.method;
  const q = req.query;
  const has = (name: string): boolean => q.has(name);
  if (req.http.rawQuery !== "") {
    for (const sub of UNSUPPORTED) {
      if (has(sub)) throw new S3Error("NotImplemented", `Streamlake does not implement the '${sub}' sub-resource yet.`);
    }
  }
  if (req.bucket === undefined) {
    if (m === "GET") return "ListBuckets";
    throw new S3Error("MethodNotAllowed", undefined, { Method: m, ResourceType: "SERVICE" });
  }
  if (req.key === undefined) {
    switch (m) {
      case "GET":
        if (has("location")) return "GetBucketLocation";
        if (has("versioning")) return "GetBucketVersioning";
        if (has("tagging")) return "GetBucketTagging";
        if (has("cors")) return "GetBucketCors";
        if (has("versions")) return "ListObjectVersions";
        if (has("uploads")) return "ListMultipartUploads";
        if (q.get("list-type") === "2") return "ListObjectsV2";
        return "ListObjects";
      case "PUT":
        if (has("versioning")) return "PutBucketVersioning";
        if (has("tagging")) return "PutBucketTagging";
        if (has("cors")) return "PutBucketCors";
        return "CreateBucket";
      case "HEAD":
        return "HeadBucket";
      case "DELETE":
        if (has("tagging")) return "DeleteBucketTagging";
        if (has("cors")) return "DeleteBucketCors";
        return "DeleteBucket";
      case "POST":
        if (has("delete")) return "DeleteObjects";
        return "PostObject";
    }
    throw new S3Error("MethodNotAllowed", undefined, { Method: m, ResourceType: "BUCKET" });
  }
  switch (m) {
    case "GET":
      if (has("tagging")) return "GetObjectTagging";
      if (has("attributes")) return "GetObjectAttributes";
      if (has("uploadId")) return "ListParts";
      return "GetObject";
    case "HEAD":
      return "HeadObject";
    case "PUT":
      if (has("tagging")) return "PutObjectTagging";
      if (has("uploadId") && has("partNumber")) return req.http.headers["x-amz-copy-source"] !== undefined ? "UploadPartCopy" : "UploadPart";
      if (req.http.headers["x-amz-copy-source"] !== undefined) return "CopyObject";
      return "PutObject";
    case "DELETE":
      if (has("tagging")) return "DeleteObjectTagging";
      if (has("uploadId")) return "AbortMultipartUpload";
      return "DeleteObject";
    case "POST":
      if (has("uploads")) return "CreateMultipartUpload";
      if (has("uploadId")) return "CompleteMultipartUpload";
      break;
  }
  throw new S3Error("MethodNotAllowed", undefined, { Method: m, ResourceType: "OBJECT" });
}
