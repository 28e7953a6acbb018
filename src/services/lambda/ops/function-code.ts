import { installCode, type InstalledCode } from "../code-package.js";
import { CodeSourceError } from "../code-source.js";
import { LambdaError } from "../errors.js";
import type { LambdaContext } from "../functions.js";

/** Where CreateFunction's Code / UpdateFunctionCode take the package from. */
export interface CodeInput {
  readonly ZipFile?: Uint8Array;
  readonly S3Bucket?: string;
  readonly S3Key?: string;
  readonly S3ObjectVersion?: string;
  readonly ImageUri?: string;
}

/** Fetches (from the request or S3) and unpacks a function's package. */
export async function obtainCode(ctx: LambdaContext, functionName: string, code: CodeInput): Promise<InstalledCode> {
  if (code.ImageUri !== undefined) throw new LambdaError("InvalidParameterValueException", "Container images (ImageUri) are not supported by this server; upload a .zip package.");
  if (code.ZipFile !== undefined) {
    if (code.S3Bucket !== undefined || code.S3Key !== undefined) {
      throw new LambdaError("InvalidParameterValueException", "Please do not provide other FunctionCode parameters when providing a ZipFile.");
    }
    return installCode(ctx.codeRoot, ctx.accountId, functionName, code.ZipFile);
  }
  if (code.S3Bucket === undefined || code.S3Key === undefined) {
    throw new LambdaError("InvalidParameterValueException", "Please provide a source for function code (Code.ZipFile, or Code.S3Bucket with Code.S3Key).");
  }
  if (ctx.codeSource === undefined) {
    throw new LambdaError(
      "InvalidParameterValueException",
      "Function code from S3 (Code.S3Bucket/S3Key) is not available on this server yet: Lambda is not connected to the S3 service. Upload the package as Code.ZipFile instead.",
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await ctx.codeSource.getObject(ctx.accountId, code.S3Bucket, code.S3Key, code.S3ObjectVersion);
  } catch (err) {
    if (err instanceof CodeSourceError) {
      // Lambda quotes S3's own error ("Error occurred while GetObject. S3 Error Code: NoSuchKey. ...").
      throw new LambdaError("InvalidParameterValueException", `Error occurred while GetObject. S3 Error Code: ${err.code}. S3 Error Message: ${err.message}`);
    }
    throw err;
  }
  return installCode(ctx.codeRoot, ctx.accountId, functionName, bytes);
}
