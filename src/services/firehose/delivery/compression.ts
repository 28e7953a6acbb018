import { crc32c } from "@aws-crypto/crc32c";
import { zipSync } from "fflate";
import { snappyCompress } from "hyparquet-writer/src/snappy.js";
import { gzipSync } from "node:zlib";

/** ExtendedS3DestinationConfiguration.CompressionFormat. */
export type CompressionFormat = "UNCOMPRESSED" | "GZIP" | "ZIP" | "Snappy" | "HADOOP_SNAPPY";

/** The extension Firehose gives objects of each format (S3 object name format: `<uuid><file extension>`). */
export const COMPRESSION_EXTENSIONS: Readonly<Record<CompressionFormat, string>> = {
  UNCOMPRESSED: "",
  GZIP: ".gz",
  ZIP: ".zip",
  Snappy: ".snappy",
  HADOOP_SNAPPY: ".snappy",
};

/** The Content-Encoding stored with an object of each format (only GZIP is an HTTP coding). */
export const COMPRESSION_CONTENT_ENCODING: Readonly<Record<CompressionFormat, string | undefined>> = {
  UNCOMPRESSED: undefined,
  GZIP: "gzip",
  ZIP: undefined,
  Snappy: undefined,
  HADOOP_SNAPPY: undefined,
};

const FRAME_MAX = 65_536;
const STREAM_IDENTIFIER = Uint8Array.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]);

/** The framing format's masked CRC-32C of the uncompressed bytes. */
function maskedCrc(data: Uint8Array): number {
  const c = crc32c(data) >>> 0;
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/**
 * The Snappy framing format (google/snappy framing_format.txt): a stream identifier, then
 * chunks of at most 64 KiB of input, each compressed (type 0x00) or stored (0x01) with the
 * masked CRC-32C of its uncompressed bytes. This is what `snzip -t framing2` and python-snappy's
 * stream decompressor read.
 */
export function snappyFrame(input: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [STREAM_IDENTIFIER];
  for (let off = 0; off < input.length; off += FRAME_MAX) {
    const piece = input.subarray(off, Math.min(input.length, off + FRAME_MAX));
    const compressed = snappyCompress(piece);
    const stored = compressed.length >= piece.length;
    const payload = stored ? piece : compressed;
    const header = new Uint8Array(8);
    const len = payload.length + 4;
    header[0] = stored ? 0x01 : 0x00;
    header[1] = len & 0xff;
    header[2] = (len >>> 8) & 0xff;
    header[3] = (len >>> 16) & 0xff;
    new DataView(header.buffer).setUint32(4, maskedCrc(piece), true);
    chunks.push(header, payload);
  }
  return Buffer.concat(chunks);
}

const HADOOP_BLOCK = 256 * 1024;

/**
 * Hadoop's block format for Snappy (BlockCompressorStream, what HADOOP_SNAPPY names): for each
 * block of input, its length (4 bytes big-endian), then the compressed length and bytes.
 */
export function hadoopSnappy(input: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (let off = 0; off < input.length; off += HADOOP_BLOCK) {
    const piece = input.subarray(off, Math.min(input.length, off + HADOOP_BLOCK));
    const compressed = snappyCompress(piece);
    const header = Buffer.alloc(8);
    header.writeUInt32BE(piece.length, 0);
    header.writeUInt32BE(compressed.length, 4);
    chunks.push(header, compressed);
  }
  return Buffer.concat(chunks);
}

/** Compresses a whole object; `entryName` names the single file inside a ZIP archive. */
export function compress(format: CompressionFormat, input: Uint8Array, entryName: string): Uint8Array {
  switch (format) {
    case "UNCOMPRESSED":
      return input;
    case "GZIP":
      return gzipSync(input);
    case "ZIP":
      return zipSync({ [entryName]: input });
    case "Snappy":
      return snappyFrame(input);
    case "HADOOP_SNAPPY":
      return hadoopSnappy(input);
  }
}
