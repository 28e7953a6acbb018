import assert from "node:assert/strict";
import { test } from "node:test";
import { parseJsonInputFast } from "./parse-json-fast.js";
import { parseShape, type ParseOptions } from "./parse-shape.js";
import type { ShapeTable } from "./shape-def.js";
import { decodeJsonBody } from "./target.js";

const shapes: ShapeTable = {
  Req: {
    type: "structure",
    members: { Name: "Name", Count: "Count", Flag: "Flag", Data: "Data", Items: "Items", When: "Time", Tags: "Tags", Ratio: "Ratio", Path: "Name" },
    required: ["Name"],
    bindings: { Path: { location: "uri", name: "Path" } },
  },
  Name: { type: "string", min: 1, max: 50 },
  Count: { type: "integer" },
  Flag: { type: "boolean" },
  Data: { type: "blob" },
  Items: { type: "list", member: "Item" },
  Item: { type: "structure", members: { Data: "Data", Key: "Name", Hash: "Name" }, required: ["Data", "Key"] },
  Time: { type: "timestamp" },
  Tags: { type: "map", key: "Name", value: "Name" },
  Ratio: { type: "double" },
};

const options: ParseOptions = { shapes, error: (m) => new Error(`SER: ${m}`), quoteWholeBlob: true, strictBase64: true, floorIntegers: true };

/** The general path's answer: the parsed input, or the error message. */
function general(text: string | Buffer): unknown {
  try {
    return parseShape(decodeJsonBody(Buffer.from(text), options.error), "Req", options);
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

function fast(text: string | Buffer): Record<string, unknown> | undefined {
  return parseJsonInputFast(Buffer.from(text), "Req", options);
}

test("the fast reader gives the general path's result for the plain JSON the SDKs send", () => {
  const bodies = [
    '{"Name":"a"}',
    '{"Count":12,"Name":"b","Flag":true}',
    '{"Flag":false,"Count":-7,"Name":"x"}',
    '{"Count":-0,"Name":"x"}',
    ' { "Name" : "spaced" ,\n\t"Count" : 0 } \r\n',
    '{"Name":"héllo \u{1F600} ünïcode"}',
    '{"Name":"n","Data":""}',
    `{"Name":"n","Data":"${Buffer.from("hello world").toString("base64")}"}`,
    `{"Name":"n","Items":[]}`,
    `{"Items":[{"Key":"k1","Data":"${Buffer.alloc(1024, 7).toString("base64")}"},{"Data":"aGk=","Hash":"12","Key":"k2"}],"Name":"many"}`,
    "{}",
  ];
  for (const body of bodies) {
    const got = fast(body);
    assert.notEqual(got, undefined, body);
    assert.deepEqual(got, general(body), body);
  }
});

test("members come out in the shape's order, as the general path builds them", () => {
  const got = fast('{"Flag":true,"Count":1,"Name":"z"}');
  assert.deepEqual(Object.keys(got ?? {}), ["Name", "Count", "Flag"]);
  const item = (fast('{"Items":[{"Key":"k","Data":"aGk="}]}')?.["Items"] as object[])[0]!;
  assert.deepEqual(Object.keys(item), ["Data", "Key"]);
});

test("blobs are Uint8Arrays with their own bytes, whatever else the body holds", () => {
  const got = fast('{"Items":[{"Key":"a","Data":"AAEC"},{"Key":"b","Data":"/w=="}]}')?.["Items"] as { Data: Uint8Array }[];
  assert.equal(Object.getPrototypeOf(got[0]!.Data), Uint8Array.prototype);
  assert.deepEqual([...got[0]!.Data], [0, 1, 2]);
  assert.deepEqual([...got[1]!.Data], [255]);
});

test("anything outside the plain subset is left to the general path (which then decides)", () => {
  const bodies = [
    "",
    "[]",
    '"x"',
    "\uFEFF{}",
    '{"Name":"a",}',
    '{"Name":"a"} x',
    '{"Name":"a"',
    '{"Name":null}',
    '{"Name":"a","Name":"b"}',
    '{"Unknown":1,"Name":"a"}',
    '{"Path":"p","Name":"a"}',
    '{"Name":"a\\"b"}',
    '{"Name":"a\\u0041"}',
    '{"Name":"tab\there"}',
    '{"N\\u0061me":"a"}',
    '{"Name":5}',
    '{"Name":"a","Count":1.5}',
    '{"Name":"a","Count":1e2}',
    '{"Name":"a","Count":012}',
    '{"Name":"a","Count":"1"}',
    '{"Name":"a","Count":-}',
    '{"Name":"a","Count":1234567890123456}',
    '{"Name":"a","Flag":"true"}',
    '{"Name":"a","Flag":tru}',
    '{"Name":"a","Flag":truex}',
    '{"Name":"a","Data":"abc"}',
    '{"Name":"a","Data":"aGl="}',
    '{"Name":"a","Data":"aG k="}',
    '{"Name":"a","Data":"a-_="}',
    '{"Name":"a","Data":"aGk=aGk="}',
    '{"Name":"a","Data":"aGk\\/"}',
    '{"Name":"a","Data":"aGk=\\""}',
    '{"Name":"a","Data":5}',
    '{"Name":"a","Items":{}}',
    '{"Name":"a","Items":[1]}',
    '{"Name":"a","Items":[{"Key":"k","Data":"aGk="},]}',
    '{"Name":"a","When":1700000000}',
    '{"Name":"a","Tags":{"k":"v"}}',
    '{"Name":"a","Ratio":1}',
  ];
  for (const body of bodies) assert.equal(fast(body), undefined, body);
});

test("every accepted body of a randomized mix equals the general path's parse", () => {
  let seed = 42;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pieces = ['"Name":"x"', '"Count":3', '"Flag":true', '"Data":"aGk="', '"Data":"aGl="', '"Count":-1', '"Name":"é"', '"Items":[{"Key":"k","Data":""}]', '"Name":""', " "];
  for (let i = 0; i < 500; i++) {
    const parts = Array.from({ length: 1 + rand(4) }, () => pieces[rand(pieces.length)]!);
    const body = `{${parts.join(",")}}`;
    const got = fast(body);
    if (got !== undefined) assert.deepEqual(got, general(body), body);
  }
});

test("blobs: the fast reader takes exactly the canonical base64 and decodes it as the general path does", () => {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const noise = ["=", "-", "_", " ", "\\n", "\\/", "é", "!", "\\u0041", "."];
  let accepted = 0;
  for (let i = 0; i < 3000; i++) {
    const bytes = Buffer.from(Array.from({ length: rand(12) }, () => rand(256)));
    let text = bytes.toString("base64");
    const chars = [...text];
    switch (rand(6)) {
      case 0: // canonical: left as it is
        break;
      case 1: // one character replaced by noise or another digit (stray bits, url-safe digits, padding in the middle)
        if (chars.length > 0) chars[rand(chars.length)] = rand(2) === 0 ? noise[rand(noise.length)]! : alphabet[rand(64)]!;
        break;
      case 2: // one character inserted
        chars.splice(rand(chars.length + 1), 0, rand(2) === 0 ? noise[rand(noise.length)]! : alphabet[rand(64)]!);
        break;
      case 3: // one character removed
        if (chars.length > 0) chars.splice(rand(chars.length), 1);
        break;
      case 4: // padding dropped or added
        text = rand(2) === 0 ? text.replace(/=+$/, "") : text + "=";
        chars.splice(0, chars.length, ...text);
        break;
      case 5: // two blobs run together, or a canonical one repeated
        chars.push(...Buffer.from([rand(256)]).toString("base64"));
        break;
    }
    text = chars.join("");
    const body = `{"Name":"n","Items":[{"Key":"k-_","Data":"${text}"},{"Key":"k","Data":"QUJD"}]}`;
    const got = fast(body);
    const canonical = Buffer.from(text, "base64").toString("base64") === text;
    if (canonical) {
      assert.notEqual(got, undefined, body);
      accepted++;
    }
    if (got !== undefined) {
      assert.ok(canonical, body);
      assert.deepEqual(got, general(body), body);
    }
  }
  assert.ok(accepted > 500);
});
