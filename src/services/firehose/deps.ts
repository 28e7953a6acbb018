import type { GlueInternalApi } from "../glue/internal-api.js";
import type { KinesisInternalApi } from "../kinesis/internal-api.js";
import type { LambdaInternalApi } from "../lambda/internal-api.js";
import type { S3InternalApi } from "../s3/internal-api.js";
import type { TableColumn } from "./delivery/parquet.js";

/** The Glue table a format conversion reads its schema from. */
export interface GlueTableSchema {
  readonly columns: readonly TableColumn[];
  /** The table version the schema came from. */
  readonly versionId: string;
}

/** What Firehose needs from the Glue Data Catalog. */
export type FirehoseGlue = Pick<GlueInternalApi, "getTable">;

/** A table's columns as format conversion uses them, or undefined if the database or table does not exist. */
export function tableSchemaOf(glue: FirehoseGlue, accountId: string, database: string, table: string): GlueTableSchema | undefined {
  const t = glue.getTable(accountId, database, table);
  if (t === undefined) return undefined;
  return {
    columns: (t.StorageDescriptor?.Columns ?? []).map((c) => ({ name: c.Name, type: c.Type ?? "string" })),
    versionId: t.VersionId ?? "0",
  };
}

/** What Firehose needs from Lambda: synchronous invocations of the transformation function. */
export type FirehoseLambda = Pick<LambdaInternalApi, "invoke">;

/** The other services Firehose delivers through, handed in by the server's service registry. */
export interface FirehoseDeps {
  readonly s3: S3InternalApi;
  readonly kinesis: KinesisInternalApi;
  readonly glue: FirehoseGlue;
  readonly lambda: FirehoseLambda;
}
