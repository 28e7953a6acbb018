import { AuthError } from "../../protocols/auth-error.js";
import { toXml } from "../../protocols/xml/xml-writer.js";
import { XmlSyntaxError } from "../../protocols/xml/xml-reader.js";
import type { RequestContext, ServiceResponse } from "../../server/service.js";
import { BucketNotEmptyError, NoSuchBucketError } from "../../storage/objects/object-store.js";
import { NoSuchUploadError } from "../../storage/objects/upload-store.js";

// Codes, statuses and messages as the S3 API reference lists them ("Error responses").
const TABLE = {
  AccessDenied: [403, "Access Denied"],
  AccessForbidden: [403, "Access Forbidden"],
  AuthorizationHeaderMalformed: [400, "The authorization header is malformed."],
  AuthorizationQueryParametersError: [400, "Error parsing the X-Amz-Credential parameter."],
  BadRequest: [400, "Bad Request"],
  BadDigest: [400, "The Content-MD5 you specified did not match what we received."],
  BucketAlreadyExists: [409, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."],
  BucketAlreadyOwnedByYou: [409, "Your previous request to create the named bucket succeeded and you already own it."],
  BucketNotEmpty: [409, "The bucket you tried to delete is not empty"],
  ConditionalRequestConflict: [409, "The conditional request cannot succeed due to a conflicting operation against this resource."],
  EntityTooLarge: [400, "Your proposed upload exceeds the maximum allowed size"],
  EntityTooSmall: [400, "Your proposed upload is smaller than the minimum allowed object size."],
  ExpiredToken: [400, "The provided token has expired."],
  IllegalLocationConstraintException: [400, "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to."],
  IncompleteBody: [400, "You did not provide the number of bytes specified by the Content-Length HTTP header"],
  InternalError: [500, "We encountered an internal error. Please try again."],
  InvalidAccessKeyId: [403, "The AWS Access Key Id you provided does not exist in our records."],
  InvalidArgument: [400, "Invalid Argument"],
  InvalidBucketName: [400, "The specified bucket is not valid."],
  InvalidDigest: [400, "The Content-MD5 you specified is not valid."],
  InvalidLocationConstraint: [400, "The specified location-constraint is not valid"],
  InvalidObjectState: [403, "The operation is not valid for the object's storage class"],
  InvalidPart: [400, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."],
  InvalidPartNumber: [416, "The requested partnumber is not satisfiable"],
  InvalidPartOrder: [400, "The list of parts was not in ascending order. Parts must be ordered by part number."],
  InvalidPolicyDocument: [400, "The content of the form does not meet the conditions specified in the policy document."],
  InvalidRange: [416, "The requested range is not satisfiable"],
  InvalidRequest: [400, "Invalid Request"],
  InvalidStorageClass: [400, "The storage class you specified is not valid"],
  InvalidTag: [400, "The tag provided was not a valid tag."],
  KeyTooLongError: [400, "Your key is too long"],
  MalformedPOSTRequest: [400, "The body of your POST request is not well-formed multipart/form-data."],
  MalformedXML: [400, "The XML you provided was not well-formed or did not validate against our published schema"],
  MaxPostPreDataLengthExceeded: [400, "Your POST request fields preceeding the upload file was too large."],
  MetadataTooLarge: [400, "Your metadata headers exceed the maximum allowed metadata size"],
  MethodNotAllowed: [405, "The specified method is not allowed against this resource."],
  MissingContentLength: [411, "You must provide the Content-Length HTTP header."],
  MissingSecurityHeader: [400, "Your request is missing a required header."],
  NoSuchBucket: [404, "The specified bucket does not exist"],
  NoSuchCORSConfiguration: [404, "The CORS configuration does not exist"],
  NoSuchKey: [404, "The specified key does not exist."],
  NoSuchTagSet: [404, "The TagSet does not exist"],
  NoSuchUpload: [404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."],
  NoSuchVersion: [404, "The specified version does not exist."],
  NotImplemented: [501, "A header you provided implies functionality that is not implemented."],
  NotModified: [304, "Not Modified"],
  PreconditionFailed: [412, "At least one of the pre-conditions you specified did not hold"],
  RequestTimeTooSkewed: [403, "The difference between the request time and the current time is too large."],
  SignatureDoesNotMatch: [403, "The request signature we calculated does not match the signature you provided. Check your key and signing method."],
  TooManyBuckets: [400, "You have attempted to create more buckets than allowed"],
  XAmzContentSHA256Mismatch: [400, "The provided 'x-amz-content-sha256' header does not match what was computed."],
} as const satisfies Record<string, readonly [number, string]>;

export type S3ErrorCode = keyof typeof TABLE;

/** The one error type of the S3 service. `fields` are extra XML elements (BucketName, Key, ...). */
export class S3Error extends Error {
  override readonly name = "S3Error";
  readonly status: number;
  constructor(
    readonly code: S3ErrorCode,
    message?: string,
    readonly fields: Readonly<Record<string, string>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message ?? TABLE[code][1]);
    this.status = TABLE[code][0];
  }
}

/** Maps anything thrown while serving S3 to the S3Error that goes on the wire (the one place). */
export function toS3Error(err: unknown): S3Error {
  if (err instanceof S3Error) return err;
  if (err instanceof AuthError) return new S3Error(err.code, err.message, err.extra);
  if (err instanceof NoSuchBucketError) return new S3Error("NoSuchBucket", undefined, { BucketName: err.message });
  if (err instanceof BucketNotEmptyError) return new S3Error("BucketNotEmpty", undefined, { BucketName: err.message });
  if (err instanceof XmlSyntaxError) return new S3Error("MalformedXML");
  if (err instanceof NoSuchUploadError) return new S3Error("NoSuchUpload", undefined, { UploadId: err.uploadId });
  return new S3Error("InternalError");
}

/** Headers S3 puts on every answer. */
export function s3Headers(ctx: RequestContext): Record<string, string> {
  return { "x-amz-request-id": ctx.requestId, "x-amz-id-2": ctx.extendedRequestId, server: "Streamlake" };
}

/** Renders an S3 error as S3 does: XML <Error> with Code, Message, extra fields, Resource, RequestId, HostId. */
export function renderS3Error(err: unknown, resource: string | undefined, ctx: RequestContext): ServiceResponse {
  const e = toS3Error(err);
  const body: Record<string, string | undefined> = { Code: e.code, Message: e.message, ...e.fields };
  if (resource !== undefined && body["Resource"] === undefined) body["Resource"] = resource;
  body["RequestId"] = ctx.requestId;
  body["HostId"] = ctx.extendedRequestId;
  if (e.status === 304) return { status: 304, headers: { ...s3Headers(ctx), ...e.headers } };
  return {
    status: e.status,
    headers: { ...s3Headers(ctx), ...e.headers, "content-type": "application/xml" },
    body: toXml("Error", body),
  };
}
