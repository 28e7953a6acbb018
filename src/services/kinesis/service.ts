import { join } from "node:path";
import type { Service, ServiceDeps } from "../../server/service.js";
import type { KinesisMetadataStore } from "../../storage/kinesis-metadata/kinesis-metadata-store.js";
import { createSqliteKinesisMetadataStore } from "../../storage/kinesis-metadata/sqlite-kinesis-metadata.js";
import { createSegmentShardLogStore } from "../../storage/shard-log/segment-shard-log.js";
import type { ShardLogStore } from "../../storage/shard-log/shard-log.js";
import { createKinesisRetentionWorker } from "../../workers/kinesis-retention.js";
import { createKinesisStatusWorker } from "../../workers/kinesis-status.js";
import { createSupervisor, type WorkerHandle } from "../../workers/supervisor.js";
import { renderKinesisError } from "./errors.js";
import { createKinesisInternalApi, type KinesisInternalApi } from "./internal-api.js";
import { routeKinesisRequest, TARGET_PREFIX } from "./router.js";
import { DEFAULT_KINESIS_OPTIONS, KinesisState, type KinesisOptions } from "./state.js";

/** Overrides for tests: other stores, shorter transitions. */
export interface KinesisServiceOverrides extends Partial<Omit<KinesisOptions, "region" | "accountId">> {
  readonly metadata?: KinesisMetadataStore;
  readonly shardLogs?: ShardLogStore;
  /** Retention worker period (ms); reads also trim lazily, so this only bounds disk use. */
  readonly retentionIntervalMs?: number;
}

/**
 * Kinesis Data Streams on the shared listener: JSON 1.1 and CBOR, streams and shards in SQLite,
 * records in durable shard logs, enhanced fan-out over event streams.
 */
export function createKinesisService(deps: ServiceDeps, overrides: KinesisServiceOverrides = {}): Service & { readonly state: KinesisState; readonly api: KinesisInternalApi } {
  const { config, clock, logger } = deps;
  const metadata = overrides.metadata ?? createSqliteKinesisMetadataStore(join(config.dataDir, "meta", "kinesis.db"));
  const shardLogs = overrides.shardLogs ?? createSegmentShardLogStore({ dir: join(config.dataDir, "kinesis", "shards"), logger });
  const options: KinesisOptions = {
    region: config.region,
    accountId: config.accountId,
    enforceLimits: overrides.enforceLimits ?? config.kinesisEnforceLimits,
    transitionDelayMs: overrides.transitionDelayMs ?? DEFAULT_KINESIS_OPTIONS.transitionDelayMs,
    consumerDelayMs: overrides.consumerDelayMs ?? DEFAULT_KINESIS_OPTIONS.consumerDelayMs,
    shardLimit: overrides.shardLimit ?? DEFAULT_KINESIS_OPTIONS.shardLimit,
    onDemandStreamLimit: overrides.onDemandStreamLimit ?? DEFAULT_KINESIS_OPTIONS.onDemandStreamLimit,
  };
  const state = new KinesisState(metadata, shardLogs, clock, options, logger);
  const supervisor = deps.workers ?? createSupervisor(logger);
  let workers: WorkerHandle[] = [];

  return {
    name: "kinesis",
    signingNames: ["kinesis"],
    targetPrefixes: [TARGET_PREFIX],
    allowsAnonymous: false,
    readsBodiesWhole: true,
    state,
    api: createKinesisInternalApi(state),
    handle: (req, ctx) => routeKinesisRequest(state, req, ctx),
    renderError: (err, req, ctx) => renderKinesisError(err, req, ctx),
    async start() {
      workers = [createKinesisStatusWorker(state), createKinesisRetentionWorker(state, overrides.retentionIntervalMs)].map((w) => supervisor.register(w));
    },
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      workers = [];
      await state.close();
      metadata.close();
    },
  };
}
