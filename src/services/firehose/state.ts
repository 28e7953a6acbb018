import type { DeliveryStreamRow, FirehoseMetadataStore } from "../../storage/firehose-metadata/firehose-metadata-store.js";
import type { ShardLog, ShardLogStore } from "../../storage/shard-log/shard-log.js";
import type { Clock } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import type { DestinationRules, StoredDestination } from "./destination.js";
import { FirehoseError } from "./errors.js";
import type { FirehoseDeps } from "./deps.js";

/** Tunables of the Firehose service. */
export interface FirehoseOptions extends DestinationRules {
  readonly region: string;
  /** How long CREATING and DELETING last (ms). */
  readonly transitionDelayMs: number;
}

/** The source of a Kinesis-sourced delivery stream, as stored. */
export interface StoredSource {
  readonly kinesisStreamArn: string;
  readonly roleArn: string;
  readonly deliveryStartTimestamp: number;
}

/**
 * What the operations and the delivery workers share: metadata, the DirectPut spools (one
 * durable ShardLog per delivery stream), the other services' APIs, and change notifications so
 * the workers follow creations, updates and deletions.
 */
export class FirehoseState {
  readonly #spools = new Map<string, Promise<ShardLog>>();
  readonly #listeners = new Set<() => void>();

  constructor(
    readonly meta: FirehoseMetadataStore,
    readonly spoolStore: ShardLogStore,
    readonly deps: FirehoseDeps,
    readonly clock: Clock,
    readonly options: FirehoseOptions,
    readonly logger: Logger,
  ) {}

  now(): number {
    return this.clock.now();
  }

  arnOf(accountId: string, name: string): string {
    return `arn:aws:firehose:${this.options.region}:${accountId}:deliverystream/${name}`;
  }

  notFound(accountId: string, name: string): FirehoseError {
    return new FirehoseError("ResourceNotFoundException", `Firehose ${name} under account ${accountId} not found.`);
  }

  /** The stream with due transitions applied; undefined when it does not exist (any more). */
  find(accountId: string, name: string): DeliveryStreamRow | undefined {
    const row = this.meta.getStream(accountId, name);
    return row === undefined ? undefined : this.settle(row);
  }

  require(accountId: string, name: string): DeliveryStreamRow {
    const row = this.find(accountId, name);
    if (row === undefined) throw this.notFound(accountId, name);
    return row;
  }

  /** Applies a due CREATING -> ACTIVE or DELETING -> gone transition. */
  settle(row: DeliveryStreamRow): DeliveryStreamRow | undefined {
    if (row.statusUntil === null || this.now() < row.statusUntil) return row;
    if (row.status === "DELETING") {
      this.meta.deleteStream(row.id);
      void this.removeSpool(row.id);
      this.changed();
      return undefined;
    }
    this.meta.updateStream(row.id, { status: "ACTIVE", statusUntil: null });
    this.changed();
    return { ...row, status: "ACTIVE", statusUntil: null };
  }

  /** Settles every stream (the service's status loop calls this). */
  settleAll(): void {
    for (const row of this.meta.listStreams(undefined)) this.settle(row);
  }

  destinationOf(row: DeliveryStreamRow): StoredDestination {
    return JSON.parse(row.destination) as StoredDestination;
  }

  sourceOf(row: DeliveryStreamRow): StoredSource | undefined {
    return row.source === null ? undefined : (JSON.parse(row.source) as StoredSource);
  }

  /** The DirectPut spool of a delivery stream (opened once). */
  spool(streamId: string): Promise<ShardLog> {
    let log = this.#spools.get(streamId);
    if (log === undefined) {
      log = this.spoolStore.open(streamId);
      log.catch(() => this.#spools.delete(streamId));
      this.#spools.set(streamId, log);
    }
    return log;
  }

  async removeSpool(streamId: string): Promise<void> {
    const log = this.#spools.get(streamId);
    this.#spools.delete(streamId);
    await log?.catch(() => undefined);
    try {
      await this.spoolStore.remove(streamId);
    } catch (err) {
      this.logger.warn("firehose: could not remove a spool", { streamId, err: String(err) });
    }
  }

  /** Registers a listener for stream creations, updates and deletions. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  changed(): void {
    for (const l of this.#listeners) l();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#spools.values()]);
    this.#spools.clear();
    await this.spoolStore.close();
  }
}
