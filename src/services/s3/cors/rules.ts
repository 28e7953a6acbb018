import { children, parseXml, text, type XmlElement, type XmlValue } from "../../../protocols/xml/xml-reader.js";
import type { XmlNode } from "../../../protocols/xml/xml-writer.js";
import { S3Error } from "../errors.js";

/** One CORSRule of a bucket's CORS configuration (botocore shape `CORSRule`). */
export interface CorsRule {
  /** Optional rule name, at most 255 characters. */
  readonly id: string | undefined;
  /** Origins, each with at most one '*' wildcard. */
  readonly allowedOrigins: readonly string[];
  /** GET, PUT, HEAD, POST or DELETE. */
  readonly allowedMethods: readonly string[];
  /** Header names a preflight may ask for, each with at most one '*' wildcard. */
  readonly allowedHeaders: readonly string[];
  /** Response headers the browser may show to scripts (Access-Control-Expose-Headers). */
  readonly exposeHeaders: readonly string[];
  /** How long a browser may cache the preflight answer (Access-Control-Max-Age). */
  readonly maxAgeSeconds: number | undefined;
}

/** The bucket configuration kind CORS rules are stored under. */
export const CORS_CONFIG = "cors";

// Limits and checks as S3 applies them (S3 User Guide, "CORS configuration").
export const MAX_CORS_RULES = 100;
const CORS_METHODS = ["GET", "PUT", "HEAD", "POST", "DELETE"];
const MAX_ID = 255;

const isElement = (v: XmlValue): v is XmlElement => typeof v === "object" && !Array.isArray(v);

/** The text of every `name` child; an element child (not text) is MalformedXML. */
function texts(el: XmlElement, name: string): string[] {
  return children(el, name).map((v) => {
    if (typeof v === "string") return v;
    if (isElement(v) && Object.keys(v).length === 0) return "";
    throw new S3Error("MalformedXML");
  });
}

const wildcards = (s: string): number => s.split("*").length - 1;

function parseRule(el: XmlValue): CorsRule {
  if (!isElement(el)) throw new S3Error("MalformedXML");
  const allowedOrigins = texts(el, "AllowedOrigin");
  const allowedMethods = texts(el, "AllowedMethod");
  if (allowedOrigins.length === 0 || allowedMethods.length === 0) throw new S3Error("MalformedXML");
  for (const m of allowedMethods) {
    if (!CORS_METHODS.includes(m)) throw new S3Error("InvalidRequest", `Found unsupported HTTP method in CORS config. Unsupported method is ${m}`);
  }
  for (const o of allowedOrigins) {
    if (wildcards(o) > 1) throw new S3Error("InvalidRequest", `AllowedOrigin "${o}" can not have more than one wildcard.`);
  }
  const allowedHeaders = texts(el, "AllowedHeader");
  for (const h of allowedHeaders) {
    if (wildcards(h) > 1) throw new S3Error("InvalidRequest", `AllowedHeader "${h}" can not have more than one wildcard.`);
  }
  const id = text(el, "ID");
  if (id !== undefined && id.length > MAX_ID) throw new S3Error("InvalidArgument", "The ID of a CORS rule can not be longer than 255 characters.");
  const maxAge = text(el, "MaxAgeSeconds");
  let maxAgeSeconds: number | undefined;
  if (maxAge !== undefined) {
    if (!/^\s*-?\d{1,10}\s*$/.test(maxAge)) throw new S3Error("MalformedXML");
    maxAgeSeconds = Number(maxAge);
  }
  return { id, allowedOrigins, allowedMethods, allowedHeaders, exposeHeaders: texts(el, "ExposeHeader"), maxAgeSeconds };
}

/** Parses and validates a PutBucketCors body: 1 to 100 rules, each with origins and methods. */
export function parseCorsXml(body: string): CorsRule[] {
  if (body.trim() === "") throw new S3Error("MalformedXML");
  const doc = parseXml(body);
  const configs = children(doc, "CORSConfiguration");
  const config = configs[0];
  if (configs.length !== 1 || config === undefined || !isElement(config)) throw new S3Error("MalformedXML");
  const rules = children(config, "CORSRule");
  if (rules.length === 0 || rules.length > MAX_CORS_RULES) throw new S3Error("MalformedXML");
  return rules.map(parseRule);
}

/** The `<CORSRule>` elements of a GetBucketCors answer, in the model's member order. */
export const corsRulesXml = (rules: readonly CorsRule[]): XmlNode =>
  rules.map((r) => ({
    ID: r.id,
    AllowedHeader: [...r.allowedHeaders],
    AllowedMethod: [...r.allowedMethods],
    AllowedOrigin: [...r.allowedOrigins],
    ExposeHeader: [...r.exposeHeaders],
    MaxAgeSeconds: r.maxAgeSeconds,
  }));

/** Serializes rules for the bucket configuration store. */
export const encodeCorsRules = (rules: readonly CorsRule[]): string => JSON.stringify(rules);

/** Reads rules stored by encodeCorsRules. */
export function decodeCorsRules(document: string): CorsRule[] {
  const parsed = JSON.parse(document) as unknown;
  if (!Array.isArray(parsed)) return [];
  return (parsed as Array<Partial<CorsRule> & Record<string, unknown>>).map((r) => ({
    id: typeof r.id === "string" ? r.id : undefined,
    allowedOrigins: r.allowedOrigins ?? [],
    allowedMethods: r.allowedMethods ?? [],
    allowedHeaders: r.allowedHeaders ?? [],
    exposeHeaders: r.exposeHeaders ?? [],
    maxAgeSeconds: typeof r.maxAgeSeconds === "number" ? r.maxAgeSeconds : undefined,
  }));
}
