import { BenchHttpError, errorCode, type Endpoint } from "./http.js";
import { KeepAlivePool } from "./keep-alive-pool.js";
import { sha256Hex, SigV4Signer } from "./sigv4.js";

/** A record as GetRecords returns it (only what the bench reads). */
export interface WireRecord {
  readonly Data: string;
  readonly SequenceNumber: string;
  readonly PartitionKey: string;
}

/** GetRecords output (only what the bench reads). */
export interface GetRecordsPage {
  readonly Records: readonly WireRecord[];
  readonly NextShardIterator?: string | null;
  readonly MillisBehindLatest?: number;
}

/** A PutRecords request body built once and sent many times, as bytes, with its hash precomputed. */
export interface PreparedPut {
  readonly body: Buffer;
  readonly sha256: string;
  readonly records: number;
}

/**
 * Kinesis JSON 1.1 over a lean client: only the calls the bench makes. Every call is signed
 * (SigV4, as LeanClient signs) and sent over a KeepAlivePool: one write per request, the answer
 * parsed whole, no per-call stream or dispatcher objects (see bench/README.md).
 */
export class LeanKinesis {
  readonly #pool: KeepAlivePool;
  readonly #signer: SigV4Signer;
  readonly #host: string;

  constructor(endpoint: Endpoint, connections: number) {
    this.#pool = new KeepAlivePool(endpoint.origin, connections);
    this.#signer = new SigV4Signer(endpoint.creds, "kinesis");
    this.#host = new URL(endpoint.origin).host;
  }

  /** Calls an operation with a JSON body (hash precomputed when given) and parses the answer. */
  async call<T>(operation: string, input: unknown, prepared?: { body: string | Buffer; sha256: string }): Promise<T> {
    const body = prepared?.body ?? JSON.stringify(input);
    const headers: Record<string, string> = {
      host: this.#host,
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `Kinesis_20131202.${operation}`,
      "content-length": String(Buffer.byteLength(body)),
    };
    this.#signer.sign({ method: "POST", path: "/", headers, payloadHash: prepared?.sha256 ?? sha256Hex(body) });
    let head = "POST / HTTP/1.1\r\n";
    for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
    const res = await this.#pool.request(head + "\r\n", body);
    const text = res.body.toString("utf8");
    if (res.status >= 300) throw new BenchHttpError(res.status, errorCode(res.status, res.headers, text), text);
    return (text === "" ? {} : JSON.parse(text)) as T;
  }

  async createStream(name: string, shards: number): Promise<void> {
    await this.call("CreateStream", { StreamName: name, ShardCount: shards });
  }

  /** Waits (bounded) until the stream is ACTIVE; returns its ARN. */
  async waitActive(name: string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const out = await this.call<{ StreamDescriptionSummary: { StreamStatus: string; StreamARN: string } }>("DescribeStreamSummary", { StreamName: name });
      if (out.StreamDescriptionSummary.StreamStatus === "ACTIVE") return out.StreamDescriptionSummary.StreamARN;
      if (Date.now() > deadline) throw new Error(`stream ${name} not ACTIVE after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async shardIds(name: string): Promise<string[]> {
    const out = await this.call<{ Shards: { ShardId: string }[] }>("ListShards", { StreamName: name });
    return out.Shards.map((s) => s.ShardId);
  }

  async iterator(name: string, shardId: string, type: "TRIM_HORIZON" | "LATEST"): Promise<string> {
    const out = await this.call<{ ShardIterator: string }>("GetShardIterator", { StreamName: name, ShardId: shardId, ShardIteratorType: type });
    return out.ShardIterator;
  }

  async getRecords(iterator: string, limit: number): Promise<GetRecordsPage> {
    return this.call<GetRecordsPage>("GetRecords", { ShardIterator: iterator, Limit: limit });
  }

  /** Builds a PutRecords body of `count` records of `size` bytes with distinct partition keys. */
  static preparePut(stream: string, count: number, size: number, salt: string): PreparedPut {
    const data = Buffer.alloc(size, 0x61).toString("base64");
    const records = Array.from({ length: count }, (_v, i) => ({ Data: data, PartitionKey: `${salt}-${i}` }));
    // Bytes once, not per call: a 690 KB string would be UTF-8 encoded (and measured) on every send.
    const body = Buffer.from(JSON.stringify({ StreamName: stream, Records: records }), "utf8");
    return { body, sha256: sha256Hex(body), records: count };
  }

  /** PutRecords with a prepared body; resolves to the number of records that failed. */
  async putPrepared(prepared: PreparedPut): Promise<number> {
    const out = await this.call<{ FailedRecordCount?: number }>("PutRecords", undefined, prepared);
    return out.FailedRecordCount ?? 0;
  }

  async deleteStream(name: string): Promise<void> {
    await this.call("DeleteStream", { StreamName: name, EnforceConsumerDeletion: true });
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}
