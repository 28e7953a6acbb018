import type { Clock } from "../../util/clock.js";

/**
 * Per-shard throughput limits as token buckets on the injected clock (Kinesis quotas docs):
 * writes 1 MiB/s and 1,000 records/s per shard; reads 5 GetRecords calls/s and 2 MiB/s per
 * shard. A GetRecords may return more than the read bucket holds (up to 10 MiB); the bucket
 * then goes into debt and the following calls are throttled until it has refilled, as the
 * service throttles calls for up to 5 seconds after a 10 MiB read.
 */

export const MIB = 1024 * 1024;
export const WRITE_BYTES_PER_SEC = MIB;
export const WRITE_RECORDS_PER_SEC = 1000;
export const READ_BYTES_PER_SEC = 2 * MIB;
export const READ_CALLS_PER_SEC = 5;
/** An on-demand stream starts with 4 MiB/s and 4,000 records/s of write capacity and scales to twice its peak. */
export const ON_DEMAND_BASE_BYTES_PER_SEC = 4 * MIB;
export const ON_DEMAND_BASE_RECORDS_PER_SEC = 4000;
const ON_DEMAND_PEAK_WINDOW_MS = 15 * 60_000;

/** A refilling bucket of tokens. */
export class TokenBucket {
  #tokens: number;
  #last: number;
  constructor(
    private readonly clock: Clock,
    public ratePerSec: number,
    public capacity: number,
  ) {
    this.#tokens = capacity;
    this.#last = clock.now();
  }

  #refill(): void {
    const now = this.clock.now();
    if (now > this.#last) {
      this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#last) / 1000) * this.ratePerSec);
      this.#last = now;
    }
  }

  /** Tokens available now (negative while in debt). */
  available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Takes `n` tokens if that many are there. */
  tryTake(n: number): boolean {
    this.#refill();
    if (this.#tokens < n) return false;
    this.#tokens -= n;
    return true;
  }

  /** Takes `n` tokens even into debt. */
  take(n: number): void {
    this.#refill();
    this.#tokens -= n;
  }
}

/** Tracks an on-demand stream's write peak (per second, over 15 minutes) to size its capacity. */
class OnDemandCapacity {
  readonly #perSecond = new Map<number, { bytes: number; records: number }>();
  constructor(private readonly clock: Clock) {}

  record(bytes: number, records: number): void {
    const sec = Math.floor(this.clock.now() / 1000);
    const cur = this.#perSecond.get(sec) ?? { bytes: 0, records: 0 };
    cur.bytes += bytes;
    cur.records += records;
    this.#perSecond.set(sec, cur);
  }

  /** Capacity now: the base, or twice the busiest second of the last 15 minutes. */
  limits(): { bytes: number; records: number } {
    const now = this.clock.now();
    const current = Math.floor(now / 1000);
    let bytes = ON_DEMAND_BASE_BYTES_PER_SEC / 2;
    let records = ON_DEMAND_BASE_RECORDS_PER_SEC / 2;
    for (const [sec, v] of this.#perSecond) {
      if (sec * 1000 < now - ON_DEMAND_PEAK_WINDOW_MS) this.#perSecond.delete(sec);
      else if (sec !== current) {
        bytes = Math.max(bytes, v.bytes);
        records = Math.max(records, v.records);
      }
    }
    return { bytes: bytes * 2, records: records * 2 };
  }
}

interface ShardBuckets {
  writeBytes: TokenBucket;
  writeRecords: TokenBucket;
  readBytes: TokenBucket;
  readCalls: TokenBucket;
}

interface StreamBuckets {
  demand: OnDemandCapacity;
  writeBytes: TokenBucket;
  writeRecords: TokenBucket;
}

/** All throughput accounting of the service; does nothing when enforcement is off. */
export class ThroughputLimiter {
  readonly #shards = new Map<string, ShardBuckets>();
  readonly #streams = new Map<string, StreamBuckets>();

  constructor(
    private readonly clock: Clock,
    readonly enabled: boolean,
  ) {}

  #shard(key: string): ShardBuckets {
    let b = this.#shards.get(key);
    if (b === undefined) {
      b = {
        writeBytes: new TokenBucket(this.clock, WRITE_BYTES_PER_SEC, WRITE_BYTES_PER_SEC),
        writeRecords: new TokenBucket(this.clock, WRITE_RECORDS_PER_SEC, WRITE_RECORDS_PER_SEC),
        readBytes: new TokenBucket(this.clock, READ_BYTES_PER_SEC, READ_BYTES_PER_SEC),
        readCalls: new TokenBucket(this.clock, READ_CALLS_PER_SEC, READ_CALLS_PER_SEC),
      };
      this.#shards.set(key, b);
    }
    return b;
  }

  #stream(key: string): StreamBuckets {
    let b = this.#streams.get(key);
    if (b === undefined) {
      b = {
        demand: new OnDemandCapacity(this.clock),
        writeBytes: new TokenBucket(this.clock, ON_DEMAND_BASE_BYTES_PER_SEC, ON_DEMAND_BASE_BYTES_PER_SEC),
        writeRecords: new TokenBucket(this.clock, ON_DEMAND_BASE_RECORDS_PER_SEC, ON_DEMAND_BASE_RECORDS_PER_SEC),
      };
      this.#streams.set(key, b);
    }
    return b;
  }

  /**
   * Admits one record of `bytes` (data + partition key) to a shard, or returns false if the
   * shard (provisioned) or the stream (on-demand) is over its write rate.
   */
  admitWrite(streamKey: string, shardKey: string, onDemand: boolean, bytes: number): boolean {
    if (!this.enabled) return true;
    if (onDemand) {
      const s = this.#stream(streamKey);
      const cap = s.demand.limits();
      s.writeBytes.ratePerSec = s.writeBytes.capacity = cap.bytes;
      s.writeRecords.ratePerSec = s.writeRecords.capacity = cap.records;
      if (s.writeRecords.available() < 1 || s.writeBytes.available() < Math.min(bytes, s.writeBytes.capacity)) return false;
      s.writeRecords.take(1);
      s.writeBytes.take(bytes);
      s.demand.record(bytes, 1);
      return true;
    }
    const b = this.#shard(shardKey);
    // A record larger than the bucket (a maximum-size record plus its key) needs a full bucket and leaves debt.
    if (b.writeRecords.available() < 1 || b.writeBytes.available() < Math.min(bytes, b.writeBytes.capacity)) return false;
    b.writeRecords.take(1);
    b.writeBytes.take(bytes);
    return true;
  }

  /** Admits one GetRecords call on a shard (5 per second, and none while the read-bytes bucket is in debt). */
  admitRead(shardKey: string): boolean {
    if (!this.enabled) return true;
    const b = this.#shard(shardKey);
    if (b.readBytes.available() <= 0) return false;
    return b.readCalls.tryTake(1);
  }

  /** Charges the bytes a GetRecords call returned. */
  chargeRead(shardKey: string, bytes: number): void {
    if (this.enabled) this.#shard(shardKey).readBytes.take(bytes);
  }

  /** Forgets a stream's buckets (after DeleteStream). */
  forget(streamKey: string): void {
    this.#streams.delete(streamKey);
    for (const key of this.#shards.keys()) if (key.startsWith(streamKey + "/")) this.#shards.delete(key);
  }
}
