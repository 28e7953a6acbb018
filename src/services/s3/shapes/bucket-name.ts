import { S3Error } from "../errors.js";

// General purpose bucket naming rules (S3 User Guide, "Bucket naming rules").
const RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/** The reason a bucket name breaks S3's rules, or undefined when it is valid. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "Bucket name must be between 3 and 63 characters long";
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return "Bucket name can only contain lowercase letters, numbers, dots and hyphens, and must begin and end with a letter or number";
  if (name.includes("..")) return "Bucket name must not contain two adjacent periods";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return "Bucket name must not be formatted as an IP address";
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return "Bucket name must not start with a reserved prefix";
  if (RESERVED_SUFFIXES.some((s) => name.endsWith(s))) return "Bucket name must not end with a reserved suffix";
  return undefined;
}

/** Throws InvalidBucketName (with BucketName) for a name S3 would refuse. */
export function assertBucketName(name: string): void {
  if (bucketNameProblem(name) !== undefined) {
    throw new S3Error("InvalidBucketName", "The specified bucket is not valid.", { BucketName: name });
  }
}
