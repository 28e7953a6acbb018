import type { ServiceResponse } from "../../../server/service.js";
import type { ObjectStore } from "../../../storage/objects/object-store.js";
import { S3Error, s3Headers } from "../errors.js";
import type { S3Env, S3Request } from "../request.js";
import { CORS_CONFIG, decodeCorsRules, type CorsRule } from "./rules.js";

/** Whether `value` matches `pattern`, in which one '*' stands for any run of characters. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf("*");
  if (star === -1) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

/**
 * The first rule that allows this origin and method and, for a preflight, every requested header
 * (S3 User Guide, "How does Amazon S3 evaluate the CORS configuration on a bucket?": the first
 * matching rule wins). Origins and methods match case-sensitively, header names do not.
 */
export function findCorsRule(rules: readonly CorsRule[], origin: string, method: string, requestHeaders: readonly string[] = []): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.allowedOrigins.some((o) => wildcardMatch(o, origin)) &&
      rule.allowedMethods.includes(method) &&
      requestHeaders.every((h) => rule.allowedHeaders.some((a) => wildcardMatch(a.toLowerCase(), h))),
  );
}

/** Access-Control-Request-Headers as a list of lower-case names. */
export const requestedHeaders = (value: string | undefined): string[] =>
  (value ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== "");

/**
 * The Access-Control-* headers S3 answers with once a rule matched. A rule that allows any origin
 * ('*') answers `*` without credentials; otherwise the origin is echoed and credentials allowed.
 */
export function corsHeaders(rule: CorsRule, origin: string, preflightHeaders?: readonly string[]): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes("*");
  const out: Record<string, string> = {
    "access-control-allow-origin": anyOrigin ? "*" : origin,
    "access-control-allow-methods": rule.allowedMethods.join(", "),
    vary: "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
  };
  if (!anyOrigin) out["access-control-allow-credentials"] = "true";
  if (preflightHeaders !== undefined && preflightHeaders.length > 0) out["access-control-allow-headers"] = preflightHeaders.join(", ");
  if (rule.exposeHeaders.length > 0) out["access-control-expose-headers"] = rule.exposeHeaders.join(", ");
  if (rule.maxAgeSeconds !== undefined) out["access-control-max-age"] = String(rule.maxAgeSeconds);
  return out;
}

/** The rules of a bucket, or undefined when it has no CORS configuration. */
export function bucketCorsRules(objects: ObjectStore, bucket: string): CorsRule[] | undefined {
  const doc = objects.getBucketConfig(bucket, CORS_CONFIG);
  return doc === undefined ? undefined : decodeCorsRules(doc);
}

/**
 * CORS headers for an actual (non-preflight) request: only when it carries an Origin and a rule
 * of the bucket allows that origin and the request's method. Empty otherwise; the request itself
 * is served either way, as S3 does.
 */
export function actualRequestCorsHeaders(objects: ObjectStore, bucket: string | undefined, method: string, origin: string | undefined): Record<string, string> {
  if (origin === undefined || bucket === undefined) return {};
  const rules = bucketCorsRules(objects, bucket);
  if (rules === undefined) return {};
  const rule = findCorsRule(rules, origin, method);
  return rule === undefined ? {} : corsHeaders(rule, origin);
}

const CORS_METHODS = ["GET", "PUT", "HEAD", "POST", "DELETE"];

/**
 * Answers a preflight OPTIONS request from the bucket's CORS rules (OPTIONS object docs). It is
 * never signed: anyone may ask, and the answer only says what the rules allow.
 */
export function preflight(req: S3Request, env: Pick<S3Env, "objects" | "ctx">): ServiceResponse {
  const h = req.http.headers;
  const origin = h["origin"];
  if (origin === undefined || origin === "") throw new S3Error("BadRequest", "Insufficient information. Origin request header needed.");
  const method = h["access-control-request-method"];
  if (method === undefined || !CORS_METHODS.includes(method)) {
    throw new S3Error("BadRequest", `Invalid Access-Control-Request-Method: ${method ?? "null"}`);
  }
  if (req.bucket === undefined) throw new S3Error("MethodNotAllowed", undefined, { Method: "OPTIONS", ResourceType: "SERVICE" });
  if (env.objects.getBucket(req.bucket) === undefined) throw new S3Error("NoSuchBucket", undefined, { BucketName: req.bucket });
  const where = { Method: method, ResourceType: req.key === undefined ? "BUCKET" : "OBJECT" };
  const rules = bucketCorsRules(env.objects, req.bucket);
  if (rules === undefined) throw new S3Error("AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.", where);
  const wanted = requestedHeaders(h["access-control-request-headers"]);
  const rule = findCorsRule(rules, origin, method, wanted);
  if (rule === undefined) {
    // S3's wording, spelling included.
    throw new S3Error(
      "AccessForbidden",
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
      where,
    );
  }
  return { status: 200, headers: { ...s3Headers(env.ctx), ...corsHeaders(rule, origin, wanted), "content-length": "0" } };
}
