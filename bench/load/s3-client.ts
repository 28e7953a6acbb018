import type { Readable } from "node:stream";
import { LeanClient, BenchHttpError, type Endpoint } from "./http.js";
import { encodeKeyPath, UNSIGNED_PAYLOAD, uriEncode } from "./sigv4.js";
import { bufferCrc32 } from "./body.js";

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp);/g, (_m, e: string) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[e] ?? "");
}

/** One ListObjectsV2 page, reduced to what the bench counts. */
export interface ListPage {
  readonly keys: number;
  readonly commonPrefixes: number;
  readonly truncated: boolean;
  readonly nextToken: string | undefined;
}

const CO = Buffer.from("<Co");
const [N, T, E, M] = [..."ntem"].map((c) => c.charCodeAt(0)) as [number, number, number, number];

/**
 * How many `<Contents>` and `<CommonPrefixes>` elements `doc` holds, in one pass. Text is
 * escaped, so `<` starts tags only, and the only tags of a ListObjectsV2 answer starting `<Co`
 * are those two and `<ContinuationToken>`: `<Conte` and `<Comm` tell them apart.
 */
function countEntries(doc: Buffer): { keys: number; commonPrefixes: number } {
  let keys = 0;
  let commonPrefixes = 0;
  for (let at = doc.indexOf(CO); at !== -1; at = doc.indexOf(CO, at + 3)) {
    const third = doc[at + 3];
    if (third === N && doc[at + 4] === T && doc[at + 5] === E) keys++;
    else if (third === M && doc[at + 4] === M) commonPrefixes++;
  }
  return { keys, commonPrefixes };
}

/**
 * The text of the `<tag>...</tag>` in `doc` (unique in it), or undefined; searched from the end
 * when the tag sits after the entries.
 */
function tagText(doc: Buffer, tag: string, fromEnd = false): string | undefined {
  const open = `<${tag}>`;
  const start = fromEnd ? doc.lastIndexOf(open) : doc.indexOf(open);
  if (start === -1) return undefined;
  const end = doc.indexOf(`</${tag}>`, start);
  return end === -1 ? undefined : doc.toString("utf8", start + open.length, end);
}

/**
 * Parses the parts of a ListObjectsV2 answer the bench needs (tags are unique in that
 * document), searching the bytes as they came: a 1,000-key page is ~280 KB, and decoding it to
 * a string and running regular expressions over it cost the client ~0.5 ms per page, which a
 * sequential listing adds to every page's wall time. One pass finds both kinds of entry, with a
 * Buffer needle (a string needle is converted on every call: 1,000 calls per page); the
 * continuation token, after the entries, is searched from the end (~320 -> ~100 us per page).
 */
export function parseListPage(doc: Buffer): ListPage {
  const token = tagText(doc, "NextContinuationToken", true);
  return {
    ...countEntries(doc),
    truncated: tagText(doc, "IsTruncated") === "true",
    nextToken: token === undefined ? undefined : unescapeXml(token),
  };
}

/** Path-style S3 over a lean client: only the calls the bench makes. */
export class LeanS3 {
  readonly http: LeanClient;

  constructor(endpoint: Endpoint, connections: number) {
    this.http = new LeanClient(endpoint, "s3", connections);
  }

  private path(bucket: string, key?: string): string {
    return key === undefined ? `/${uriEncode(bucket)}` : `/${uriEncode(bucket)}/${encodeKeyPath(key)}`;
  }

  async createBucket(bucket: string): Promise<void> {
    try {
      await this.http.send({ method: "PUT", path: this.path(bucket) });
    } catch (err) {
      if (err instanceof BenchHttpError && (err.code === "BucketAlreadyOwnedByYou" || err.code === "BucketAlreadyExists")) return;
      throw err;
    }
  }

  /** PutObject of a small buffer, signed over its SHA-256 with a CRC32 checksum (what an SDK sends over http). */
  async putSmall(bucket: string, key: string, body: Buffer): Promise<void> {
    await this.http.send({ method: "PUT", path: this.path(bucket, key), body, headers: { "x-amz-checksum-crc32": bufferCrc32(body) } });
  }

  /** PutObject of a stream of known length: UNSIGNED-PAYLOAD plus a CRC32 computed ahead. */
  async putStream(bucket: string, key: string, body: Readable, length: number, crc32: string): Promise<void> {
    await this.http.send({
      method: "PUT",
      path: this.path(bucket, key),
      body,
      payloadHash: UNSIGNED_PAYLOAD,
      headers: { "content-length": String(length), "x-amz-checksum-crc32": crc32 },
    });
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    await this.http.send({ method: "DELETE", path: this.path(bucket, key) });
  }

  /** GetObject; resolves to the bytes received. */
  async get(bucket: string, key: string): Promise<number> {
    return (await this.http.send({ method: "GET", path: this.path(bucket, key) })).bytes;
  }

  /** GetObject into memory (small objects only). */
  async getBuffer(bucket: string, key: string): Promise<Buffer> {
    return (await this.http.send({ method: "GET", path: this.path(bucket, key), read: "buffer" })).data ?? Buffer.alloc(0);
  }

  /** Every key under a prefix (all pages). */
  async listKeys(bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    for (let guard = 0; guard < 10_000; guard++) {
      const query: [string, string][] = [["list-type", "2"], ["prefix", prefix]];
      if (token !== undefined) query.push(["continuation-token", token]);
      const res = await this.http.send({ method: "GET", path: this.path(bucket), query, read: "buffer" });
      const doc = res.data ?? Buffer.alloc(0);
      for (const m of doc.toString("utf8").matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(unescapeXml(m[1]!));
      const page = parseListPage(doc);
      if (!page.truncated || page.nextToken === undefined) break;
      token = page.nextToken;
    }
    return keys;
  }

  async listPage(bucket: string, opts: { prefix?: string; delimiter?: string; token?: string; maxKeys?: number }): Promise<ListPage> {
    const query: [string, string][] = [["list-type", "2"]];
    if (opts.prefix !== undefined) query.push(["prefix", opts.prefix]);
    if (opts.delimiter !== undefined) query.push(["delimiter", opts.delimiter]);
    if (opts.token !== undefined) query.push(["continuation-token", opts.token]);
    if (opts.maxKeys !== undefined) query.push(["max-keys", String(opts.maxKeys)]);
    const res = await this.http.send({ method: "GET", path: this.path(bucket), query, read: "buffer" });
    return parseListPage(res.data ?? Buffer.alloc(0));
  }

  async createMultipart(bucket: string, key: string): Promise<string> {
    const res = await this.http.send({
      method: "POST",
      path: this.path(bucket, key),
      query: [["uploads", ""]],
      headers: { "x-amz-checksum-algorithm": "CRC32" },
      read: "text",
    });
    const id = /<UploadId>([^<]*)<\/UploadId>/.exec(res.text)?.[1];
    if (id === undefined) throw new Error(`CreateMultipartUpload: no UploadId in ${res.text.slice(0, 200)}`);
    return unescapeXml(id);
  }

  /** UploadPart from a stream; resolves to the part's ETag. */
  async uploadPart(bucket: string, key: string, uploadId: string, part: number, body: Readable, length: number, crc32: string): Promise<string> {
    const res = await this.http.send({
      method: "PUT",
      path: this.path(bucket, key),
      query: [
        ["partNumber", String(part)],
        ["uploadId", uploadId],
      ],
      body,
      payloadHash: UNSIGNED_PAYLOAD,
      headers: { "content-length": String(length), "x-amz-checksum-crc32": crc32 },
    });
    const etag = res.headers["etag"];
    return typeof etag === "string" ? etag : "";
  }

  async completeMultipart(bucket: string, key: string, uploadId: string, parts: readonly { part: number; etag: string; crc32: string }[]): Promise<void> {
    const xml =
      "<CompleteMultipartUpload>" +
      parts.map((p) => `<Part><PartNumber>${p.part}</PartNumber><ETag>${p.etag.replace(/"/g, "&quot;")}</ETag><ChecksumCRC32>${p.crc32}</ChecksumCRC32></Part>`).join("") +
      "</CompleteMultipartUpload>";
    const res = await this.http.send({ method: "POST", path: this.path(bucket, key), query: [["uploadId", uploadId]], body: xml, read: "text" });
    // CompleteMultipartUpload can fail with a 200 whose body is an <Error> (S3 API reference).
    if (/<Error>/.test(res.text)) throw new BenchHttpError(200, /<Code>([^<]*)<\/Code>/.exec(res.text)?.[1] ?? "Error", res.text);
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
