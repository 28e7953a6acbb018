import type { DeliveryRow, DeliveryStreamRow, LaneRow, NewDelivery } from "../storage/firehose-metadata/firehose-metadata-store.js";
import { extractPartitionKeys, JqError } from "../services/firehose/delivery/jq.js";
import { MissingPartitionKeyError, partitionKeysUsed } from "../services/firehose/delivery/key-template.js";
import { buildOutputs, ConversionUnavailableError, errorDocument, type BufferedRecord, type OutputBuffer, type StreamFacts } from "../services/firehose/delivery/outputs.js";
import { MAX_INVOCATION_PAYLOAD, transformRecords, type TransformResult } from "../services/firehose/delivery/transform.js";
import { deliverStaged } from "../services/firehose/delivery/deliver-staged.js";
import { tableSchemaOf } from "../services/firehose/deps.js";
import { pipelineConfigOf, type PipelineConfig } from "../services/firehose/pipeline-config.js";
import { kinesisSource, spoolSource, type LaneInfo, type RecordSource, type SourceRecord } from "../services/firehose/sources.js";
import type { FirehoseState } from "../services/firehose/state.js";
import type { KinesisWorker } from "./kinesis-worker-loop.js";

/** Staged deliveries a stream may hold before it stops taking more from its source (back-pressure). */
const MAX_STAGED = 16;
/** Records and bytes taken from the source per step. */
const READ_RECORDS = 2000;
const READ_BYTES = 4 * 1024 * 1024;
/** A missing Glue table is looked for again after this long. */
const CONVERSION_RETRY_MS = 2000;

interface Lane {
  readonly info: LaneInfo;
  /** Next position to read. */
  readPos: bigint;
  /** Positions read and not yet staged, in read order, with how many buffers still hold them. */
  readonly pending: bigint[];
  readonly refs: Map<bigint, number>;
  readonly arrivals: Map<bigint, number>;
  /** Durable "already done" ranges above the checkpoint (from before a restart). */
  done: ReadonlyArray<readonly [bigint, bigint]>;
  lastArrival: number | undefined;
  dirty: boolean;
}

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");

/**
 * Delivers one delivery stream (the house Worker shape): reads its source (the DirectPut spool,
 * or a Kinesis stream's shards, parents before children) from durable per-lane checkpoints,
 * transforms with Lambda, partitions, buffers per partition until SizeInMBs or
 * IntervalInSeconds, then stages each output (object bytes and the consumed positions in one
 * SQLite transaction) and delivers staged outputs with retries. A staged output keeps its key
 * (or HTTP request id) across attempts and restarts, and S3 writes are If-None-Match, so a
 * crash neither loses nor duplicates an acknowledged record.
 */
export class FirehoseDeliveryWorker implements KinesisWorker {
  readonly name: string;
  #row: DeliveryStreamRow;
  #config: PipelineConfig;
  #source: RecordSource | undefined;
  readonly #lanes = new Map<string, Lane>();
  readonly #buffers = new Map<string, OutputBuffer>();
  #staged: DeliveryRow[] = [];
  /** Source reads whose records some buffer may still hold, oldest first: each lane's last position in it. */
  #reads: Array<{ readonly lane: Lane; readonly last: bigint; readonly records: readonly SourceRecord[] }> = [];
  #conversionRetryAt = 0;
  #delivered = 0;
  #records = 0;
  #lastError = "";

  constructor(
    readonly state: FirehoseState,
    row: DeliveryStreamRow,
  ) {
    this.#row = row;
    this.name = `firehose-delivery:${row.name}`;
    this.#config = pipelineConfigOf(state.destinationOf(row));
  }

  status(): string {
    const buffered = [...this.#buffers.values()].reduce((n, b) => n + b.records.length, 0);
    return `${this.#records} records read, ${buffered} buffered, ${this.#staged.length} staged, ${this.#delivered} delivered${this.#lastError === "" ? "" : `; last error: ${this.#lastError}`}`;
  }

  get #facts(): StreamFacts {
    return { name: this.#row.name, arn: this.state.arnOf(this.#row.accountId, this.#row.name), versionId: this.#row.versionId, accountId: this.#row.accountId, region: this.state.options.region };
  }

  async #init(): Promise<RecordSource> {
    const source = this.state.sourceOf(this.#row);
    this.#source = source === undefined ? spoolSource(await this.state.spool(this.#row.id)) : kinesisSource(this.state.deps.kinesis, this.#row.accountId, source.kinesisStreamArn);
    this.#staged = this.state.meta.listDeliveries(this.#row.id);
    for (const l of this.state.meta.getLanes(this.#row.id)) this.#lanes.set(l.lane, this.#newLane({ lane: l.lane, after: [], end: undefined }, l.checkpoint, l.done));
    return this.#source;
  }

  #newLane(info: LaneInfo, start: bigint, done: LaneRow["done"] = []): Lane {
    return { info, readPos: start, pending: [], refs: new Map(), arrivals: new Map(), done, lastArrival: undefined, dirty: false };
  }

  async work(signal: AbortSignal): Promise<"busy" | "idle" | "done"> {
    // Always give the event loop a turn: a step can otherwise complete on microtasks alone.
    await new Promise((resolve) => setImmediate(resolve));
    const source = this.#source ?? (await this.#init());
    const row = this.state.meta.getStream(this.#row.accountId, this.#row.name);
    if (row === undefined || row.id !== this.#row.id || row.status === "DELETING") return "done";
    if (row.versionId !== this.#row.versionId) {
      // Buffers made under the old configuration go out under it (and its version number) first.
      await this.#flush(true);
      this.#row = row;
      this.#config = pipelineConfigOf(this.state.destinationOf(row));
    }
    let busy = await this.#deliver(signal);
    if (this.#staged.length < MAX_STAGED) busy = (await this.#readAndProcess(source, signal)) || busy;
    busy = (await this.#flush(false)) || busy;
    return busy ? "busy" : "idle";
  }

  async waitForWork(signal: AbortSignal): Promise<void> {
    const now = this.state.now();
    let next = now + 1000;
    for (const b of this.#buffers.values()) next = Math.min(next, b.openedAt + this.#intervalOf(b));
    for (const d of this.#staged) next = Math.min(next, d.notBefore);
    if (this.#conversionRetryAt > now) next = Math.min(next, this.#conversionRetryAt);
    const wait = Math.max(5, next - now);
    if (this.#staged.length >= MAX_STAGED || this.#source === undefined) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
      });
      return;
    }
    const positions = new Map([...this.#lanes].map(([k, l]) => [k, l.readPos]));
    await this.#source.wait(positions, wait, signal);
  }

  #intervalOf(b: OutputBuffer): number {
    if (b.kind === "http") return this.#config.http!.intervalMs;
    if (b.kind === "backup") return (this.#config.backup ?? this.#config.s3).intervalMs;
    return this.#config.s3.intervalMs;
  }

  #sizeOf(b: OutputBuffer): number {
    if (b.kind === "http") return this.#config.http!.bufferBytes;
    if (b.kind === "backup") return (this.#config.backup ?? this.#config.s3).bufferBytes;
    return this.#config.s3.bufferBytes;
  }

  /** Lanes that may be read now: children only once every parent has been read to its end. */
  async #readableLanes(source: RecordSource): Promise<Lane[]> {
    const infos = await source.lanes();
    const out: Lane[] = [];
    for (const info of infos) {
      let lane = this.#lanes.get(info.lane);
      if (lane === undefined) {
        lane = this.#newLane(info, await source.start(info.lane));
        this.#lanes.set(info.lane, lane);
      } else if (lane.info !== info) {
        (lane as { info: LaneInfo }).info = info;
      }
      const blocked = info.after.some((p) => {
        const parent = this.#lanes.get(p);
        return parent === undefined || parent.info.end === undefined || parent.readPos < parent.info.end;
      });
      if (!blocked && (info.end === undefined || lane.readPos < info.end)) out.push(lane);
    }
    return out;
  }

  #isDone(lane: Lane, pos: bigint): boolean {
    return lane.done.some(([a, b]) => pos >= a && pos < b);
  }

  async #readAndProcess(source: RecordSource, signal: AbortSignal): Promise<boolean> {
    const lanes = await this.#readableLanes(source);
    const maxBytes = this.#config.lambda === undefined ? READ_BYTES : Math.min(this.#config.lambda.bufferBytes, Math.floor((MAX_INVOCATION_PAYLOAD * 3) / 4) - 64 * 1024);
    const batch: SourceRecord[] = [];
    let bytes = 0;
    for (const lane of lanes) {
      if (batch.length >= READ_RECORDS || bytes >= maxBytes) break;
      const records = await source.read(lane.info.lane, lane.readPos, { maxRecords: READ_RECORDS - batch.length, maxBytes: Math.max(1, maxBytes - bytes) });
      if (records.length > 0) this.#reads.push({ lane, last: records[records.length - 1]!.position, records });
      for (const r of records) {
        lane.readPos = r.position + 1n;
        lane.lastArrival = r.arrival;
        lane.dirty = true;
        if (this.#isDone(lane, r.position)) continue;
        lane.pending.push(r.position);
        lane.refs.set(r.position, 0);
        lane.arrivals.set(r.position, r.arrival);
        batch.push(r);
        bytes += r.data.byteLength;
      }
      if (records.length === 0 && lane.info.end !== undefined && lane.readPos < lane.info.end) {
        // Records below the trim horizon expired; the lane is read to its end.
        const first = await source.start(lane.info.lane);
        if (first >= lane.info.end) lane.readPos = lane.info.end;
      }
    }
    if (batch.length === 0) return false;
    this.#records += batch.length;
    const results: TransformResult[] =
      this.#config.lambda === undefined
        ? batch.map((r) => ({ kind: "ok", data: r.data, partitionKeys: undefined }))
        : await transformRecords(
            this.state.deps.lambda,
            {
              accountId: this.#row.accountId,
              region: this.state.options.region,
              deliveryStreamArn: this.#facts.arn,
              sourceKinesisStreamArn: this.state.sourceOf(this.#row)?.kinesisStreamArn,
              functionArn: this.#config.lambda.functionArn,
              retries: this.#config.lambda.retries,
            },
            batch,
            signal,
          );
    batch.forEach((r, i) => this.#assign(r, results[i]!));
    return true;
  }

  #add(id: string, make: () => OutputBuffer, r: SourceRecord, data: Uint8Array): void {
    let b = this.#buffers.get(id);
    if (b === undefined) {
      b = make();
      this.#buffers.set(id, b);
    }
    const rec: BufferedRecord = { lane: r.lane, position: r.position, arrival: r.arrival, data, raw: r.data, ...(r.kinesis === undefined ? {} : { sequenceNumber: r.kinesis.sequenceNumber }) };
    b.records.push(rec);
    b.bytes += data.byteLength;
    const lane = this.#lanes.get(r.lane)!;
    lane.refs.set(r.position, (lane.refs.get(r.position) ?? 0) + 1);
  }

  #error(r: SourceRecord, type: string, fields: Record<string, unknown>): void {
    const now = this.state.now();
    const doc = errorDocument({ attemptsMade: 1, arrivalTimestamp: r.arrival, ...fields, attemptEndingTimestamp: now, rawData: b64(r.data) });
    this.#add(`error:${type}`, () => ({ id: `error:${type}`, kind: "error", errorType: type, records: [], bytes: 0, openedAt: now }), r, doc);
  }

  /** Routes one transformed record to its buffer (partition, error type, backup). */
  #assign(r: SourceRecord, result: TransformResult): void {
    const now = this.state.now();
    const c = this.#config;
    if (c.backup !== undefined) this.#add("backup", () => ({ id: "backup", kind: "backup", records: [], bytes: 0, openedAt: now }), r, r.data);
    if (result.kind === "dropped") return;
    if (result.kind === "failed") {
      const fields: Record<string, unknown> = { errorCode: result.errorCode, errorMessage: result.errorMessage, attemptsMade: result.attempts };
      if (c.lambda !== undefined) fields["lambdaArn"] = c.lambda.functionArn;
      this.#error(r, "processing-failed", fields);
      return;
    }
    if (c.http !== undefined) {
      this.#add("http", () => ({ id: "http", kind: "http", records: [], bytes: 0, openedAt: now }), r, result.data);
      return;
    }
    let queryKeys: Record<string, string> | undefined;
    let lambdaKeys: Readonly<Record<string, string>> | undefined;
    if (c.dynamicPartitioning) {
      try {
        if (c.metadataQuery !== undefined) queryKeys = extractPartitionKeys(c.metadataQuery, result.data);
        lambdaKeys = result.partitionKeys;
        const used = partitionKeysUsed(c.s3.prefixes.main);
        for (const k of used.query) if (queryKeys?.[k] === undefined) throw new MissingPartitionKeyError(`partitionKeyFromQuery:${k}`);
        for (const k of used.lambda) if (lambdaKeys?.[k] === undefined) throw new MissingPartitionKeyError(`partitionKeyFromLambda:${k}`);
      } catch (err) {
        if (!(err instanceof JqError) && !(err instanceof MissingPartitionKeyError)) throw err;
        const code = err instanceof JqError ? "DynamicPartitioning.MetadataExtractionFailed" : "DynamicPartitioning.PartitionKeyMissing";
        this.#error(r, "partitioning-failed", { errorCode: code, errorMessage: err.message });
        return;
      }
    }
    const data = c.appendDelimiter ? Buffer.concat([result.data, Buffer.from("\n")]) : result.data;
    const id = `main:${JSON.stringify([queryKeys ?? null, lambdaKeys ?? null])}`;
    this.#add(
      id,
      () => ({ id, kind: "main", ...(queryKeys === undefined ? {} : { queryKeys }), ...(lambdaKeys === undefined ? {} : { lambdaKeys }), records: [], bytes: 0, openedAt: now }),
      r,
      data,
    );
  }

  /** Stages the buffers that are full or old enough (all of them when `force`). */
  async #flush(force: boolean): Promise<boolean> {
    const now = this.state.now();
    const due = [...this.#buffers.values()].filter(
      (b) => force || b.bytes >= this.#sizeOf(b) || now - b.openedAt >= this.#intervalOf(b) || (b.kind === "http" && b.records.length >= 10_000),
    );
    let staged = false;
    for (const b of due) {
      let deliveries: NewDelivery[];
      try {
        let schema;
        const conv = this.#config.conversion;
        if (b.kind === "main" && conv !== undefined) {
          if (!force && now < this.#conversionRetryAt) continue;
          schema = tableSchemaOf(this.state.deps.glue, conv.catalogId ?? this.#row.accountId, conv.database, conv.table);
        }
        deliveries = buildOutputs(b, this.#config, this.#facts, now, schema);
        if (b.kind === "http" && this.#config.http?.backupAll === true) {
          deliveries.push(...buildOutputs({ ...b, id: "backup", kind: "backup", records: b.records.map((r) => ({ ...r, data: r.raw })) }, { ...this.#config, backup: this.#config.s3 }, this.#facts, now, undefined));
        }
      } catch (err) {
        if (!(err instanceof ConversionUnavailableError)) throw err;
        // The data waits for its table (the service retries too) instead of going anywhere else.
        this.#conversionRetryAt = now + CONVERSION_RETRY_MS;
        this.#noteError(err.message);
        continue;
      }
      this.#buffers.delete(b.id);
      for (const r of b.records) {
        const lane = this.#lanes.get(r.lane)!;
        lane.refs.set(r.position, (lane.refs.get(r.position) ?? 1) - 1);
        lane.dirty = true;
      }
      await this.#stage(deliveries);
      staged = true;
    }
    if (!staged && this.#buffers.size === 0 && [...this.#lanes.values()].some((l) => l.dirty)) await this.#stage([]);
    return staged;
  }

  /** Writes deliveries and the lanes' new checkpoints in one transaction, then lets the spool go. */
  async #stage(deliveries: NewDelivery[]): Promise<void> {
    const rows: LaneRow[] = [];
    const releases: Array<[Lane, bigint, number | undefined]> = [];
    for (const lane of this.#lanes.values()) {
      if (!lane.dirty) continue;
      const live = lane.pending.filter((p) => (lane.refs.get(p) ?? 0) > 0);
      for (const p of lane.pending) {
        if ((lane.refs.get(p) ?? 0) <= 0) {
          lane.refs.delete(p);
          lane.arrivals.delete(p);
        }
      }
      lane.pending.splice(0, lane.pending.length, ...live);
      const checkpoint = live[0] ?? lane.readPos;
      const done: Array<[bigint, bigint]> = [];
      for (let i = 0; i < live.length; i++) {
        const start = live[i]! + 1n;
        const end = live[i + 1] ?? lane.readPos;
        if (start < end) done.push([start, end]);
      }
      for (const [a, b] of lane.done) if (b > lane.readPos) done.push([a > lane.readPos ? a : lane.readPos, b]);
      lane.done = done.filter(([a]) => a >= lane.readPos);
      rows.push({ lane: lane.info.lane, checkpoint, done });
      releases.push([lane, checkpoint, live[0] === undefined ? lane.lastArrival : lane.arrivals.get(live[0])]);
      lane.dirty = false;
    }
    const now = this.state.now();
    const ids = this.state.meta.stage(this.#row.id, deliveries, rows, now);
    deliveries.forEach((d, i) => this.#staged.push({ ...d, id: ids[i]!, streamId: this.#row.id, createdAt: now, attempts: 0 }));
    this.#doneReading();
    for (const [lane, pos, ts] of releases) await this.#source!.release(lane.info.lane, pos, ts);
  }

  /**
   * Lets the source free the reads none of whose records a buffer still holds (all below their
   * lane's first held position): their data went into staged outputs as copies, or nowhere.
   */
  #doneReading(): void {
    this.#reads = this.#reads.filter(({ lane, last, records }) => {
      if (last >= (lane.pending[0] ?? lane.readPos)) return true;
      this.#source!.done(records);
      return false;
    });
  }

  /** Attempts every staged delivery that is due; returns whether any was attempted. */
  async #deliver(signal: AbortSignal): Promise<boolean> {
    const now = this.state.now();
    const due = this.#staged.filter((d) => d.notBefore <= now);
    for (const d of due) {
      if (signal.aborted) break;
      const outcome = await deliverStaged(d, { state: this.state, config: this.#config, facts: this.#facts, accountId: this.#row.accountId }, signal);
      const at = this.state.now();
      if (outcome.done) {
        this.state.meta.completeDelivery(d.id, outcome.followUps, at);
        this.#staged = this.#staged.filter((x) => x.id !== d.id);
        const ids = outcome.followUps.length === 0 ? [] : this.state.meta.listDeliveries(this.#row.id).filter((x) => !this.#staged.some((s) => s.id === x.id));
        this.#staged.push(...ids);
        if (outcome.delivered) this.#delivered++;
      } else {
        // Retry with backoff: 0.5 s doubling to the 5 s the service retries S3 at; the data waits.
        const delay = Math.min(5000, 500 * 2 ** Math.min(d.attempts, 4));
        this.state.meta.deferDelivery(d.id, at + delay);
        this.#staged = this.#staged.map((x) => (x.id === d.id ? { ...x, attempts: x.attempts + 1, notBefore: at + delay } : x));
        this.#noteError(outcome.error);
      }
    }
    return due.length > 0 && due.some((d) => !this.#staged.some((s) => s.id === d.id));
  }

  #noteError(message: string): void {
    if (message !== this.#lastError) this.state.logger.warn("firehose: delivery delayed", { stream: this.#row.name, error: message });
    this.#lastError = message;
  }
}
