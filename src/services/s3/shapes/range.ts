import { S3Error } from "../errors.js";

/** An inclusive byte range. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Resolves a Range header against an object size (RFC 9110 section 14.1.2). A header that does not
 * parse, or asks for several ranges, is ignored as S3 ignores it (the whole object is served);
 * a range that starts past the end answers 416 InvalidRange.
 */
export function resolveRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null) return undefined;
  const [, a = "", b = ""] = m;
  if (a === "" && b === "") return undefined;
  let start: number;
  let end: number;
  if (a === "") {
    const suffix = Number(b);
    if (suffix === 0) throw invalid(size, header);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== "" && Number(b) < start) return undefined;
  }
  if (start >= size || size === 0) throw invalid(size, header);
  return { start, end };
}

function invalid(size: number, requested: string): S3Error {
  return new S3Error("InvalidRange", undefined, { RangeRequested: requested, ActualObjectSize: String(size) }, { "content-range": `bytes */${size}` });
}
