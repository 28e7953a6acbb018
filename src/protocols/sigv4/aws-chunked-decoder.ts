// Streaming decoder for `Content-Encoding: aws-chunked` bodies ("Signature Calculation:
// Transfer Payload in Multiple Chunks" and "chunked upload with trailing headers"):
//   hex-size[;chunk-signature=sig]\r\n data \r\n ... 0[;chunk-signature=sig]\r\n
//   [trailer-name:value\r\n ...] [x-amz-trailer-signature:sig\r\n] \r\n
// Data is passed on as it arrives (zero-copy slices), so memory stays bounded whatever the chunk
// size; each chunk's signature is checked as soon as its last byte is seen, and the stream fails
// (never ends cleanly) on any mismatch or framing error.
import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import type { AuthError } from "../auth-error.js";
import { incompleteBody, signatureMismatch } from "./errors.js";
import { EMPTY_SHA256, sha256Hex, signHex, signaturesEqual, spacedHex } from "./signing.js";

const HEADER = 0;
const DATA = 1;
const DATA_CR = 2;
const DATA_LF = 3;
const TRAILER = 4;
const DONE = 5;

/** Longest chunk header or trailer line accepted (a signed header line is ~90 bytes). */
const MAX_LINE = 4096;
/** Most trailer bytes accepted in all. */
const MAX_TRAILER_BYTES = 16 * 1024;
const HEX_SIZE = /^[0-9a-fA-F]{1,16}$/;
const CHUNK_SIGNATURE = "chunk-signature=";
const TRAILER_SIGNATURE = "x-amz-trailer-signature";
const TRAILER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** What a signed aws-chunked body is checked with. */
export interface ChunkSigning {
  /** The request's signature: the previous signature of the first chunk. */
  seedSignature: string;
  /** The request's derived signing key. */
  signingKey: Buffer;
  /** date/region/service/aws4_request */
  scope: string;
  /** ISO 8601 basic request timestamp. */
  amzDate: string;
}

export interface AwsChunkedOptions {
  /** Signing material when every chunk carries a chunk-signature; undefined when unsigned. */
  signing: ChunkSigning | undefined;
  /** Whether trailing headers may follow the final chunk (signed with x-amz-trailer-signature when `signing`). */
  trailer: boolean;
  /** x-amz-decoded-content-length, checked against the decoded byte count. */
  decodedLength: number | undefined;
  /** Receives the trailing headers (lower-case names) before the stream ends. */
  trailers: Record<string, string>;
}

/** String to sign of one chunk (sigv4-streaming: "AWS4-HMAC-SHA256-PAYLOAD"). */
export function chunkStringToSign(amzDate: string, scope: string, previousSignature: string, chunkSha256Hex: string): string {
  return `AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n${previousSignature}\n${EMPTY_SHA256}\n${chunkSha256Hex}`;
}

/** String to sign of the trailer chunk (sigv4-streaming-trailers: "AWS4-HMAC-SHA256-TRAILER"). */
export function trailerStringToSign(amzDate: string, scope: string, previousSignature: string, canonicalTrailers: string): string {
  return `AWS4-HMAC-SHA256-TRAILER\n${amzDate}\n${scope}\n${previousSignature}\n${sha256Hex(canonicalTrailers)}`;
}

function chunkSignatureError(stringToSign: string, provided: string): AuthError {
  return signatureMismatch({ StringToSign: stringToSign, SignatureProvided: provided, StringToSignBytes: spacedHex(stringToSign) });
}

/** Transform from an aws-chunked body to the payload it carries. Errors with AuthError. */
export class AwsChunkedDecoder extends Transform {
  readonly #options: AwsChunkedOptions;
  #state = HEADER;
  /** Bytes of a line split across writes. */
  #line: Buffer | undefined;
  #lineLength = 0;
  #remaining = 0;
  #decoded = 0;
  #chunkSignature = "";
  #previousSignature: string;
  #hash: Hash | undefined;
  #trailerEntries: Array<[string, string]> = [];
  #trailerBytes = 0;

  constructor(options: AwsChunkedOptions) {
    super();
    this.#options = options;
    this.#previousSignature = options.signing?.seedSignature ?? "";
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#consume(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    const { decodedLength } = this.#options;
    if (this.#state !== DONE || (decodedLength !== undefined && this.#decoded !== decodedLength)) callback(incompleteBody());
    else callback();
  }

  #consume(buf: Buffer): void {
    let pos = 0;
    const end = buf.length;
    while (pos < end) {
      switch (this.#state) {
        case DATA: {
          const take = Math.min(this.#remaining, end - pos);
          const piece = buf.subarray(pos, pos + take);
          this.#hash?.update(piece);
          this.push(piece);
          pos += take;
          this.#remaining -= take;
          if (this.#remaining === 0) {
            if (this.#options.signing !== undefined) this.#verifyChunk();
            this.#state = DATA_CR;
          }
          break;
        }
        case HEADER:
        case TRAILER: {
          const nl = buf.indexOf(0x0a, pos);
          if (nl < 0) {
            this.#append(buf, pos, end);
            pos = end;
          } else {
            const line = this.#takeLine(buf, pos, nl);
            pos = nl + 1;
            if (this.#state === HEADER) this.#onChunkHeader(line);
            else this.#onTrailerLine(line);
          }
          break;
        }
        case DATA_CR:
          if (buf[pos] !== 0x0d) throw incompleteBody();
          pos++;
          this.#state = DATA_LF;
          break;
        case DATA_LF:
          if (buf[pos] !== 0x0a) throw incompleteBody();
          pos++;
          this.#state = HEADER;
          break;
        default:
          // Bytes after the end of the aws-chunked body.
          throw incompleteBody();
      }
    }
  }

  #append(buf: Buffer, start: number, stop: number): void {
    const length = stop - start;
    if (this.#lineLength + length > MAX_LINE) throw incompleteBody();
    this.#line ??= Buffer.allocUnsafe(MAX_LINE);
    buf.copy(this.#line, this.#lineLength, start, stop);
    this.#lineLength += length;
  }

  /** The line ending at buf[nl] ('\n'), without its CRLF. A bare LF is a framing error. */
  #takeLine(buf: Buffer, start: number, nl: number): string {
    let bytes: Buffer;
    if (this.#lineLength === 0) {
      if (nl - start > MAX_LINE) throw incompleteBody();
      bytes = buf.subarray(start, nl);
    } else {
      this.#append(buf, start, nl);
      bytes = this.#line!.subarray(0, this.#lineLength);
      this.#lineLength = 0;
    }
    if (bytes.length === 0 || bytes[bytes.length - 1] !== 0x0d) throw incompleteBody();
    return bytes.toString(this.#state === TRAILER ? "utf8" : "latin1", 0, bytes.length - 1);
  }

  #onChunkHeader(line: string): void {
    const semi = line.indexOf(";");
    const hex = semi < 0 ? line : line.slice(0, semi);
    if (!HEX_SIZE.test(hex)) throw incompleteBody();
    const size = parseInt(hex, 16);
    if (!Number.isSafeInteger(size)) throw incompleteBody();
    if (this.#options.signing !== undefined) {
      const extension = semi < 0 ? "" : line.slice(semi + 1);
      if (!extension.startsWith(CHUNK_SIGNATURE)) throw signatureMismatch({ SignatureProvided: "" });
      this.#chunkSignature = extension.slice(CHUNK_SIGNATURE.length);
      this.#hash = createHash("sha256");
    }
    const { decodedLength } = this.#options;
    if (decodedLength !== undefined && this.#decoded + size > decodedLength) throw incompleteBody();
    this.#decoded += size;
    if (size === 0) {
      if (this.#options.signing !== undefined) this.#verifyChunk();
      this.#state = TRAILER;
    } else {
      this.#remaining = size;
      this.#state = DATA;
    }
  }

  #verifyChunk(): void {
    const signing = this.#options.signing!;
    const digest = this.#hash!.digest("hex");
    this.#hash = undefined;
    const toSign = chunkStringToSign(signing.amzDate, signing.scope, this.#previousSignature, digest);
    if (!signaturesEqual(signHex(signing.signingKey, toSign), this.#chunkSignature)) {
      throw chunkSignatureError(toSign, this.#chunkSignature);
    }
    this.#previousSignature = this.#chunkSignature;
  }

  #onTrailerLine(line: string): void {
    if (line === "") {
      this.#finish();
      return;
    }
    // Without trailers the final chunk is followed by the empty line only.
    if (!this.#options.trailer) throw incompleteBody();
    this.#trailerBytes += line.length + 2;
    if (this.#trailerBytes > MAX_TRAILER_BYTES) throw incompleteBody();
    const colon = line.indexOf(":");
    const name = colon < 0 ? "" : line.slice(0, colon).trim().toLowerCase();
    if (!TRAILER_NAME.test(name)) throw incompleteBody();
    this.#trailerEntries.push([name, line.slice(colon + 1).trim()]);
  }

  #finish(): void {
    const signing = this.#options.signing;
    const entries = this.#trailerEntries;
    if (signing !== undefined && this.#options.trailer) {
      // The trailer signature covers every other trailing header as `name:value\n`.
      let canonical = "";
      let provided = "";
      for (const [name, value] of entries) {
        if (name === TRAILER_SIGNATURE) provided = value;
        else canonical += `${name}:${value}\n`;
      }
      const toSign = trailerStringToSign(signing.amzDate, signing.scope, this.#previousSignature, canonical);
      if (!signaturesEqual(signHex(signing.signingKey, toSign), provided)) throw chunkSignatureError(toSign, provided);
    }
    for (const [name, value] of entries) {
      if (name !== TRAILER_SIGNATURE) this.#options.trailers[name] = value;
    }
    this.#state = DONE;
  }
}
