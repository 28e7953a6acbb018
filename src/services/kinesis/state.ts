import type { ShardLog, ShardLogStore } from "../../storage/shard-log/shard-log.js";
import type { ConsumerRow, KinesisMetadataStore, ShardRow, StreamRow } from "../../storage/kinesis-metadata/kinesis-metadata-store.js";
import type { Clock } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import { KinesisError } from "./errors.js";
import { consumerArn, streamArn, streamNameOf, type StreamRef } from "./names.js";
import { ThroughputLimiter } from "./throughput.js";

/** Tunables of the Kinesis service. */
export interface KinesisOptions {
  readonly region: string;
  readonly accountId: string;
  /** Enforce per-shard throughput limits (ProvisionedThroughputExceededException). */
  readonly enforceLimits: boolean;
  /** How long CREATING, UPDATING and DELETING last (the service takes seconds; we default to 500 ms). */
  readonly transitionDelayMs: number;
  /** How long a consumer stays CREATING or DELETING. */
  readonly consumerDelayMs: number;
  /** Open shards allowed per account (DescribeLimits ShardLimit). */
  readonly shardLimit: number;
  /** On-demand streams allowed per account. */
  readonly onDemandStreamLimit: number;
}

export const DEFAULT_KINESIS_OPTIONS = {
  transitionDelayMs: 500,
  consumerDelayMs: 500,
  shardLimit: 500,
  onDemandStreamLimit: 50,
} as const;

const HOUR_MS = 3_600_000;
/** Shards are trimmed lazily on reads at most this often (ms of the injected clock). */
const LAZY_TRIM_EVERY_MS = 1000;

/**
 * The live state the operations share: metadata, open shard logs, throughput buckets and
 * subscriptions. Status transitions are computed from the injected clock when a stream is read
 * (and settled in the background by the status worker), so tests move time instead of sleeping.
 */
export class KinesisState {
  readonly limiter: ThroughputLimiter;
  readonly #logs = new Map<string, ShardLog>();
  readonly #opening = new Map<string, Promise<ShardLog>>();
  readonly #lastTrim = new Map<string, number>();
  readonly #removals = new Set<Promise<void>>();
  /** Last successful SubscribeToShard per consumer ARN + shard id (ms). */
  readonly subscriptions = new Map<string, number>();

  constructor(
    readonly meta: KinesisMetadataStore,
    readonly logStore: ShardLogStore,
    readonly clock: Clock,
    readonly options: KinesisOptions,
    readonly logger: Logger,
  ) {
    this.limiter = new ThroughputLimiter(clock, options.enforceLimits);
  }

  now(): number {
    return this.clock.now();
  }

  get accountId(): string {
    return this.options.accountId;
  }

  arnOf(name: string): string {
    return streamArn(this.options.region, this.options.accountId, name);
  }

  consumerArnOf(streamName: string, consumerName: string, createdAt: number): string {
    return consumerArn(this.arnOf(streamName), consumerName, createdAt);
  }

  /** The stream name a StreamName/StreamARN pair designates. */
  nameOf(ref: StreamRef): string {
    return streamNameOf(ref, this.options.region, this.options.accountId);
  }

  notFound(name: string): KinesisError {
    return new KinesisError("ResourceNotFoundException", `Stream ${name} under account ${this.accountId} not found.`);
  }

  /** A stream with any due status transition applied; undefined when it does not exist (any more). */
  findStream(name: string): StreamRow | undefined {
    const s = this.meta.getStream(name);
    return s === undefined ? undefined : this.#settle(s);
  }

  /** The stream, whatever its status; ResourceNotFoundException if none. */
  requireStream(ref: StreamRef | string): StreamRow {
    const name = typeof ref === "string" ? ref : this.nameOf(ref);
    const s = this.findStream(name);
    if (s === undefined) throw this.notFound(name);
    return s;
  }

  /** The stream, which must be ACTIVE for a change (ResourceInUseException otherwise). */
  requireActive(ref: StreamRef | string): StreamRow {
    const s = this.requireStream(ref);
    if (s.status !== "ACTIVE") {
      throw new KinesisError("ResourceInUseException", `Stream ${s.name} under account ${this.accountId} not ACTIVE, instead in state ${s.status}`);
    }
    return s;
  }

  /** The stream for reads and writes: ACTIVE or UPDATING (the service keeps serving data while UPDATING). */
  requireReadable(ref: StreamRef | string): StreamRow {
    const s = this.requireStream(ref);
    if (s.status === "CREATING" || s.status === "DELETING") throw this.notFound(s.name);
    return s;
  }

  #settle(s: StreamRow): StreamRow | undefined {
    if (s.statusUntil === null || this.now() < s.statusUntil) return s;
    if (s.status === "DELETING") {
      this.#purge(s);
      return undefined;
    }
    this.meta.updateStream(s.id, { status: "ACTIVE", statusUntil: null });
    return { ...s, status: "ACTIVE", statusUntil: null };
  }

  /** Removes a deleted stream's metadata now and its shard logs in the background. */
  #purge(s: StreamRow): void {
    const shards = this.meta.listShards(s.id);
    this.meta.deleteStream(s.id);
    this.limiter.forget(s.id);
    for (const key of this.subscriptions.keys()) if (key.startsWith(this.arnOf(s.name) + "/")) this.subscriptions.delete(key);
    const removal = Promise.all(shards.map((sh) => this.removeLog(s, sh))).then(
      () => undefined,
      (err: unknown) => this.logger.error("kinesis: removing shard logs failed", { stream: s.name, err: String(err) }),
    );
    this.#removals.add(removal);
    void removal.finally(() => this.#removals.delete(removal));
  }

  /** Applies every due transition (streams and consumers); the status worker calls this. */
  settleAll(): number {
    let changed = 0;
    for (const s of this.meta.listStreams()) {
      const settled = this.#settle(s);
      if (settled !== s) changed++;
      if (settled === undefined) continue;
      for (const c of this.meta.listConsumers(s.id)) if (this.settleConsumer(c) !== c) changed++;
    }
    return changed;
  }

  /** The earliest pending transition time, if any (for the status worker's sleep). */
  nextTransitionAt(): number | undefined {
    let next: number | undefined;
    for (const s of this.meta.listStreams()) {
      if (s.statusUntil !== null) next = Math.min(next ?? Infinity, s.statusUntil);
      for (const c of this.meta.listConsumers(s.id)) if (c.statusUntil !== null) next = Math.min(next ?? Infinity, c.statusUntil);
    }
    return next;
  }

  /** A consumer with any due transition applied; undefined once deregistered. */
  settleConsumer(c: ConsumerRow): ConsumerRow | undefined {
    if (c.statusUntil === null || this.now() < c.statusUntil) return c;
    if (c.status === "DELETING") {
      this.meta.deleteConsumer(c.streamId, c.name);
      return undefined;
    }
    this.meta.updateConsumer(c.streamId, c.name, { status: "ACTIVE", statusUntil: null });
    return { ...c, status: "ACTIVE", statusUntil: null };
  }

  /** Waits for background shard-log removals (tests, shutdown). */
  async drainRemovals(): Promise<void> {
    while (this.#removals.size > 0) await Promise.all([...this.#removals]);
  }

  shards(stream: StreamRow): ShardRow[] {
    return this.meta.listShards(stream.id);
  }

  logId(stream: StreamRow, shard: ShardRow): string {
    return `${stream.id}/${shard.shardId}`;
  }

  /** The shard's log if it is already open (appends use this to stay synchronous). */
  openLog(stream: StreamRow, shard: ShardRow): ShardLog | undefined {
    return this.#logs.get(this.logId(stream, shard));
  }

  /** Opens (once) and returns a shard's log. */
  async log(stream: StreamRow, shard: ShardRow): Promise<ShardLog> {
    const id = this.logId(stream, shard);
    const open = this.#logs.get(id);
    if (open !== undefined) return open;
    let pending = this.#opening.get(id);
    if (pending === undefined) {
      pending = this.logStore.open(id).then((log) => {
        this.#logs.set(id, log);
        this.#opening.delete(id);
        return log;
      });
      pending.catch(() => this.#opening.delete(id));
      this.#opening.set(id, pending);
    }
    return pending;
  }

  async removeLog(stream: StreamRow, shard: ShardRow): Promise<void> {
    const id = this.logId(stream, shard);
    await this.#opening.get(id)?.catch(() => undefined);
    this.#logs.delete(id);
    this.#lastTrim.delete(id);
    await this.logStore.remove(id);
  }

  /** The oldest arrival time a stream still keeps. */
  retentionCutoff(stream: StreamRow): number {
    return this.now() - stream.retentionHours * HOUR_MS;
  }

  /** Drops expired records of a shard if it has not been done in the last second (reads call this). */
  async trimIfDue(stream: StreamRow, shard: ShardRow, log: ShardLog, force = false): Promise<number> {
    const id = this.logId(stream, shard);
    const now = this.now();
    const last = this.#lastTrim.get(id);
    if (!force && last !== undefined && now - last < LAZY_TRIM_EVERY_MS && now >= last) return 0;
    this.#lastTrim.set(id, now);
    return log.trimBefore(this.retentionCutoff(stream));
  }

  /** Closes every open shard log. */
  async close(): Promise<void> {
    await this.drainRemovals();
    await Promise.allSettled([...this.#opening.values()]);
    this.#logs.clear();
    await this.logStore.close();
  }
}
