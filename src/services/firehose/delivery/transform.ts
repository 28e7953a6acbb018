import { randomUUID } from "node:crypto";
import type { FirehoseLambda } from "../deps.js";
import type { SourceRecord } from "../sources.js";

/**
 * Firehose's Lambda processor: the transformation event, the response contract (recordId, result
 * Ok / Dropped / ProcessingFailed, base64 data, metadata.partitionKeys) and its failure handling
 * (Firehose developer guide, "Data Transformation", "Required parameters for data transformation",
 * "Handle failure in data transformation").
 */

/** What became of one source record. */
export type TransformResult =
  | { readonly kind: "ok"; readonly data: Uint8Array; readonly partitionKeys: Readonly<Record<string, string>> | undefined }
  | { readonly kind: "dropped" }
  | { readonly kind: "failed"; readonly errorCode: string; readonly errorMessage: string; readonly attempts: number };

/** Lambda's synchronous response payload limit (6 MB), which bounds one invocation's records. */
export const MAX_INVOCATION_PAYLOAD = 6 * 1024 * 1024;

export interface TransformRequest {
  readonly accountId: string;
  readonly region: string;
  readonly deliveryStreamArn: string;
  readonly sourceKinesisStreamArn: string | undefined;
  readonly functionArn: string;
  /** Retries after the first failed invocation (NumberOfRetries, default 3). */
  readonly retries: number;
}

/** A record id for the event: opaque to the function, unique within the invocation. */
function recordIdOf(r: SourceRecord, i: number): string {
  return Buffer.from(`${r.lane}:${r.position}:${i}`, "utf8").toString("base64");
}

function eventOf(req: TransformRequest, records: readonly SourceRecord[], ids: readonly string[]): Uint8Array {
  const event: Record<string, unknown> = {
    invocationId: randomUUID(),
    deliveryStreamArn: req.deliveryStreamArn,
    region: req.region,
    records: records.map((r, i) => {
      const rec: Record<string, unknown> = {
        recordId: ids[i],
        approximateArrivalTimestamp: r.arrival,
        data: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString("base64"),
      };
      if (r.kinesis !== undefined) {
        rec["kinesisRecordMetadata"] = {
          shardId: r.kinesis.shardId,
          partitionKey: r.kinesis.partitionKey,
          approximateArrivalTimestamp: r.arrival,
          sequenceNumber: r.kinesis.sequenceNumber,
          subsequenceNumber: 0,
        };
      }
      return rec;
    }),
  };
  if (req.sourceKinesisStreamArn !== undefined) event["sourceKinesisStreamArn"] = req.sourceKinesisStreamArn;
  return Buffer.from(JSON.stringify(event), "utf8");
}

const failAll = (n: number, errorCode: string, errorMessage: string, attempts: number): TransformResult[] =>
  Array.from({ length: n }, () => ({ kind: "failed", errorCode, errorMessage, attempts }) as const);

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Maps the function's response to one result per source record. */
export function interpretResponse(payload: Uint8Array, ids: readonly string[], attempts: number): TransformResult[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("utf8"));
  } catch {
    return failAll(ids.length, "Lambda.JsonProcessingException", "There was an error parsing returned records from the Lambda function. Ensure that the returned records follow the status model required by Firehose.", attempts);
  }
  const list = (parsed as { records?: unknown } | null)?.records;
  if (!Array.isArray(list)) {
    return failAll(ids.length, "Lambda.JsonProcessingException", "There was an error parsing returned records from the Lambda function. Ensure that the returned records follow the status model required by Firehose.", attempts);
  }
  const byId = new Map<string, Record<string, unknown>>();
  const duplicated = new Set<string>();
  for (const item of list as Record<string, unknown>[]) {
    const id = typeof item?.["recordId"] === "string" ? (item["recordId"] as string) : undefined;
    if (id === undefined) continue;
    if (byId.has(id)) duplicated.add(id);
    byId.set(id, item);
  }
  return ids.map((id): TransformResult => {
    if (duplicated.has(id)) {
      return { kind: "failed", errorCode: "Lambda.DuplicatedRecordId", errorMessage: "Multiple records were returned with the same record ID. Ensure that the Lambda function returns unique record IDs for each record.", attempts };
    }
    const item = byId.get(id);
    if (item === undefined) {
      return { kind: "failed", errorCode: "Lambda.MissingRecordId", errorMessage: "One or more record IDs were not returned. Ensure that the Lambda function returns all received record IDs.", attempts };
    }
    switch (item["result"]) {
      case "Dropped":
        return { kind: "dropped" };
      case "ProcessingFailed":
        return { kind: "failed", errorCode: "Lambda.ProcessingFailedStatus", errorMessage: "ProcessingFailed status set for record", attempts };
      case "Ok": {
        const data = item["data"];
        if (typeof data !== "string" || !BASE64.test(data) || data.length % 4 !== 0) {
          return { kind: "failed", errorCode: "Lambda.InvalidReturnFormat", errorMessage: "The data field of a record with result Ok must be base64-encoded.", attempts };
        }
        const keys = (item["metadata"] as { partitionKeys?: unknown } | undefined)?.partitionKeys;
        let partitionKeys: Record<string, string> | undefined;
        if (keys !== undefined && keys !== null && typeof keys === "object") {
          partitionKeys = {};
          for (const [k, v] of Object.entries(keys)) if (v !== null && v !== undefined) partitionKeys[k] = typeof v === "string" ? v : JSON.stringify(v);
        }
        return { kind: "ok", data: new Uint8Array(Buffer.from(data, "base64")), partitionKeys };
      }
      default:
        return { kind: "failed", errorCode: "Lambda.InvalidReturnFormat", errorMessage: "The result field must be one of Ok, Dropped or ProcessingFailed.", attempts };
    }
  });
}

/**
 * Sends records to the function (one invocation; the caller sizes the batch) and returns one
 * result per record. A failing invocation is retried `retries` times; then every record of the
 * batch fails with the invocation's error (Firehose "skips that batch of records").
 */
export async function transformRecords(lambda: FirehoseLambda, req: TransformRequest, records: readonly SourceRecord[], signal: AbortSignal): Promise<TransformResult[]> {
  const ids = records.map(recordIdOf);
  const event = eventOf(req, records, ids);
  let lastCode = "Lambda.FunctionError";
  let lastMessage = "";
  for (let attempt = 1; attempt <= req.retries + 1; attempt++) {
    if (signal.aborted) throw new Error("aborted");
    try {
      const out = await lambda.invoke(req.accountId, req.functionArn, event);
      if (out.functionError === undefined) return interpretResponse(out.payload, ids, attempt);
      lastCode = "Lambda.FunctionError";
      lastMessage = `The Lambda function was successfully invoked but it returned an error result: ${Buffer.from(out.payload).toString("utf8").slice(0, 512)}`;
    } catch (err) {
      const text = String((err as Error)?.message ?? err);
      const code = (err as { code?: unknown })?.code;
      lastCode = code === "ResourceNotFoundException" ? "Lambda.ResourceNotFound" : code === "TooManyRequestsException" ? "Lambda.InvokeLimitExceeded" : "Lambda.InvokeFailed";
      lastMessage = `Error invoking the Lambda function ${req.functionArn}: ${text}`;
    }
  }
  return failAll(records.length, lastCode, lastMessage, req.retries + 1);
}
