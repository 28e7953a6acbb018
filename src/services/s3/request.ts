import type { Config } from "../../server/config.js";
import type { AccessKeyLookup, RequestContext, ServiceRequest, ServiceResponse } from "../../server/service.js";
import { virtualHostBucket } from "../../server/dispatch.js";
import type { BlobStore } from "../../storage/blobs/blob-store.js";
import type { ObjectStore } from "../../storage/objects/object-store.js";
import type { BlobPins } from "./body/blob-pins.js";
import { S3Error } from "./errors.js";

/** An S3 request with its addressing resolved: bucket and key decoded, query parsed. */
export interface S3Request {
  readonly http: ServiceRequest;
  readonly bucket: string | undefined;
  /** The object key, percent-decoded, exactly as the client meant it. */
  readonly key: string | undefined;
  /** Query parameters, decoded. */
  readonly query: URLSearchParams;
  /** The resource for error answers ("/bucket/key"). */
  readonly resource: string;
}

/** What S3 operations work with. */
export interface S3Env {
  readonly objects: ObjectStore;
  readonly blobs: BlobStore;
  /** Frees released blobs once no GET is still streaming them. */
  readonly pins: BlobPins;
  readonly config: Config;
  /** Access keys, to check the signature of a browser POST upload's policy. */
  readonly accessKeys: AccessKeyLookup;
  readonly ctx: RequestContext;
}

/** An S3 operation: parses its input from the request, runs, renders its answer. */
export type S3Handler = (req: S3Request, env: S3Env) => Promise<ServiceResponse>;

function decode(raw: string): string {
  if (!raw.includes("%")) return raw; // what decodeURIComponent returns for it
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new S3Error("InvalidArgument", "Invalid URI: malformed percent-encoding", { ArgumentName: "uri" });
  }
}

/** Resolves path-style (`/bucket/key`) and virtual-hosted-style (`bucket.<domain>/key`) addressing. */
export function parseS3Request(http: ServiceRequest, baseDomains: readonly string[]): S3Request {
  const query = new URLSearchParams(http.rawQuery);
  const hostBucket = virtualHostBucket(http.hostname, baseDomains);
  let bucket: string | undefined;
  let key: string | undefined;
  if (hostBucket !== undefined) {
    bucket = hostBucket;
    const rest = http.rawPath.slice(1);
    key = rest === "" ? undefined : decode(rest);
  } else {
    const path = http.rawPath.startsWith("/") ? http.rawPath.slice(1) : http.rawPath;
    const slash = path.indexOf("/");
    const rawBucket = slash === -1 ? path : path.slice(0, slash);
    bucket = rawBucket === "" ? undefined : decode(rawBucket);
    const rawKey = slash === -1 ? "" : path.slice(slash + 1);
    key = rawKey === "" ? undefined : decode(rawKey);
  }
  const resource = bucket === undefined ? "/" : key === undefined ? `/${bucket}` : `/${bucket}/${key}`;
  return { http, bucket, key, query, resource };
}
