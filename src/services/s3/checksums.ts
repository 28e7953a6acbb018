import { Crc32c } from "@aws-crypto/crc32c";
import { Crc64Nvme } from "@aws-sdk/crc64-nvme";
import { createHash, type Hash } from "node:crypto";
import { crc32 } from "node:zlib";

/** The additional checksum algorithms S3 supports (x-amz-checksum-<lower-case name>). */
export type ChecksumAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256";
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

/** Length in bytes of each algorithm's digest (to validate a client-supplied value). */
export const CHECKSUM_LENGTH: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

/** An incremental hash whose result is the raw digest bytes. */
export interface Hasher {
  update(chunk: Uint8Array): void;
  digest(): Promise<Buffer>;
}

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

function nodeHash(name: string): Hasher {
  const h: Hash = createHash(name);
  return { update: (c) => void h.update(c), digest: async () => h.digest() };
}

/** A hasher for an algorithm, backed by node's crypto/zlib and the AWS SDK's CRC libraries. */
export function createHasher(algorithm: ChecksumAlgorithm | "MD5"): Hasher {
  switch (algorithm) {
    case "MD5":
      return nodeHash("md5");
    case "SHA1":
      return nodeHash("sha1");
    case "SHA256":
      return nodeHash("sha256");
    case "CRC32": {
      let value = 0;
      return { update: (c) => void (value = crc32(c, value)), digest: async () => u32(value) };
    }
    case "CRC32C": {
      const h = new Crc32c();
      return { update: (c) => void h.update(c), digest: async () => u32(h.digest()) };
    }
    case "CRC64NVME": {
      const h = new Crc64Nvme();
      return { update: (c) => h.update(c), digest: async () => Buffer.from(await h.digest()) };
    }
  }
}

/** The header that carries an algorithm's value: x-amz-checksum-crc32 etc. */
export const checksumHeader = (a: ChecksumAlgorithm): string => CHECKSUM_HEADERS[a];
const CHECKSUM_HEADERS: Record<ChecksumAlgorithm, string> = {
  CRC32: "x-amz-checksum-crc32",
  CRC32C: "x-amz-checksum-crc32c",
  CRC64NVME: "x-amz-checksum-crc64nvme",
  SHA1: "x-amz-checksum-sha1",
  SHA256: "x-amz-checksum-sha256",
};

/** Parses an x-amz-checksum-algorithm / x-amz-sdk-checksum-algorithm value. */
export function parseAlgorithm(value: string | undefined): ChecksumAlgorithm | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(upper) ? (upper as ChecksumAlgorithm) : undefined;
}
