import { LambdaError } from "../errors.js";
import { loadFunction, runnableOf, type LambdaContext } from "../functions.js";
import type { InvocationResult } from "../runner/function-runner.js";
import type { InvocationRequest, InvocationResponse } from "../shapes/types.js";

/** Payload limits (Lambda quotas page): 6 MB synchronous, 1 MB asynchronous. */
export const MAX_SYNC_PAYLOAD_BYTES = 6_291_456;
export const MAX_ASYNC_PAYLOAD_BYTES = 1_048_576;
/** Invoke returns the last 4 KB of the log with LogType Tail (Invoke API docs). */
const LOG_TAIL_BYTES = 4096;

/** The event as JSON text; the Node.js runtime refuses payloads that are not JSON. */
export function eventText(payload: Uint8Array | undefined): string {
  if (payload === undefined || payload.byteLength === 0) return "{}";
  const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("utf8");
  try {
    JSON.parse(text);
  } catch (err) {
    throw new LambdaError("InvalidRequestContentException", `Could not parse request body into json: Could not parse payload into json: ${(err as Error).message}`);
  }
  return text;
}

function decodeClientContext(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(text, "base64").toString("utf8")) as unknown;
  } catch {
    throw new LambdaError("InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object.");
  }
}

/** Runs a stored function once, synchronously (what Invoke and the internal API share). */
export async function runFunction(ctx: LambdaContext, functionName: string, qualifier: string | undefined, event: string, clientContext?: unknown): Promise<InvocationResult> {
  const { doc } = loadFunction(ctx, functionName, qualifier);
  return ctx.runner.invoke(runnableOf(doc, ctx.codeRoot, ctx.accountId, ctx.region), event, ctx.requestId, clientContext);
}

export async function invoke(input: InvocationRequest, ctx: LambdaContext): Promise<InvocationResponse> {
  const type = input.InvocationType ?? "RequestResponse";
  const size = input.Payload?.byteLength ?? 0;
  if (type === "Event" && size > MAX_ASYNC_PAYLOAD_BYTES) {
    throw new LambdaError("RequestTooLargeException", `Request must be smaller than ${MAX_ASYNC_PAYLOAD_BYTES} bytes for the InvokeAsync operation`);
  }
  if (size > MAX_SYNC_PAYLOAD_BYTES) throw new LambdaError("RequestTooLargeException", `Request must be smaller than ${MAX_SYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation`);
  loadFunction(ctx, input.FunctionName, input.Qualifier); // a missing function fails every invocation type
  const event = eventText(input.Payload);
  const clientContext = decodeClientContext(input.ClientContext);
  if (type === "DryRun") return { StatusCode: 204 };
  if (type === "Event") {
    // Accepted now, run after the response; the outcome is only logged (no destinations or retries here).
    ctx.background(
      runFunction(ctx, input.FunctionName, input.Qualifier, event, clientContext).then(
        (r) => {
          if (r.functionError !== undefined) ctx.logger.warn("lambda: asynchronous invocation failed", { requestId: ctx.requestId, function: input.FunctionName, payload: r.payload.toString("utf8").slice(0, 1000) });
        },
        (err: unknown) => ctx.logger.warn("lambda: asynchronous invocation not run", { requestId: ctx.requestId, function: input.FunctionName, err: String(err) }),
      ),
    );
    return { StatusCode: 202, Payload: new Uint8Array(0) };
  }
  const result = await runFunction(ctx, input.FunctionName, input.Qualifier, event, clientContext);
  const out: InvocationResponse = { StatusCode: 200, ExecutedVersion: "$LATEST", Payload: result.payload };
  if (result.functionError !== undefined) out.FunctionError = result.functionError;
  if (input.LogType === "Tail") {
    const log = Buffer.from(result.logs, "utf8");
    out.LogResult = log.subarray(Math.max(0, log.byteLength - LOG_TAIL_BYTES)).toString("base64");
  }
  return out;
}
