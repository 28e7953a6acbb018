import { S3Error } from "../errors.js";

/** Object tag limits (S3 User Guide, "Categorizing your storage using tags"). */
export const MAX_OBJECT_TAGS = 10;
export const MAX_TAG_KEY = 128;
export const MAX_TAG_VALUE = 256;

/** Validates a tag set as S3 does; throws InvalidTag. */
export function assertTags(tags: ReadonlyArray<readonly [string, string]>, max: number = MAX_OBJECT_TAGS): void {
  if (tags.length > max) throw new S3Error("BadRequest", "Object tags cannot be greater than 10");
  const seen = new Set<string>();
  for (const [k, v] of tags) {
    if (k.length === 0 || [...k].length > MAX_TAG_KEY) throw new S3Error("InvalidTag", "The TagKey you have provided is invalid");
    if ([...v].length > MAX_TAG_VALUE) throw new S3Error("InvalidTag", "The TagValue you have provided is invalid");
    if (k.startsWith("aws:")) throw new S3Error("InvalidTag", "Your TagKey cannot be prefixed with aws:");
    if (seen.has(k)) throw new S3Error("InvalidTag", "Cannot provide multiple Tags with the same key");
    seen.add(k);
  }
}

/** Parses the x-amz-tagging header (URL query form: k1=v1&k2=v2). */
export function parseTaggingHeader(value: string | undefined): Array<[string, string]> {
  if (value === undefined || value === "") return [];
  const tags = [...new URLSearchParams(value)].map(([k, v]) => [k, v] as [string, string]);
  assertTags(tags);
  return tags;
}
