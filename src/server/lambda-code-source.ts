import { MAX_UNZIPPED_BYTES } from "../services/lambda/code-package.js";
import { CodeSourceError, type LambdaCodeSource } from "../services/lambda/code-source.js";
import { LambdaError } from "../services/lambda/errors.js";
import { S3InternalError, type S3InternalApi } from "../services/s3/internal-api.js";

/**
 * Lambda's Code.S3Bucket/S3Key, read through S3's internal API: S3's refusals become
 * CodeSourceErrors, which Lambda quotes in its own words. A package is read into memory, so one
 * larger than Lambda's unpacked limit is refused before it is read.
 */
export function s3CodeSource(s3: Pick<S3InternalApi, "getObject">): LambdaCodeSource {
  return {
    async getObject(accountId, bucket, key, versionId) {
      let object;
      try {
        object = await s3.getObject({ accountId, bucket, key, versionId });
      } catch (err) {
        if (err instanceof S3InternalError) throw new CodeSourceError(err.code, err.message);
        throw err;
      }
      if (object.size > MAX_UNZIPPED_BYTES) {
        object.body.destroy();
        // A package past the unpacked limit cannot unpack under it (Lambda quotas: 250 MB unzipped).
        throw new LambdaError("InvalidParameterValueException", `Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
      }
      const chunks: Buffer[] = [];
      for await (const chunk of object.body) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  };
}
