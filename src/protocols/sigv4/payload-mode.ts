// The values x-amz-content-sha256 may take ("Authenticating Requests: Using the Authorization
// Header (AWS Signature Version 4)", table of x-amz-content-sha256 values).
import { AuthError } from "../auth-error.js";
import type { PayloadCheck } from "./types.js";

export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
export const STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
export const STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
export const STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/** How the payload is described by x-amz-content-sha256 (or X-Amz-Content-Sha256). */
export type PayloadMode =
  | { kind: "hash"; hex: string }
  | { kind: "unsigned" }
  | { kind: "streaming-signed"; trailer: boolean }
  | { kind: "streaming-unsigned-trailer" };

const HEX64 = /^[0-9a-fA-F]{64}$/;

// Payload modes are frozen values: the last one parsed serves the next request with the same value
// (every GET sends the empty body's hash).
let lastModeValue = "";
let lastMode: PayloadMode | undefined;
const NO_CHECK: PayloadCheck = Object.freeze({ type: "none" });

/** Classifies an x-amz-content-sha256 value; undefined if it is none of the allowed forms. */
export function parsePayloadMode(value: string): PayloadMode | undefined {
  if (value === lastModeValue && lastMode !== undefined) return lastMode;
  const mode = parsePayloadModeUncached(value);
  if (mode !== undefined) {
    lastModeValue = value;
    lastMode = Object.freeze(mode);
  }
  return mode;
}

function parsePayloadModeUncached(value: string): PayloadMode | undefined {
  if (HEX64.test(value)) return { kind: "hash", hex: value.toLowerCase() };
  switch (value) {
    case UNSIGNED_PAYLOAD:
      return { kind: "unsigned" };
    case STREAMING_SIGNED:
      return { kind: "streaming-signed", trailer: false };
    case STREAMING_SIGNED_TRAILER:
      return { kind: "streaming-signed", trailer: true };
    case STREAMING_UNSIGNED_TRAILER:
      return { kind: "streaming-unsigned-trailer" };
    default:
      return undefined;
  }
}

export function invalidContentSha256(value: string): AuthError {
  return new AuthError(
    "InvalidArgument",
    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
    { ArgumentName: "x-amz-content-sha256", ArgumentValue: value },
  );
}

export function missingContentSha256(): AuthError {
  return new AuthError("InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
}

/** x-amz-decoded-content-length as a number; undefined if absent. Throws on a malformed value. */
export function decodedContentLength(headers: Readonly<Record<string, string>>): number | undefined {
  const raw = headers["x-amz-decoded-content-length"];
  if (raw === undefined) return undefined;
  const value = raw.trim();
  if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new AuthError("InvalidArgument", "x-amz-decoded-content-length must be a non-negative integer", {
      ArgumentName: "x-amz-decoded-content-length",
      ArgumentValue: raw,
    });
  }
  return Number(value);
}

/** Signing material a streaming-signed body needs to check its chunks. */
export interface ChunkSigningContext {
  /** The request's signature, the seed of the chunk signature chain. */
  seedSignature: string;
  /** The derived signing key. */
  signingKey: Buffer;
  /** date/region/service/aws4_request */
  scope: string;
  /** ISO 8601 basic request timestamp. */
  amzDate: string;
}

/**
 * The PayloadCheck for a verified request whose payload is described by `mode`; `signing` is
 * required for a streaming-signed payload (the only one that uses it).
 */
export function payloadCheckFor(mode: PayloadMode, headers: Readonly<Record<string, string>>, signing: ChunkSigningContext | undefined): PayloadCheck {
  switch (mode.kind) {
    case "hash":
      return { type: "sha256", expectedHex: mode.hex };
    case "unsigned":
      return NO_CHECK;
    case "streaming-signed":
      if (signing === undefined) throw new Error("a streaming-signed payload needs its signing context");
      return { type: "streaming-signed", trailer: mode.trailer, ...signing, decodedLength: decodedContentLength(headers) };
    case "streaming-unsigned-trailer":
      return { type: "streaming-unsigned-trailer", decodedLength: decodedContentLength(headers) };
  }
}
