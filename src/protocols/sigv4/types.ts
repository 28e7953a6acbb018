/** The parts of an HTTP request that authentication looks at. */
export interface HttpRequestParts {
  /** HTTP method as received (upper case). */
  method: string;
  /** Path as received, still percent-encoded, no query. */
  rawPath: string;
  /** Query as received, no '?'. */
  rawQuery: string;
  /** Lower-case names, repeated headers joined with ','. */
  headers: Readonly<Record<string, string>>;
  /** Bucket taken from a virtual-hosted-style Host, for SigV2's CanonicalizedResource. */
  virtualHostBucket?: string | undefined;
}

/** Where secret keys come from. */
export interface Secrets {
  /** The secret for an access key id, or undefined if the key is unknown (or inactive). */
  lookup(accessKeyId: string): { secretAccessKey: string } | undefined;
}

/** What the request body must be checked against, as decided by authentication. */
export type PayloadCheck =
  /** Nothing to check: UNSIGNED-PAYLOAD, SigV2, presigned, anonymous. */
  | { type: "none" }
  /** The sha256 of the body must equal `expectedHex` (x-amz-content-sha256). */
  | { type: "sha256"; expectedHex: string }
  /** aws-chunked body with a signature on every chunk (and on the trailer when `trailer`). */
  | {
      type: "streaming-signed";
      /** True for STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER. */
      trailer: boolean;
      /** The request's own signature, which the first chunk signature chains from. */
      seedSignature: string;
      /** The derived SigV4 signing key of the request. */
      signingKey: Buffer;
      /** The credential scope, `date/region/service/aws4_request`. */
      scope: string;
      /** The request timestamp in ISO 8601 basic form (20130524T000000Z). */
      amzDate: string;
      /** x-amz-decoded-content-length, if sent. */
      decodedLength: number | undefined;
    }
  /** aws-chunked body without signatures, ending with trailing headers (x-amz-trailer). */
  | { type: "streaming-unsigned-trailer"; decodedLength: number | undefined }
  /**
   * A SigV4 request whose signed payload hash is the hash of the body itself (services other than
   * S3 do not send x-amz-content-sha256): the signature can only be checked once the whole body
   * has been hashed. `verify` throws AuthError (SignatureDoesNotMatch) if it does not match.
   */
  | { type: "signature-after-body"; verify(payloadSha256Hex: string): void };

/** Who signed the request and how its body must be checked. */
export interface AuthResult {
  /** How the request was authenticated. */
  kind: "sigv4" | "sigv4-presigned" | "sigv2" | "sigv2-presigned" | "anonymous";
  /** The access key that signed the request; undefined when anonymous. */
  accessKeyId: string | undefined;
  /** From the credential scope (SigV4). */
  region: string | undefined;
  /** From the credential scope (SigV4). */
  service: string | undefined;
  /** What the body must be checked against (see createBodyVerifier). */
  payload: PayloadCheck;
}

/** The four parts of a SigV4 credential after the access key. */
export interface CredentialScope {
  /** The access key id. */
  accessKeyId: string;
  /** YYYYMMDD. */
  date: string;
  /** Region name, e.g. us-east-1. */
  region: string;
  /** Signing name of the service, e.g. s3, kinesis. */
  service: string;
}
