import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileJq, extractPartitionKeys, JqError, objectKeysOf, strftime, type Json } from "./jq.js";

const rec: Json = { type: { device: "mobile", event: "click" }, customer_id: "1234567890", event_timestamp: 1565382027, region: "sample", tags: ["a", "b"], "odd key": 1, n: 7 };
const run = (q: string, input: Json = rec): Json => compileJq(q).run(input);
const bytes = (v: unknown): Uint8Array => new Uint8Array(Buffer.from(JSON.stringify(v)));

describe("jq subset for dynamic partitioning", () => {
  it("evaluates the guide's partition key queries", () => {
    const q = '{customer_id: .customer_id, device: .type.device, year: .event_timestamp| strftime("%Y"), month: .event_timestamp| strftime("%m"), day: .event_timestamp|strftime("%d"), hour: .event_timestamp| strftime("%H")}';
    assert.deepEqual(run(q), { customer_id: "1234567890", device: "mobile", year: "2019", month: "08", day: "09", hour: "20" });
    assert.deepEqual(objectKeysOf(q), ["customer_id", "device", "year", "month", "day", "hour"]);
  });
  it("supports paths, indexes, alternatives, literals and builtins", () => {
    assert.equal(run(".tags[1]"), "b");
    assert.equal(run('.["odd key"]'), 1);
    assert.equal(run('."odd key"'), 1);
    assert.equal(run(".missing.deeper"), null);
    assert.equal(run('.missing // "none"'), "none");
    assert.equal(run(".n | tostring"), "7");
    assert.equal(run('"42" | tonumber'), 42);
    assert.equal(run(".type.device | ascii_upcase"), "MOBILE");
    assert.equal(run('.region | ltrimstr("sam")'), "ple");
    assert.equal(run(".tags | length"), 2);
    assert.deepEqual(run("{region}"), { region: "sample" });
    assert.equal(run(".event_timestamp | todate"), "2019-08-09T20:20:27Z");
    assert.equal(strftime("%F %T %j %a %b", 0), "1970-01-01 00:00:00 001 Thu Jan");
  });
  it("reports errors as jq does", () => {
    assert.throws(() => run(".type.device.x"), /Cannot index string with "x"/);
    assert.throws(() => run('.type | strftime("%Y")'), JqError);
    assert.throws(() => compileJq("{a: .b"), JqError);
    assert.throws(() => compileJq("nosuch"), /nosuch\/0 is not defined/);
  });
  it("turns a record into string partition keys, refusing nulls and non-JSON", () => {
    const p = compileJq("{c: .customer_id, n: .n}");
    assert.deepEqual(extractPartitionKeys(p, bytes(rec)), { c: "1234567890", n: "7" });
    assert.throws(() => extractPartitionKeys(p, bytes({ n: 1 })), /evaluated to null/);
    assert.throws(() => extractPartitionKeys(p, new Uint8Array(Buffer.from("not json"))), /Non JSON record/);
  });
});
