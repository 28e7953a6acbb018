import { join } from "node:path";
import type { Service, ServiceDeps } from "../../server/service.js";
import type { FirehoseMetadataStore } from "../../storage/firehose-metadata/firehose-metadata-store.js";
import { createSqliteFirehoseMetadataStore } from "../../storage/firehose-metadata/sqlite-firehose-metadata.js";
import { createSegmentShardLogStore } from "../../storage/shard-log/segment-shard-log.js";
import type { ShardLogStore } from "../../storage/shard-log/shard-log.js";
import { FirehoseDeliveryWorker } from "../../workers/firehose-delivery.js";
import { runKinesisWorkers, sleep, type KinesisWorker } from "../../workers/kinesis-worker-loop.js";
import type { FirehoseDeps } from "./deps.js";
import { renderFirehoseError } from "./errors.js";
import { routeFirehoseRequest, TARGET_PREFIX } from "./router.js";
import { FirehoseState, type FirehoseOptions } from "./state.js";

/** Overrides for tests: other stores, shorter transitions. */
export interface FirehoseServiceOverrides extends Partial<Omit<FirehoseOptions, "region">> {
  readonly metadata?: FirehoseMetadataStore;
  readonly spools?: ShardLogStore;
}

type Loop = ReturnType<typeof runKinesisWorkers>;

/**
 * Amazon Data Firehose on the shared listener (JSON 1.1): delivery streams in SQLite, DirectPut
 * records in durable spools, one delivery worker per stream writing to S3 or an HTTP endpoint
 * through the other services' internal APIs.
 */
export function createFirehoseService(deps: ServiceDeps, apis: FirehoseDeps, overrides: FirehoseServiceOverrides = {}): Service & { readonly state: FirehoseState } {
  const { config, clock, logger } = deps;
  const metadata = overrides.metadata ?? createSqliteFirehoseMetadataStore(join(config.dataDir, "meta", "firehose.db"));
  const spools = overrides.spools ?? createSegmentShardLogStore({ dir: join(config.dataDir, "firehose", "spool"), logger, segmentBytes: 16 * 1024 * 1024 });
  const options: FirehoseOptions = {
    region: config.region,
    transitionDelayMs: overrides.transitionDelayMs ?? 300,
    minIntervalSeconds: overrides.minIntervalSeconds ?? config.firehoseMinIntervalSeconds,
    allowHttpEndpoints: overrides.allowHttpEndpoints ?? config.firehoseAllowHttpEndpoints,
  };
  const state = new FirehoseState(metadata, spools, apis, clock, options, logger);
  const loops = new Map<string, Loop>();
  let running = false;
  let statusLoop: Loop | undefined;

  /** Starts a delivery worker for every ACTIVE stream that has none. */
  function reconcile(): void {
    if (!running) return;
    for (const row of metadata.listStreams(undefined)) {
      if (row.status !== "ACTIVE" || loops.has(row.id)) continue;
      const loop = runKinesisWorkers([new FirehoseDeliveryWorker(state, row)], logger);
      loops.set(row.id, loop);
    }
  }

  const statusWorker: KinesisWorker = {
    name: "firehose-status",
    async work() {
      state.settleAll();
      reconcile();
      // Loops whose stream is gone have returned "done": forget them.
      for (const [id, loop] of loops) {
        const alive = metadata.listStreams(undefined).some((r) => r.id === id && r.status !== "DELETING");
        if (!alive) {
          loops.delete(id);
          await loop.stop(5000);
        }
      }
      return "idle";
    },
    waitForWork: (signal) => sleep(100, signal),
    status: () => `${loops.size} delivery workers`,
  };

  return {
    name: "firehose",
    signingNames: ["firehose"],
    targetPrefixes: [TARGET_PREFIX],
    allowsAnonymous: false,
    state,
    handle: (req, ctx) => routeFirehoseRequest(state, req, ctx),
    renderError: (err, _req, ctx) => renderFirehoseError(err, ctx),
    async start() {
      running = true;
      state.onChange(() => reconcile());
      reconcile();
      statusLoop = runKinesisWorkers([statusWorker], logger);
    },
    async stop() {
      running = false;
      await statusLoop?.stop();
      await Promise.all([...loops.values()].map((l) => l.stop(5000)));
      loops.clear();
      await state.close();
      metadata.close();
    },
  };
}
