import { children, parseXml, text, type XmlElement, type XmlValue } from "../../../protocols/xml/xml-reader.js";
import type { XmlNode } from "../../../protocols/xml/xml-writer.js";
import { S3Error } from "../errors.js";

/** Object tag limits (S3 User Guide, "Categorizing your storage using tags"). */
export const MAX_OBJECT_TAGS = 10;
/** Bucket tag limit (S3 User Guide, "Using cost allocation S3 bucket tags"). */
export const MAX_BUCKET_TAGS = 50;
export const MAX_TAG_KEY = 128;
export const MAX_TAG_VALUE = 256;

/** A tag set in order, as S3 stores and returns it. */
export type TagSet = ReadonlyArray<readonly [string, string]>;

// Tag keys and values: Unicode letters, digits, white space and + - = . _ : / @ (S3 User Guide,
// "Categorizing your storage using tags").
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Whose tags these are: object tags allow 10, bucket tags 50, with S3's different refusals. */
export type TagOwner = "object" | "bucket";

/** Validates a tag set as S3 does; throws BadRequest (too many) or InvalidTag. */
export function assertTags(tags: TagSet, owner: TagOwner = "object"): void {
  if (owner === "object" && tags.length > MAX_OBJECT_TAGS) throw new S3Error("BadRequest", "Object tags cannot be greater than 10");
  if (owner === "bucket" && tags.length > MAX_BUCKET_TAGS) throw new S3Error("InvalidTag", "Bucket tag count cannot be greater than 50");
  const seen = new Set<string>();
  for (const [k, v] of tags) {
    if (k.length === 0 || [...k].length > MAX_TAG_KEY || !TAG_CHARS.test(k)) {
      throw new S3Error("InvalidTag", "The TagKey you have provided is invalid", { TagKey: k });
    }
    if ([...v].length > MAX_TAG_VALUE || !TAG_CHARS.test(v)) {
      throw new S3Error("InvalidTag", "The TagValue you have provided is invalid", { TagKey: k, TagValue: v });
    }
    if (k.startsWith("aws:")) {
      throw new S3Error("InvalidTag", "Your TagKey cannot be prefixed with aws:", { TagKey: k });
    }
    if (seen.has(k)) throw new S3Error("InvalidTag", "Cannot provide multiple Tags with the same key", { TagKey: k });
    seen.add(k);
  }
}

/**
 * Parses the x-amz-tagging header (URL query form: k1=v1&k2=v2) of PutObject,
 * CreateMultipartUpload and CopyObject (with the REPLACE tagging directive), and a POST upload's
 * `tagging` field when it is in this form.
 */
export function parseTaggingHeader(value: string | undefined): Array<[string, string]> {
  if (value === undefined || value === "") return [];
  const tags = [...new URLSearchParams(value)].map(([k, v]) => [k, v] as [string, string]);
  assertTags(tags, "object");
  return tags;
}

/**
 * Parses a `<Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>` document
 * (PutObjectTagging, PutBucketTagging, a POST upload's `tagging` field). Anything that does not
 * follow the schema is MalformedXML, as S3 answers.
 */
export function parseTaggingXml(body: string, owner: TagOwner): Array<[string, string]> {
  if (body.trim() === "") throw new S3Error("MalformedXML");
  const doc = parseXml(body);
  const [tagging, ...more] = children(doc, "Tagging");
  if (tagging === undefined || more.length > 0 || !isElement(tagging)) throw new S3Error("MalformedXML");
  const sets = children(tagging, "TagSet");
  if (sets.length !== 1) throw new S3Error("MalformedXML");
  const set = sets[0]!;
  if (set !== "" && !isElement(set)) throw new S3Error("MalformedXML");
  const tags: Array<[string, string]> = [];
  for (const tag of children(set, "Tag")) {
    if (!isElement(tag)) throw new S3Error("MalformedXML");
    const key = text(tag, "Key");
    const value = text(tag, "Value");
    if (key === undefined || value === undefined) throw new S3Error("MalformedXML");
    tags.push([key, value]);
  }
  assertTags(tags, owner);
  return tags;
}

const isElement = (v: XmlValue): v is XmlElement => typeof v === "object" && !Array.isArray(v);

/** The `<TagSet>` element of GetObjectTagging / GetBucketTagging answers. */
export const tagSetXml = (tags: TagSet): XmlNode => ({ Tag: tags.map(([Key, Value]) => ({ Key, Value })) });

/** Serializes a tag set for a bucket configuration document. */
export const encodeTagSet = (tags: TagSet): string => JSON.stringify(tags);

/** Reads a tag set stored by encodeTagSet. */
export function decodeTagSet(document: string): Array<[string, string]> {
  const parsed = JSON.parse(document) as unknown;
  if (!Array.isArray(parsed)) return [];
  return parsed.filter((t): t is [string, string] => Array.isArray(t) && typeof t[0] === "string" && typeof t[1] === "string");
}
