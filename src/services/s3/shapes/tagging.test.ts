import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toS3Error } from "../errors.js";
import { decodeTagSet, encodeTagSet, parseTaggingHeader, parseTaggingXml } from "./tagging.js";

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    // XML that does not parse is mapped to MalformedXML in one place (toS3Error).
    const e = toS3Error(err);
    assert.notEqual(e.code, "InternalError", String(err));
    return `${e.code}: ${e.message}`;
  }
  return "ok";
};
const xml = (tags: Array<[string, string]>): string =>
  `<Tagging><TagSet>${tags.map(([k, v]) => `<Tag><Key>${k}</Key><Value>${v}</Value></Tag>`).join("")}</TagSet></Tagging>`;

describe("tag sets", () => {
  it("reads the header form and the XML form, keeping order and empty values", () => {
    assert.deepEqual(parseTaggingHeader("a=1&b=&c%20d=e%2Ff"), [["a", "1"], ["b", ""], ["c d", "e/f"]]);
    assert.deepEqual(parseTaggingXml(xml([["z", "1"], ["a", ""]]), "object"), [["z", "1"], ["a", ""]]);
    assert.deepEqual(parseTaggingXml("<Tagging><TagSet/></Tagging>", "object"), []);
    assert.deepEqual(decodeTagSet(encodeTagSet([["k", "v"]])), [["k", "v"]]);
  });

  it("applies S3's limits: 10 object tags, 50 bucket tags, lengths, characters, aws:, duplicates", () => {
    const n = (count: number): Array<[string, string]> => Array.from({ length: count }, (_, i) => [`k${i}`, "v"]);
    assert.equal(code(() => parseTaggingXml(xml(n(10)), "object")), "ok");
    assert.equal(code(() => parseTaggingXml(xml(n(11)), "object")), "BadRequest: Object tags cannot be greater than 10");
    assert.equal(code(() => parseTaggingXml(xml(n(50)), "bucket")), "ok");
    assert.equal(code(() => parseTaggingXml(xml(n(51)), "bucket")), "InvalidTag: Bucket tag count cannot be greater than 50");
    assert.equal(code(() => parseTaggingHeader(`${"k".repeat(129)}=v`)), "InvalidTag: The TagKey you have provided is invalid");
    assert.equal(code(() => parseTaggingHeader(`k=${"v".repeat(257)}`)), "InvalidTag: The TagValue you have provided is invalid");
    assert.equal(code(() => parseTaggingHeader(`${"\u00e9".repeat(128)}=${"\u00e9".repeat(256)}`)), "ok");
    assert.equal(code(() => parseTaggingHeader("k=a%3Cb")), "InvalidTag: The TagValue you have provided is invalid");
    assert.equal(code(() => parseTaggingHeader("aws:k=v")), "InvalidTag: Your TagKey cannot be prefixed with aws:");
    assert.equal(code(() => parseTaggingHeader("k=1&k=2")), "InvalidTag: Cannot provide multiple Tags with the same key");
    assert.equal(code(() => parseTaggingHeader("=v")), "InvalidTag: The TagKey you have provided is invalid");
  });

  it("anything off the schema is MalformedXML", () => {
    for (const bad of ["", "<Tagging>", "<Other/>", "<Tagging/>", "<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>", "<Tagging><TagSet/><TagSet/></Tagging>"]) {
      assert.equal(code(() => parseTaggingXml(bad, "object")).split(":")[0], "MalformedXML", bad);
    }
  });
});
