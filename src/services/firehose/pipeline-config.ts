import { COMPRESSION_EXTENSIONS, type CompressionFormat } from "./delivery/compression.js";
import { compileJq, type JqProgram } from "./delivery/jq.js";
import { planPrefixes, type PrefixPlan } from "./delivery/key-template.js";
import { DEFAULT_SERDE, type JsonSerDeOptions, type ParquetCompression } from "./delivery/parquet.js";
import type { StoredDestination } from "./destination.js";
import type { BufferingHints, ProcessingConfiguration, S3DestinationDescription } from "./shapes/types.js";

const MIB = 1024 * 1024;

/** Where and how one S3 output (main, or backup) is written. */
export interface S3Output {
  readonly bucket: string;
  readonly prefixes: PrefixPlan;
  readonly compression: CompressionFormat;
  /** Appended to object names (FileExtension, or the compression's). */
  readonly extension: string;
  readonly timeZone: string;
  readonly bufferBytes: number;
  readonly intervalMs: number;
}

/** The Lambda processor, if any. */
export interface LambdaProcessor {
  readonly functionArn: string;
  readonly retries: number;
  /** Records per invocation are bounded by this many bytes of input. */
  readonly bufferBytes: number;
}

/** Record format conversion to Parquet. */
export interface Conversion {
  readonly catalogId: string | undefined;
  readonly database: string;
  readonly table: string;
  readonly region: string | undefined;
  readonly versionId: string;
  readonly serde: JsonSerDeOptions;
  readonly compression: ParquetCompression;
  readonly pageSizeBytes: number | undefined;
}

/** HTTP endpoint delivery. */
export interface HttpOutput {
  readonly url: string;
  readonly name: string | undefined;
  readonly accessKey: string | undefined;
  readonly gzip: boolean;
  readonly commonAttributes: Readonly<Record<string, string>>;
  readonly retryMs: number;
  readonly backupAll: boolean;
  readonly bufferBytes: number;
  readonly intervalMs: number;
}

/** Everything the delivery worker needs to know about a delivery stream's destination. */
export interface PipelineConfig {
  readonly lambda: LambdaProcessor | undefined;
  readonly metadataQuery: JqProgram | undefined;
  readonly appendDelimiter: boolean;
  readonly dynamicPartitioning: boolean;
  /** The S3 destination (for an HTTP endpoint: the bucket that receives backups and failures). */
  readonly s3: S3Output;
  readonly conversion: Conversion | undefined;
  /** S3BackupMode Enabled: source records also go here. */
  readonly backup: S3Output | undefined;
  readonly http: HttpOutput | undefined;
}

export function bucketOf(arn: string): string {
  return arn.slice(arn.lastIndexOf(":") + 1);
}

function param(p: ProcessingConfiguration | undefined, type: string, name: string): string | undefined {
  if (p?.Enabled === false) return undefined;
  const processor = p?.Processors?.find((x) => x.Type === type);
  return processor?.Parameters?.find((x) => x.ParameterName === name)?.ParameterValue;
}

/** Whether a processor of `type` is configured (and processing is enabled). */
export function hasProcessor(p: ProcessingConfiguration | undefined, type: string): boolean {
  return p?.Enabled !== false && (p?.Processors ?? []).some((x) => x.Type === type);
}

function s3Output(d: S3DestinationDescription, hints: BufferingHints, opts: { dynamicPartitioning: boolean; fileExtension?: string | undefined; timeZone?: string | undefined; converted: boolean }): S3Output {
  const compression = d.CompressionFormat;
  return {
    bucket: bucketOf(d.BucketARN),
    prefixes: planPrefixes(d.Prefix, d.ErrorOutputPrefix, { dynamicPartitioning: opts.dynamicPartitioning }),
    compression,
    extension: opts.fileExtension !== undefined && opts.fileExtension !== "" ? opts.fileExtension : opts.converted ? ".parquet" : COMPRESSION_EXTENSIONS[compression],
    timeZone: opts.timeZone === undefined || opts.timeZone === "" ? "UTC" : opts.timeZone,
    bufferBytes: (hints.SizeInMBs ?? 5) * MIB,
    intervalMs: (hints.IntervalInSeconds ?? 300) * 1000,
  };
}

/** Derives the worker's view of a stored destination. */
export function pipelineConfigOf(dest: StoredDestination): PipelineConfig {
  if (dest.kind === "HttpEndpoint") {
    const d = dest.d;
    const s3 = d.S3DestinationDescription!;
    const lambdaArn = param(d.ProcessingConfiguration, "Lambda", "LambdaArn");
    return {
      lambda: lambdaArn === undefined ? undefined : lambdaOf(d.ProcessingConfiguration, lambdaArn),
      metadataQuery: undefined,
      appendDelimiter: false,
      dynamicPartitioning: false,
      s3: s3Output(s3, s3.BufferingHints, { dynamicPartitioning: false, converted: false }),
      conversion: undefined,
      backup: undefined,
      http: {
        url: dest.url,
        name: d.EndpointConfiguration?.Name,
        accessKey: dest.accessKey,
        gzip: d.RequestConfiguration?.ContentEncoding === "GZIP",
        commonAttributes: Object.fromEntries((d.RequestConfiguration?.CommonAttributes ?? []).map((a) => [a.AttributeName, a.AttributeValue])),
        retryMs: (d.RetryOptions?.DurationInSeconds ?? 300) * 1000,
        backupAll: d.S3BackupMode === "AllData",
        bufferBytes: (d.BufferingHints?.SizeInMBs ?? 5) * MIB,
        intervalMs: (d.BufferingHints?.IntervalInSeconds ?? 300) * 1000,
      },
    };
  }
  const d = dest.d;
  const dynamicPartitioning = d.DynamicPartitioningConfiguration?.Enabled === true;
  const conv = d.DataFormatConversionConfiguration;
  const converting = conv !== undefined && conv.Enabled !== false;
  const lambdaArn = param(d.ProcessingConfiguration, "Lambda", "LambdaArn");
  const query = param(d.ProcessingConfiguration, "MetadataExtraction", "MetadataExtractionQuery");
  const open = conv?.InputFormatConfiguration?.Deserializer?.OpenXJsonSerDe;
  const hive = conv?.InputFormatConfiguration?.Deserializer?.HiveJsonSerDe;
  const parquet = conv?.OutputFormatConfiguration?.Serializer?.ParquetSerDe;
  const schema = conv?.SchemaConfiguration;
  return {
    lambda: lambdaArn === undefined ? undefined : lambdaOf(d.ProcessingConfiguration, lambdaArn),
    metadataQuery: query === undefined ? undefined : compileJq(query),
    appendDelimiter: hasProcessor(d.ProcessingConfiguration, "AppendDelimiterToRecord"),
    dynamicPartitioning,
    s3: s3Output(d, d.BufferingHints, { dynamicPartitioning, fileExtension: d.FileExtension, timeZone: d.CustomTimeZone, converted: converting }),
    conversion: !converting
      ? undefined
      : {
          catalogId: schema?.CatalogId,
          database: schema?.DatabaseName ?? "",
          table: schema?.TableName ?? "",
          region: schema?.Region,
          versionId: schema?.VersionId ?? "LATEST",
          serde:
            hive !== undefined
              ? { ...DEFAULT_SERDE, kind: "hive", timestampFormats: hive.TimestampFormats ?? [] }
              : {
                  ...DEFAULT_SERDE,
                  caseInsensitive: open?.CaseInsensitive ?? true,
                  columnToJsonKeyMappings: open?.ColumnToJsonKeyMappings ?? {},
                  convertDotsInJsonKeysToUnderscores: open?.ConvertDotsInJsonKeysToUnderscores ?? false,
                },
          compression: parquet?.Compression ?? "SNAPPY",
          pageSizeBytes: parquet?.PageSizeBytes,
        },
    backup:
      d.S3BackupMode === "Enabled" && d.S3BackupDescription !== undefined
        ? s3Output({ ...d.S3BackupDescription, ErrorOutputPrefix: "!{firehose:error-output-type}/" }, d.S3BackupDescription.BufferingHints, {
            dynamicPartitioning: false,
            converted: false,
          })
        : undefined,
    http: undefined,
  };
}

function lambdaOf(p: ProcessingConfiguration | undefined, arn: string): LambdaProcessor {
  const retries = Number(param(p, "Lambda", "NumberOfRetries") ?? "3");
  const size = Number(param(p, "Lambda", "BufferSizeInMBs") ?? "1");
  return { functionArn: arn, retries: Number.isFinite(retries) ? retries : 3, bufferBytes: Math.max(1, (Number.isFinite(size) ? size : 1) * MIB) };
}
