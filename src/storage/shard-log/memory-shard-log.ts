import type { AppendInput, LogRecord, ReadOptions, ShardLog, ShardLogStore } from "./shard-log.js";
import { MAX_BODY, MAX_PARTITION_KEY_BYTES, MIN_BODY } from "./frame.js";
import { ShardLogClosedError } from "./errors.js";

/**
 * An in-memory ShardLogStore for unit tests of the services. Same semantics as the segment store
 * (seqs from 0, timestamps floored and kept non-decreasing, the same limits), without files.
 * Data lives as long as the store object: closing a log or the store keeps it, so a test can
 * "restart" by opening the same id again on the same store.
 */
export function createMemoryShardLogStore(): ShardLogStore {
  const states = new Map<string, LogState>();
  const open = new Map<string, MemoryShardLog>();
  return {
    open(id: string): Promise<ShardLog> {
      if (id.length === 0 || id.split("/").some((p) => p.length === 0)) {
        return Promise.reject(new TypeError(`invalid shard log id ${JSON.stringify(id)}`));
      }
      const existing = open.get(id);
      if (existing !== undefined && !existing.closed) return Promise.resolve(existing);
      let state = states.get(id);
      if (state === undefined) {
        state = { records: [], visible: 0, start: 0, base: 0, lastTs: Number.NEGATIVE_INFINITY };
        states.set(id, state);
      }
      const log = new MemoryShardLog(id, state);
      open.set(id, log);
      return Promise.resolve(log);
    },
    async remove(id: string): Promise<void> {
      await open.get(id)?.close();
      open.delete(id);
      states.delete(id);
    },
    async close(): Promise<void> {
      await Promise.all([...open.values()].map((log) => log.close()));
      open.clear();
    },
  };
}

interface LogState {
  /** records[i] has seq base + i; records before `start` are trimmed, from `visible` on not yet acknowledged. */
  records: LogRecord[];
  visible: number;
  start: number;
  base: number;
  lastTs: number;
}

class MemoryShardLog implements ShardLog {
  readonly #id: string;
  readonly #s: LogState;
  readonly #listeners = new Set<(lastSeq: bigint) => void>();
  #tail: Promise<unknown> = Promise.resolve();
  closed = false;

  constructor(id: string, state: LogState) {
    this.#id = id;
    this.#s = state;
  }

  append(records: readonly AppendInput[]): Promise<readonly bigint[]> {
    if (this.closed) return Promise.reject(new ShardLogClosedError(`shard log ${this.#id} is closed`));
    const s = this.#s;
    const out: LogRecord[] = [];
    let ts = s.lastTs;
    for (const r of records) {
      const pkLen = Buffer.byteLength(r.partitionKey, "utf8");
      if (pkLen > MAX_PARTITION_KEY_BYTES) return Promise.reject(new RangeError(`partition key is ${pkLen} bytes`));
      if (MIN_BODY + pkLen + r.data.byteLength > MAX_BODY) return Promise.reject(new RangeError("record exceeds the frame limit"));
      if (!Number.isSafeInteger(Math.floor(r.timestamp)) || Math.abs(r.timestamp) >= 2 ** 53) {
        return Promise.reject(new RangeError(`timestamp ${r.timestamp} is not a safe integer of milliseconds`));
      }
      ts = Math.max(ts, Math.floor(r.timestamp));
      const seq = BigInt(s.base + s.records.length + out.length);
      out.push({ seq, timestamp: ts, partitionKey: r.partitionKey, data: new Uint8Array(r.data) });
    }
    // Seqs are taken now (call order); records become visible when the promise settles, like a durable append.
    s.records.push(...out);
    s.lastTs = ts;
    const seqs = out.map((r) => r.seq);
    const end = s.base + s.records.length;
    const done = this.#tail.then(() => {
      s.visible = Math.max(s.visible, end - s.base);
      if (seqs.length > 0) this.#emit(seqs[seqs.length - 1]!);
      return seqs;
    });
    this.#tail = done;
    return done;
  }

  read(fromSeq: bigint, options: ReadOptions): Promise<readonly LogRecord[]> {
    if (this.closed) return Promise.reject(new ShardLogClosedError(`shard log ${this.#id} is closed`));
    const s = this.#s;
    const out: LogRecord[] = [];
    const maxRecords = Math.floor(options.maxRecords);
    const from = fromSeq < BigInt(s.base) ? 0 : Number(fromSeq - BigInt(s.base));
    let bytes = 0;
    for (let i = Math.max(from, s.start); i < s.visible && out.length < maxRecords; i++) {
      const r = s.records[i]!;
      const size = Buffer.byteLength(r.partitionKey, "utf8") + r.data.byteLength;
      if (out.length > 0 && bytes + size > options.maxBytes) break;
      out.push(r);
      bytes += size;
    }
    return Promise.resolve(out);
  }

  seekTimestamp(timestamp: number): Promise<bigint> {
    if (this.closed) return Promise.reject(new ShardLogClosedError(`shard log ${this.#id} is closed`));
    const s = this.#s;
    let lo = s.start;
    let hi = s.visible;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s.records[mid]!.timestamp < timestamp) lo = mid + 1;
      else hi = mid;
    }
    return Promise.resolve(BigInt(s.base + lo));
  }

  firstSeq(): bigint {
    return BigInt(this.#s.base + this.#s.start);
  }

  nextSeq(): bigint {
    return BigInt(this.#s.base + this.#s.records.length);
  }

  lastTimestamp(): number | undefined {
    const s = this.#s;
    return s.visible > s.start ? s.records[s.visible - 1]!.timestamp : undefined;
  }

  trimBefore(timestamp: number): Promise<number> {
    if (this.closed) return Promise.reject(new ShardLogClosedError(`shard log ${this.#id} is closed`));
    const s = this.#s;
    let n = s.start;
    while (n < s.visible && s.records[n]!.timestamp < timestamp) n++;
    const removed = n - s.start;
    s.start = n;
    if (s.start > 1024 && s.start * 2 > s.records.length) {
      s.records = s.records.slice(s.start);
      s.base += s.start;
      s.visible -= s.start;
      s.start = 0;
    }
    return Promise.resolve(removed);
  }

  onAppend(listener: (lastSeq: bigint) => void): () => void {
    const wrapped = (lastSeq: bigint): void => listener(lastSeq);
    this.#listeners.add(wrapped);
    return () => this.#listeners.delete(wrapped);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.#tail;
    this.#listeners.clear();
  }

  #emit(lastSeq: bigint): void {
    for (const listener of this.#listeners) {
      try {
        listener(lastSeq);
      } catch {
        // A listener's failure must not fail the append.
      }
    }
  }
}
