import { randomUUID } from "node:crypto";
import type { NewDelivery } from "../../../storage/firehose-metadata/firehose-metadata-store.js";
import type { PipelineConfig, S3Output } from "../pipeline-config.js";
import { freeBuffers } from "../../../util/free-buffers.js";
import { compress, COMPRESSION_CONTENT_ENCODING, COMPRESSION_EXTENSIONS } from "./compression.js";
import { requestBody, type HttpTarget } from "./http-endpoint.js";
import { evaluatePrefix, objectName } from "./key-template.js";
import { planParquet, recordToRow, SchemaMismatchError, writeParquet } from "./parquet.js";
import type { GlueTableSchema } from "../deps.js";

/** A record waiting in an output buffer. */
export interface BufferedRecord {
  readonly lane: string;
  readonly position: bigint;
  readonly arrival: number;
  /** What goes into the object: processed data, an error document line, or the raw record for a backup. */
  readonly data: Uint8Array;
  /** The source record as it arrived (error documents and backups quote it). */
  readonly raw: Uint8Array;
  /** Kinesis source: the record's sequence number. */
  readonly sequenceNumber?: string;
}

/** One buffer: a partition of the main output, an error type, the backup, or the HTTP endpoint. */
export interface OutputBuffer {
  readonly id: string;
  readonly kind: "main" | "error" | "backup" | "http";
  readonly errorType?: string;
  readonly queryKeys?: Readonly<Record<string, string>>;
  readonly lambdaKeys?: Readonly<Record<string, string>>;
  readonly records: BufferedRecord[];
  bytes: number;
  readonly openedAt: number;
}

/** An S3 delivery's target as staged. */
export interface S3Target {
  readonly bucket: string;
  readonly key: string;
  readonly contentEncoding?: string;
}

/** A staged HTTP delivery's target: the request plus what a failure backup needs. */
export interface StagedHttpTarget extends HttpTarget {
  readonly arrivals: readonly number[];
}

/** Facts about the stream every output needs. */
export interface StreamFacts {
  readonly name: string;
  readonly arn: string;
  readonly versionId: number;
  readonly accountId: string;
  readonly region: string;
}

/** A JSON document line for a failed record, as Firehose writes them under the error prefix. */
export function errorDocument(fields: Record<string, unknown>): Uint8Array {
  return Buffer.from(JSON.stringify(fields) + "\n", "utf8");
}

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");

function s3Object(out: S3Output, records: readonly { arrival: number }[], stream: StreamFacts, body: Uint8Array, parts: "main" | "error", ctx: { errorType?: string; queryKeys?: Readonly<Record<string, string>>; lambdaKeys?: Readonly<Record<string, string>> }, now: number, opts?: { extension?: string; raw?: boolean }): NewDelivery {
  const oldest = records.reduce((m, r) => Math.min(m, r.arrival), Number.POSITIVE_INFINITY);
  const timestamp = Number.isFinite(oldest) ? oldest : now;
  const prefix = evaluatePrefix(parts === "main" ? out.prefixes.main : out.prefixes.error, {
    timestamp,
    timeZone: out.timeZone,
    ...(ctx.errorType === undefined ? {} : { errorOutputType: ctx.errorType }),
    ...(ctx.queryKeys === undefined ? {} : { queryKeys: ctx.queryKeys }),
    ...(ctx.lambdaKeys === undefined ? {} : { lambdaKeys: ctx.lambdaKeys }),
  });
  const extension = opts?.extension ?? out.extension;
  const name = objectName(stream.name, stream.versionId, timestamp, out.timeZone, randomUUID(), extension);
  const payload = opts?.raw === true ? body : compress(out.compression, body, name.slice(0, name.length - extension.length));
  // The uncompressed object (~SizeInMBs, made by the caller for this call) is not needed once
  // compressed: freed now rather than at the next collection.
  if (payload !== body) freeBuffers([body]);
  const encoding = opts?.raw === true ? undefined : COMPRESSION_CONTENT_ENCODING[out.compression];
  const target: S3Target = { bucket: out.bucket, key: prefix + name, ...(encoding === undefined ? {} : { contentEncoding: encoding }) };
  return { kind: "s3", target: JSON.stringify(target), body: payload, notBefore: now };
}

/** Thrown when a conversion cannot run yet (its Glue table is missing); the buffer waits. */
export class ConversionUnavailableError extends Error {
  override readonly name = "ConversionUnavailableError";
}

/**
 * Turns a full buffer into staged deliveries: the object (compressed, or converted to Parquet),
 * plus an error object for records the schema refused.
 */
export function buildOutputs(buffer: OutputBuffer, config: PipelineConfig, stream: StreamFacts, now: number, schema: GlueTableSchema | undefined): NewDelivery[] {
  const datas = buffer.records.map((r) => r.data);
  switch (buffer.kind) {
    case "backup": {
      const out = config.backup ?? config.s3;
      return [s3Object(out, buffer.records, stream, Buffer.concat(datas), "main", {}, now)];
    }
    case "error": {
      const extension = COMPRESSION_EXTENSIONS[config.s3.compression];
      return [s3Object(config.s3, buffer.records, stream, Buffer.concat(datas), "error", { errorType: buffer.errorType ?? "processing-failed" }, now, { extension })];
    }
    case "http": {
      const http = config.http!;
      const requestId = randomUUID();
      const target: StagedHttpTarget = {
        url: http.url,
        requestId,
        accessKey: http.accessKey,
        gzip: http.gzip,
        commonAttributes: http.commonAttributes,
        sourceArn: stream.arn,
        arrivals: buffer.records.map((r) => r.arrival),
      };
      return [{ kind: "http", target: JSON.stringify(target), body: requestBody(requestId, now, datas), notBefore: now }];
    }
    case "main": {
      const ctx = { ...(buffer.queryKeys === undefined ? {} : { queryKeys: buffer.queryKeys }), ...(buffer.lambdaKeys === undefined ? {} : { lambdaKeys: buffer.lambdaKeys }) };
      const conv = config.conversion;
      if (conv === undefined) return [s3Object(config.s3, buffer.records, stream, Buffer.concat(datas), "main", ctx, now)];
      if (schema === undefined) throw new ConversionUnavailableError(`Glue table ${conv.database}.${conv.table} was not found.`);
      const plan = planParquet(schema.columns);
      const rows: unknown[][] = [];
      const kept: BufferedRecord[] = [];
      const errors: Uint8Array[] = [];
      const failed: BufferedRecord[] = [];
      for (const r of buffer.records) {
        try {
          rows.push(recordToRow(plan, r.data, conv.serde));
          kept.push(r);
        } catch (err) {
          if (!(err instanceof SchemaMismatchError)) throw err;
          failed.push(r);
          errors.push(
            errorDocument({
              attemptsMade: 1,
              arrivalTimestamp: r.arrival,
              ErrorCode: "DataFormatConversion.MalformedData",
              ErrorMessage: err.message,
              attemptEndingTimestamp: now,
              rawData: b64(r.data),
              sequenceNumber: r.sequenceNumber ?? null,
              subSequenceNumber: null,
              dataCatalogTable: {
                catalogId: conv.catalogId ?? stream.accountId,
                databaseName: conv.database,
                tableName: conv.table,
                region: conv.region ?? stream.region,
                versionId: schema.versionId,
                catalogArn: `arn:aws:glue:${conv.region ?? stream.region}:${conv.catalogId ?? stream.accountId}:catalog`,
              },
            }),
          );
        }
      }
      const out: NewDelivery[] = [];
      if (rows.length > 0) {
        const parquet = writeParquet(plan, rows, { compression: conv.compression, ...(conv.pageSizeBytes === undefined ? {} : { pageSizeBytes: conv.pageSizeBytes }) });
        out.push(s3Object(config.s3, kept, stream, parquet, "main", ctx, now, { raw: true }));
      }
      if (errors.length > 0) {
        out.push(s3Object(config.s3, failed, stream, Buffer.concat(errors), "error", { errorType: "format-conversion-failed" }, now, { extension: COMPRESSION_EXTENSIONS[config.s3.compression] }));
      }
      return out;
    }
  }
}

/** Error documents for the records of an HTTP delivery that ran out of retries (`http-endpoint-failed`). */
export function httpFailureObject(config: PipelineConfig, stream: StreamFacts, target: StagedHttpTarget, records: readonly Uint8Array[], failure: { errorCode: string; errorMessage: string; attempts: number }, now: number): NewDelivery {
  const docs = records.map((raw, i) =>
    errorDocument({
      attemptsMade: failure.attempts,
      arrivalTimestamp: target.arrivals[i] ?? now,
      errorCode: failure.errorCode,
      errorMessage: failure.errorMessage,
      attemptEndingTimestamp: now,
      rawData: b64(raw),
      EndpointUrl: target.url,
    }),
  );
  const arrivals = records.map((_r, i) => ({ arrival: target.arrivals[i] ?? now }));
  return s3Object(config.s3, arrivals, stream, Buffer.concat(docs), "error", { errorType: "http-endpoint-failed" }, now, { extension: COMPRESSION_EXTENSIONS[config.s3.compression] });
}

/** A backup (S3BackupMode AllData) of an HTTP delivery's records in the destination's S3 bucket. */
export function httpBackupObject(config: PipelineConfig, stream: StreamFacts, target: StagedHttpTarget, records: readonly Uint8Array[], now: number): NewDelivery {
  const arrivals = records.map((_r, i) => ({ arrival: target.arrivals[i] ?? now }));
  return s3Object(config.s3, arrivals, stream, Buffer.concat(records), "main", {}, now);
}
