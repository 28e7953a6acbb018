import { createHmac, hash } from "node:crypto";

/** Credentials and region a lean client signs with. */
export interface SigningCredentials {
  /** Access key id placed in the credential scope. */
  readonly accessKeyId: string;
  /** Secret the signing key is derived from. */
  readonly secretAccessKey: string;
  /** Region of the credential scope. */
  readonly region: string;
}

/** One request to sign: lower-cased header names, an already-encoded path, raw query pairs. */
export interface SignableRequest {
  /** HTTP method in upper case. */
  readonly method: string;
  /** The path exactly as sent on the wire (already URI-encoded). */
  readonly path: string;
  /** Query parameters, unencoded; signed in canonical order. */
  readonly query?: readonly (readonly [string, string])[];
  /** Headers to sign and send; names in lower case; must include `host`. */
  readonly headers: Record<string, string>;
  /** Hex SHA-256 of the payload, or UNSIGNED-PAYLOAD. */
  readonly payloadHash: string;
}

export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Encodes an object key for the path, keeping its slashes. */
export function encodeKeyPath(key: string): string {
  return key.split("/").map(uriEncode).join("/");
}

export function sha256Hex(data: string | Buffer): string {
  // One-shot hash: no Hash object per call.
  return hash("sha256", data, "hex");
}

const BLOCK = 64;

/**
 * HMAC-SHA256 (RFC 2104) with a fixed key, as two one-shot hashes over the key's precomputed
 * inner (key ^ 0x36) and outer (key ^ 0x5c) pad blocks: no Hmac object per signature.
 */
class FixedKeyHmac {
  readonly #inner: Buffer;
  readonly #outer: Buffer;

  constructor(key: Buffer) {
    if (key.length > BLOCK) throw new RangeError("HMAC key longer than a block");
    this.#inner = Buffer.alloc(BLOCK, 0x36);
    this.#outer = Buffer.alloc(BLOCK + 32, 0x5c);
    for (let i = 0; i < key.length; i++) {
      this.#inner[i]! ^= key[i]!;
      this.#outer[i]! ^= key[i]!;
    }
  }

  hex(message: string): string {
    const inner = hash("sha256", Buffer.concat([this.#inner, Buffer.from(message, "utf8")]), "buffer");
    inner.copy(this.#outer, BLOCK);
    return hash("sha256", this.#outer, "hex");
  }
}

/** The query string as sent, in canonical order (what we sign is what we send). */
export function canonicalQuery(query: readonly (readonly [string, string])[] | undefined): string {
  if (query === undefined || query.length === 0) return "";
  return query
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

/**
 * A SigV4 header signer for one service. The derived signing key is cached per day and the
 * timestamp per second, so a signature costs two HMACs and one hash of the canonical request.
 */
export class SigV4Signer {
  private keyDate = "";
  private signingKey = new FixedKeyHmac(Buffer.alloc(0));
  private stampSecond = -1;
  private amzDate = "";

  constructor(
    private readonly creds: SigningCredentials,
    private readonly service: string,
    private readonly clock: () => number = Date.now,
  ) {}

  private now(): { amzDate: string; day: string } {
    const ms = this.clock();
    const second = Math.floor(ms / 1000);
    if (second !== this.stampSecond) {
      this.stampSecond = second;
      this.amzDate = new Date(second * 1000).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    }
    const day = this.amzDate.slice(0, 8);
    if (day !== this.keyDate) {
      const kDate = createHmac("sha256", "AWS4" + this.creds.secretAccessKey).update(day).digest();
      const kRegion = createHmac("sha256", kDate).update(this.creds.region).digest();
      const kService = createHmac("sha256", kRegion).update(this.service).digest();
      this.signingKey = new FixedKeyHmac(createHmac("sha256", kService).update("aws4_request").digest());
      this.keyDate = day;
    }
    return { amzDate: this.amzDate, day };
  }

  /** Adds x-amz-date, x-amz-content-sha256 and authorization to `req.headers` (mutates and returns them). */
  sign(req: SignableRequest): Record<string, string> {
    const { amzDate, day } = this.now();
    const headers = req.headers;
    headers["x-amz-date"] = amzDate;
    headers["x-amz-content-sha256"] = req.payloadHash;
    const names = Object.keys(headers).sort();
    let canonicalHeaders = "";
    for (const n of names) canonicalHeaders += `${n}:${String(headers[n]).trim()}\n`;
    const signedHeaders = names.join(";");
    const canonicalRequest = `${req.method}\n${req.path}\n${canonicalQuery(req.query)}\n${canonicalHeaders}\n${signedHeaders}\n${req.payloadHash}`;
    const scope = `${day}/${this.creds.region}/${this.service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    const signature = this.signingKey.hex(stringToSign);
    headers["authorization"] = `AWS4-HMAC-SHA256 Credential=${this.creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  }
}
