import { S3Error } from "../errors.js";

/** A single PUT may carry at most 5 GiB (S3 User Guide, "Uploading objects"). */
export const MAX_SINGLE_PUT = 5 * 1024 ** 3;

/** The payload length a write declares: x-amz-decoded-content-length for aws-chunked bodies, else Content-Length. */
export function declaredLength(h: Readonly<Record<string, string>>, max: number = MAX_SINGLE_PUT): number {
  const raw = h["x-amz-decoded-content-length"] ?? h["content-length"];
  if (raw === undefined) throw new S3Error("MissingContentLength");
  if (!/^\d+$/.test(raw)) throw new S3Error("InvalidArgument", "Invalid content length", { ArgumentName: "Content-Length", ArgumentValue: raw });
  const n = Number(raw);
  if (n > max) throw new S3Error("EntityTooLarge", undefined, { ProposedSize: raw, MaxSizeAllowed: String(max) });
  return n;
}
