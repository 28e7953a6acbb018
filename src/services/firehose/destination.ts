import { isValidTimeZone } from "./delivery/date-format.js";
import { JqError, objectKeysOf } from "./delivery/jq.js";
import { partitionKeysUsed, PrefixError } from "./delivery/key-template.js";
import { FirehoseError } from "./errors.js";
import { hasProcessor, pipelineConfigOf } from "./pipeline-config.js";
import type {
  CreateDeliveryStreamInput,
  DestinationDescription,
  ExtendedS3DestinationConfiguration,
  ExtendedS3DestinationDescription,
  ExtendedS3DestinationUpdate,
  HttpEndpointDestinationConfiguration,
  HttpEndpointDestinationDescription,
  HttpEndpointDestinationUpdate,
  S3DestinationConfiguration,
  S3DestinationDescription,
  S3DestinationUpdate,
  UpdateDestinationInput,
} from "./shapes/types.js";

/** A destination as stored: its description as DescribeDeliveryStream returns it, plus secrets it never shows. */
export type StoredDestination =
  | { readonly kind: "ExtendedS3"; readonly d: ExtendedS3DestinationDescription; readonly legacy: boolean }
  | { readonly kind: "HttpEndpoint"; readonly d: HttpEndpointDestinationDescription; readonly url: string; readonly accessKey: string | undefined };

/** Server settings that relax the service's limits for local use. */
export interface DestinationRules {
  /** Smallest IntervalInSeconds accepted where the service demands 60 (dynamic partitioning, format conversion). */
  readonly minIntervalSeconds: number;
  /** Accept http:// endpoint URLs (the service takes https only). */
  readonly allowHttpEndpoints: boolean;
}

/** The only destination id a delivery stream has. */
export const DESTINATION_ID = "destinationId-000000000001";

const invalid = (message: string): FirehoseError => new FirehoseError("InvalidArgumentException", message);

function s3Description(c: S3DestinationConfiguration | S3DestinationUpdate, base?: S3DestinationDescription): S3DestinationDescription {
  const out: S3DestinationDescription = {
    RoleARN: c.RoleARN ?? base?.RoleARN ?? "",
    BucketARN: c.BucketARN ?? base?.BucketARN ?? "",
    BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 300, ...base?.BufferingHints, ...c.BufferingHints },
    CompressionFormat: c.CompressionFormat ?? base?.CompressionFormat ?? "UNCOMPRESSED",
    EncryptionConfiguration: c.EncryptionConfiguration ?? base?.EncryptionConfiguration ?? { NoEncryptionConfig: "NoEncryption" },
    CloudWatchLoggingOptions: c.CloudWatchLoggingOptions ?? base?.CloudWatchLoggingOptions ?? { Enabled: false },
  };
  const prefix = c.Prefix ?? base?.Prefix;
  const errorPrefix = c.ErrorOutputPrefix ?? base?.ErrorOutputPrefix;
  if (prefix !== undefined) out.Prefix = prefix;
  if (errorPrefix !== undefined) out.ErrorOutputPrefix = errorPrefix;
  return out;
}

function extendedDescription(c: ExtendedS3DestinationConfiguration | ExtendedS3DestinationUpdate, base?: ExtendedS3DestinationDescription): ExtendedS3DestinationDescription {
  const converting = (c.DataFormatConversionConfiguration ?? base?.DataFormatConversionConfiguration)?.Enabled !== false && (c.DataFormatConversionConfiguration ?? base?.DataFormatConversionConfiguration) !== undefined;
  const dynamic = (c.DynamicPartitioningConfiguration ?? base?.DynamicPartitioningConfiguration)?.Enabled === true;
  // Format conversion and dynamic partitioning default to 128 MiB buffers (Firehose developer guide, buffering hints).
  const defaultSize = converting || dynamic ? 128 : 5;
  const out: ExtendedS3DestinationDescription = {
    ...s3Description(c, base),
    BufferingHints: { SizeInMBs: defaultSize, IntervalInSeconds: 300, ...base?.BufferingHints, ...c.BufferingHints },
    S3BackupMode: c.S3BackupMode ?? base?.S3BackupMode ?? "Disabled",
  };
  const processing = c.ProcessingConfiguration ?? base?.ProcessingConfiguration;
  if (processing !== undefined) out.ProcessingConfiguration = processing;
  const backupConfig = "S3BackupConfiguration" in c ? c.S3BackupConfiguration : "S3BackupUpdate" in c ? c.S3BackupUpdate : undefined;
  if (backupConfig !== undefined) out.S3BackupDescription = s3Description(backupConfig, base?.S3BackupDescription);
  else if (base?.S3BackupDescription !== undefined) out.S3BackupDescription = base.S3BackupDescription;
  const conv = c.DataFormatConversionConfiguration ?? base?.DataFormatConversionConfiguration;
  if (conv !== undefined) out.DataFormatConversionConfiguration = { ...conv, Enabled: conv.Enabled ?? true };
  const dp = c.DynamicPartitioningConfiguration ?? base?.DynamicPartitioningConfiguration;
  if (dp !== undefined) out.DynamicPartitioningConfiguration = { RetryOptions: { DurationInSeconds: 300, ...dp.RetryOptions }, Enabled: dp.Enabled ?? false };
  const ext = c.FileExtension ?? base?.FileExtension;
  if (ext !== undefined) out.FileExtension = ext;
  const tz = c.CustomTimeZone ?? base?.CustomTimeZone;
  if (tz !== undefined) out.CustomTimeZone = tz;
  return out;
}

function httpDescription(c: HttpEndpointDestinationConfiguration | HttpEndpointDestinationUpdate, base?: StoredDestination & { kind: "HttpEndpoint" }): StoredDestination {
  const b = base?.d;
  const url = c.EndpointConfiguration?.Url ?? base?.url ?? "";
  const s3 = "S3Configuration" in c && c.S3Configuration !== undefined ? c.S3Configuration : "S3Update" in c ? c.S3Update : undefined;
  const d: HttpEndpointDestinationDescription = {
    EndpointConfiguration: { Url: url },
    BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 300, ...b?.BufferingHints, ...c.BufferingHints },
    CloudWatchLoggingOptions: c.CloudWatchLoggingOptions ?? b?.CloudWatchLoggingOptions ?? { Enabled: false },
    RequestConfiguration: { ContentEncoding: "NONE", ...b?.RequestConfiguration, ...c.RequestConfiguration },
    RetryOptions: { DurationInSeconds: 300, ...b?.RetryOptions, ...c.RetryOptions },
    S3BackupMode: c.S3BackupMode ?? b?.S3BackupMode ?? "FailedDataOnly",
    S3DestinationDescription: s3 === undefined ? b!.S3DestinationDescription! : s3Description(s3, b?.S3DestinationDescription),
  };
  const name = c.EndpointConfiguration?.Name ?? b?.EndpointConfiguration?.Name;
  if (name !== undefined) d.EndpointConfiguration = { Url: url, Name: name };
  const processing = c.ProcessingConfiguration ?? b?.ProcessingConfiguration;
  if (processing !== undefined) d.ProcessingConfiguration = processing;
  const role = c.RoleARN ?? b?.RoleARN;
  if (role !== undefined) d.RoleARN = role;
  return { kind: "HttpEndpoint", d, url, accessKey: c.EndpointConfiguration?.AccessKey ?? base?.accessKey };
}

const UNSUPPORTED = [
  "RedshiftDestinationConfiguration",
  "ElasticsearchDestinationConfiguration",
  "AmazonopensearchserviceDestinationConfiguration",
  "SplunkDestinationConfiguration",
  "AmazonOpenSearchServerlessDestinationConfiguration",
  "SnowflakeDestinationConfiguration",
  "IcebergDestinationConfiguration",
] as const;

/** The destination a CreateDeliveryStream input configures, validated. */
export function destinationFromCreate(input: CreateDeliveryStreamInput, rules: DestinationRules): StoredDestination {
  const given = [
    "S3DestinationConfiguration",
    "ExtendedS3DestinationConfiguration",
    "HttpEndpointDestinationConfiguration",
    ...UNSUPPORTED,
  ].filter((k) => input[k as keyof CreateDeliveryStreamInput] !== undefined);
  if (given.length !== 1) throw invalid("Exactly one destination configuration must be specified.");
  const which = given[0]!;
  if ((UNSUPPORTED as readonly string[]).includes(which)) {
    throw invalid(`${which.replace("Configuration", "")} is not supported by Streamlake; use an S3 or HTTP endpoint destination.`);
  }
  let dest: StoredDestination;
  if (input.ExtendedS3DestinationConfiguration !== undefined) dest = { kind: "ExtendedS3", d: extendedDescription(input.ExtendedS3DestinationConfiguration), legacy: false };
  else if (input.S3DestinationConfiguration !== undefined) dest = { kind: "ExtendedS3", d: extendedDescription(input.S3DestinationConfiguration), legacy: true };
  else dest = httpDescription(input.HttpEndpointDestinationConfiguration!);
  validate(dest, rules);
  return dest;
}

/** Merges an UpdateDestination into the stored destination (same type: merged; another type: replaced), validated. */
export function destinationFromUpdate(current: StoredDestination, input: UpdateDestinationInput, rules: DestinationRules): StoredDestination {
  const updates = Object.keys(input).filter((k) => k.endsWith("DestinationUpdate") && input[k as keyof UpdateDestinationInput] !== undefined);
  if (updates.length !== 1) throw invalid("Exactly one destination update must be specified.");
  let dest: StoredDestination;
  if (input.ExtendedS3DestinationUpdate !== undefined || input.S3DestinationUpdate !== undefined) {
    const u: ExtendedS3DestinationUpdate = input.ExtendedS3DestinationUpdate ?? input.S3DestinationUpdate!;
    if (current.kind === "ExtendedS3") {
      if (current.d.DynamicPartitioningConfiguration?.Enabled === true && u.DynamicPartitioningConfiguration?.Enabled === false) {
        // Once enabled, dynamic partitioning cannot be disabled (Firehose developer guide).
        throw invalid("Dynamic partitioning cannot be disabled once it is enabled.");
      }
      if (current.d.DynamicPartitioningConfiguration?.Enabled !== true && u.DynamicPartitioningConfiguration?.Enabled === true) {
        throw invalid("Dynamic partitioning can only be enabled when the Firehose stream is created.");
      }
      dest = { kind: "ExtendedS3", d: extendedDescription(u, current.d), legacy: current.legacy && input.ExtendedS3DestinationUpdate === undefined };
    } else {
      if (u.RoleARN === undefined || u.BucketARN === undefined) throw invalid("RoleARN and BucketARN are required when changing the destination type.");
      dest = { kind: "ExtendedS3", d: extendedDescription(u), legacy: input.ExtendedS3DestinationUpdate === undefined };
    }
  } else if (input.HttpEndpointDestinationUpdate !== undefined) {
    const u = input.HttpEndpointDestinationUpdate;
    if (current.kind !== "HttpEndpoint" && (u.EndpointConfiguration === undefined || u.S3Update === undefined)) {
      throw invalid("EndpointConfiguration and S3Update are required when changing the destination type to an HTTP endpoint.");
    }
    dest = httpDescription(u, current.kind === "HttpEndpoint" ? current : undefined);
  } else {
    throw invalid(`${updates[0]!.replace("Update", "")} is not supported by Streamlake; use an S3 or HTTP endpoint destination.`);
  }
  validate(dest, rules);
  return dest;
}

function validate(dest: StoredDestination, rules: DestinationRules): void {
  if (dest.kind === "HttpEndpoint") {
    if (!/^https:\/\//.test(dest.url) && !(rules.allowHttpEndpoints && /^http:\/\//.test(dest.url))) {
      throw new FirehoseError(
        "ValidationException",
        `1 validation error detected: Value '${dest.url}' at 'httpEndpointDestinationConfiguration.endpointConfiguration.url' failed to satisfy constraint: Member must satisfy regular expression pattern: https://.*`,
      );
    }
    if (dest.d.S3BackupMode === "AllData" && dest.d.ProcessingConfiguration !== undefined && hasProcessor(dest.d.ProcessingConfiguration, "MetadataExtraction")) {
      throw invalid("MetadataExtraction is only supported for S3 destinations with dynamic partitioning.");
    }
  } else {
    const d = dest.d;
    const dynamic = d.DynamicPartitioningConfiguration?.Enabled === true;
    const conv = d.DataFormatConversionConfiguration;
    const converting = conv !== undefined && conv.Enabled !== false;
    const interval = d.BufferingHints.IntervalInSeconds ?? 300;
    if ((dynamic || converting) && interval < rules.minIntervalSeconds) {
      throw invalid(`BufferingHints.IntervalInSeconds must be at least ${rules.minIntervalSeconds} when ${dynamic ? "dynamic partitioning" : "data format conversion"} is enabled.`);
    }
    if (dynamic && (d.BufferingHints.SizeInMBs ?? 128) < 64) throw invalid("BufferingHints.SizeInMBs must be at least 64 when dynamic partitioning is enabled.");
    if (converting) {
      if (d.CompressionFormat !== "UNCOMPRESSED") throw invalid("CompressionFormat must be UNCOMPRESSED when data format conversion is enabled; set the compression in the serializer instead.");
      const s = conv.SchemaConfiguration;
      if (s?.DatabaseName === undefined || s.TableName === undefined || s.RoleARN === undefined) {
        throw invalid("SchemaConfiguration must specify RoleARN, DatabaseName and TableName when data format conversion is enabled.");
      }
      const de = conv.InputFormatConfiguration?.Deserializer;
      if (de === undefined || (de.OpenXJsonSerDe === undefined) === (de.HiveJsonSerDe === undefined)) {
        throw invalid("InputFormatConfiguration must specify exactly one deserializer: OpenXJsonSerDe or HiveJsonSerDe.");
      }
      const se = conv.OutputFormatConfiguration?.Serializer;
      if (se === undefined || (se.ParquetSerDe === undefined) === (se.OrcSerDe === undefined)) {
        throw invalid("OutputFormatConfiguration must specify exactly one serializer: ParquetSerDe or OrcSerDe.");
      }
      if (se.OrcSerDe !== undefined) throw invalid("OrcSerDe is not supported by Streamlake: there is no maintained ORC writer for Node.js; use ParquetSerDe.");
    }
    if (d.CustomTimeZone !== undefined && !isValidTimeZone(d.CustomTimeZone)) throw invalid(`CustomTimeZone ${d.CustomTimeZone} is not a supported time zone.`);
    if (d.S3BackupMode === "Enabled" && d.S3BackupDescription === undefined) throw invalid("S3BackupConfiguration is required when S3BackupMode is Enabled.");
    const p = d.ProcessingConfiguration;
    if (hasProcessor(p, "MetadataExtraction") && !dynamic) throw invalid("MetadataExtraction processor requires dynamic partitioning to be enabled.");
    for (const type of ["RecordDeAggregation", "Decompression", "CloudWatchLogProcessing"]) {
      if (hasProcessor(p, type)) throw invalid(`The ${type} processor is not supported by Streamlake.`);
    }
  }
  let config;
  try {
    config = pipelineConfigOf(dest);
  } catch (err) {
    if (err instanceof PrefixError || err instanceof JqError) throw invalid(err.message);
    throw err;
  }
  if (dest.kind === "ExtendedS3") {
    const used = partitionKeysUsed(config.s3.prefixes.main);
    const query = dest.d.ProcessingConfiguration?.Processors?.find((x) => x.Type === "MetadataExtraction")?.Parameters?.find((x) => x.ParameterName === "MetadataExtractionQuery")?.ParameterValue;
    const defined = query === undefined ? [] : (objectKeysOf(query) ?? []);
    for (const k of used.query) if (!defined.includes(k)) throw invalid(`The partition key ${k} used in the prefix is not defined by the MetadataExtractionQuery.`);
    if (used.lambda.length > 0 && config.lambda === undefined) throw invalid("partitionKeyFromLambda expressions require a Lambda processor.");
  }
  if (config.lambda !== undefined && !/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/.test(config.lambda.functionArn)) {
    throw invalid(`LambdaArn ${config.lambda.functionArn} is not a valid Lambda function ARN.`);
  }
}

/** DescribeDeliveryStream's destination entry. */
export function describeDestination(dest: StoredDestination): DestinationDescription {
  if (dest.kind === "HttpEndpoint") return { DestinationId: DESTINATION_ID, HttpEndpointDestinationDescription: dest.d };
  const d = dest.d;
  const s3: S3DestinationDescription = {
    RoleARN: d.RoleARN,
    BucketARN: d.BucketARN,
    BufferingHints: d.BufferingHints,
    CompressionFormat: d.CompressionFormat,
    EncryptionConfiguration: d.EncryptionConfiguration,
  };
  if (d.Prefix !== undefined) s3.Prefix = d.Prefix;
  if (d.ErrorOutputPrefix !== undefined) s3.ErrorOutputPrefix = d.ErrorOutputPrefix;
  if (d.CloudWatchLoggingOptions !== undefined) s3.CloudWatchLoggingOptions = d.CloudWatchLoggingOptions;
  // The service describes an S3 destination in both forms.
  return { DestinationId: DESTINATION_ID, S3DestinationDescription: s3, ExtendedS3DestinationDescription: d };
}
