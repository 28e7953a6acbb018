/**
 * Where CreateFunction/UpdateFunctionCode read code given as Code.S3Bucket/S3Key: an internal
 * S3 read API handed to the Lambda service by src/server/services.ts (never by importing S3;
 * src/server/lambda-code-source.ts adapts S3's internal API). Without one, functions whose code is
 * in S3 are refused with InvalidParameterValueException.
 */
export interface LambdaCodeSource {
  /**
   * The bytes of object `key` (version `versionId` when given) in `bucket`, read on behalf of
   * account `accountId`. Rejects with a CodeSourceError carrying S3's error code (NoSuchBucket,
   * NoSuchKey, AccessDenied, ...) when the object cannot be read.
   */
  getObject(accountId: string, bucket: string, key: string, versionId?: string): Promise<Uint8Array>;
}

/** Why a code object could not be read, in S3's codes and words. */
export class CodeSourceError extends Error {
  override readonly name = "CodeSourceError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
