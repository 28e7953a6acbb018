import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatDate } from "./date-format.js";
import { evaluatePrefix, objectName, parsePrefix, planPrefixes, PrefixError } from "./key-template.js";

// 10:30 UTC on 27 August 2018, the instant the Firehose guide's prefix examples use.
const T = Date.UTC(2018, 7, 27, 10, 30, 5, 123);

describe("DateTimeFormatter subset", () => {
  it("formats fields, quoted text and escaped quotes", () => {
    assert.equal(formatDate("yyyy/MM/dd/HH/", T), "2018/08/27/10/");
    assert.equal(formatDate("'year='yyyy'/month='MM'/day='dd'/hour='HH", T), "year=2018/month=08/day=27/hour=10");
    assert.equal(formatDate("yy-M-d H:m:s.SSS", T), "18-8-27 10:30:5.123");
    assert.equal(formatDate("EEE MMM DDD a h", T), "Mon Aug 239 AM 10");
    assert.equal(formatDate("''yyyy''", T), "'2018'");
  });
  it("applies a custom time zone", () => {
    assert.equal(formatDate("yyyy-MM-dd HH", T, "Asia/Tokyo"), "2018-08-27 19");
  });
});

describe("S3 prefixes", () => {
  const ctx = { timestamp: T, timeZone: "UTC", randomString: () => "5abf82daaa5" };
  it("appends the default hour prefix to a prefix without expressions", () => {
    const plan = planPrefixes("myFirehosePrefix", undefined, { dynamicPartitioning: false });
    assert.equal(evaluatePrefix(plan.main, ctx), "myFirehosePrefix2018/08/27/10/");
    assert.equal(evaluatePrefix(plan.error, { ...ctx, errorOutputType: "processing-failed" }), "myFirehosePrefixprocessing-failed/2018/08/27/10/");
    assert.equal(evaluatePrefix(planPrefixes(undefined, undefined, { dynamicPartitioning: false }).main, ctx), "2018/08/27/10/");
  });
  it("evaluates the guide's examples", () => {
    const a = planPrefixes(
      "myFirehose/DeliveredYear=!{timestamp:yyyy}/anyMonth/rand=!{firehose:random-string}",
      "myFirehoseFailures/!{firehose:error-output-type}/!{timestamp:yyyy}/anyMonth/!{timestamp:dd}",
      { dynamicPartitioning: false },
    );
    assert.equal(evaluatePrefix(a.main, ctx), "myFirehose/DeliveredYear=2018/anyMonth/rand=5abf82daaa5");
    assert.equal(evaluatePrefix(a.error, { ...ctx, errorOutputType: "processing-failed" }), "myFirehoseFailures/processing-failed/2018/anyMonth/27");
    const b = planPrefixes(undefined, "myFirehoseFailures/!{firehose:error-output-type}/", { dynamicPartitioning: false });
    assert.equal(evaluatePrefix(b.error, { ...ctx, errorOutputType: "format-conversion-failed" }), "myFirehoseFailures/format-conversion-failed/");
  });
  it("refuses what the semantic rules refuse", () => {
    assert.throws(() => planPrefixes("!{timestamp:yyyy}/", undefined, { dynamicPartitioning: false }), PrefixError);
    assert.throws(() => planPrefixes("a/!{firehose:error-output-type}/", "e/!{firehose:error-output-type}", { dynamicPartitioning: false }), PrefixError);
    assert.throws(() => planPrefixes("a/!{timestamp:yyyy}/", "e/!{timestamp:yyyy}/", { dynamicPartitioning: false }), PrefixError);
    assert.throws(() => planPrefixes("a/!{partitionKeyFromQuery:k}/", "e/!{firehose:error-output-type}", { dynamicPartitioning: false }), PrefixError);
    assert.throws(() => planPrefixes("a/", "e/!{firehose:error-output-type}", { dynamicPartitioning: true }), PrefixError);
    assert.throws(() => parsePrefix("a/!{timestamp:yyyy"), PrefixError);
    assert.throws(() => parsePrefix("a/!{nope:x}"), PrefixError);
    assert.throws(() => parsePrefix("a/!{timestamp:yyyy[}"), PrefixError);
  });
  it("fills partition keys and keeps the prefix as given (no hour appended)", () => {
    const plan = planPrefixes("customer_id=!{partitionKeyFromQuery:customer_id}/h=!{partitionKeyFromLambda:h}/", "err/!{firehose:error-output-type}/", { dynamicPartitioning: true });
    assert.equal(evaluatePrefix(plan.main, { ...ctx, queryKeys: { customer_id: "42" }, lambdaKeys: { h: "07" } }), "customer_id=42/h=07/");
  });
  it("names objects <stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><ext>", () => {
    assert.equal(objectName("s1", 3, T, "UTC", "a9fa96af-e4e4-409f-bac3-1f804714faaa", ".gz"), "s1-3-2018-08-27-10-30-05-a9fa96af-e4e4-409f-bac3-1f804714faaa.gz");
  });
});
