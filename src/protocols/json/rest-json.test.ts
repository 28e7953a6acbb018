import assert from "node:assert/strict";
import { test } from "node:test";
import { compileRoutes, matchRoute, parseRestInput, serializeRestOutput } from "./rest-json.js";
import type { ShapeTable } from "./shape-def.js";

const shapes: ShapeTable = {
  InvokeReq: {
    type: "structure",
    members: { FunctionName: "Name", Kind: "Name", Max: "Int", Payload: "Blob" },
    bindings: { FunctionName: { location: "uri", name: "FunctionName" }, Kind: { location: "header", name: "X-Amz-Kind" }, Max: { location: "querystring", name: "max" } },
    payload: "Payload",
  },
  InvokeRes: {
    type: "structure",
    members: { StatusCode: "Int", Err: "Name", Payload: "Blob" },
    bindings: { StatusCode: { location: "statusCode" }, Err: { location: "header", name: "X-Amz-Err" } },
    payload: "Payload",
  },
  CreateReq: { type: "structure", members: { Name: "Name", Size: "Int" } },
  Name: { type: "string" },
  Int: { type: "integer" },
  Blob: { type: "blob" },
};
const o = { shapes, error: (m: string) => new Error(m) };

test("routes match method and path, labels are decoded, the list path wins over none", () => {
  const routes = compileRoutes({
    List: { input: "CreateReq", http: { method: "GET", requestUri: "/2015-03-31/functions/", responseCode: 200 } },
    Get: { input: "InvokeReq", http: { method: "GET", requestUri: "/2015-03-31/functions/{FunctionName}", responseCode: 200 } },
    Invoke: { input: "InvokeReq", http: { method: "POST", requestUri: "/2015-03-31/functions/{FunctionName}/invocations", responseCode: 200 } },
  });
  assert.equal(matchRoute(routes, "GET", "/2015-03-31/functions")?.route.operation, "List");
  assert.equal(matchRoute(routes, "GET", "/2015-03-31/functions/")?.route.operation, "List");
  const m = matchRoute(routes, "POST", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af/invocations");
  assert.equal(m?.route.operation, "Invoke");
  assert.deepEqual(m?.labels, { FunctionName: "arn:aws:lambda:us-east-1:123456789012:function:f" });
  assert.equal(matchRoute(routes, "DELETE", "/2015-03-31/functions/f"), undefined);
});

test("input bindings and blob payloads; JSON bodies", () => {
  const input = parseRestInput("InvokeReq", { labels: { FunctionName: "f" }, rawQuery: "max=5", headers: { "x-amz-kind": "Event" }, body: Buffer.from("{}") }, o);
  assert.deepEqual(input, { FunctionName: "f", Kind: "Event", Max: 5, Payload: new Uint8Array(Buffer.from("{}")) });
  assert.deepEqual(parseRestInput("CreateReq", { labels: {}, rawQuery: "", headers: {}, body: Buffer.from('{"Name":"x","Size":2,"Other":1}') }, o), { Name: "x", Size: 2 });
  assert.throws(() => parseRestInput("CreateReq", { labels: {}, rawQuery: "", headers: {}, body: Buffer.from("{") }, o), /Unable to parse/);
});

test("output bindings: status code and headers out of the body, blob payload raw", () => {
  const out = serializeRestOutput("InvokeRes", { StatusCode: 202, Err: "Unhandled", Payload: new Uint8Array([1, 2]) }, 200, shapes);
  assert.deepEqual(out, { status: 202, headers: { "x-amz-err": "Unhandled" }, body: new Uint8Array([1, 2]) });
  assert.deepEqual(serializeRestOutput("CreateReq", { Name: "n", Size: undefined }, 201, shapes), { status: 201, headers: {}, body: '{"Name":"n"}' });
});
