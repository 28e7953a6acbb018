import { LambdaError } from "../errors.js";
import type { FunctionDoc, LambdaContext } from "../functions.js";
import type { ListFunctionsRequest, ListFunctionsResponse } from "../shapes/types.js";

/** ListFunctions returns at most 50 functions per call, whatever MaxItems says (ListFunctions API docs). */
const PAGE_CAP = 50;

function decodeMarker(marker: string | undefined): string | undefined {
  if (marker === undefined || marker === "") return undefined;
  const name = Buffer.from(marker, "base64url").toString("utf8");
  if (!/^[a-zA-Z0-9_.-]+$/.test(name)) throw new LambdaError("InvalidParameterValueException", "Invalid marker.");
  return name;
}

export async function listFunctions(input: ListFunctionsRequest, ctx: LambdaContext): Promise<ListFunctionsResponse> {
  const limit = Math.min(input.MaxItems ?? PAGE_CAP, PAGE_CAP);
  const after = decodeMarker(input.Marker);
  const rows = ctx.functions.list(ctx.accountId, { ...(after === undefined ? {} : { after }), limit: limit + 1 });
  const page = rows.slice(0, limit);
  const Functions = page.map((r) => (r.document as unknown as FunctionDoc).Configuration);
  return rows.length > limit ? { Functions, NextMarker: Buffer.from(page[page.length - 1]!.name, "utf8").toString("base64url") } : { Functions };
}
