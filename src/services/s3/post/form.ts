import { Readable } from "node:stream";
import busboy from "busboy";
import { AuthError } from "../../../protocols/auth-error.js";
import { S3Error } from "../errors.js";

// The form fields before the file may total 20 KB (S3 answers MaxPostPreDataLengthExceeded past it,
// naming MaxPostPreDataLengthBytes 20480).
export const MAX_PRE_DATA = 20 * 1024;

/** The file part of a POST form, streamed as it arrives. */
export interface FormFile {
  /** The bytes; reading it is what makes the parser go on (back-pressure reaches the socket). */
  readonly stream: Readable;
  /** The file name the browser gave (what `${filename}` in the key stands for). */
  readonly filename: string;
}

/** Everything a POST form says before its file, and the file itself. */
export interface FormHead {
  /** Fields before the file by lower-case name (field names are case-insensitive); the first of a name wins. */
  readonly fields: ReadonlyMap<string, string>;
  /** Field names as sent, in order, for error messages. */
  readonly names: readonly string[];
  /** The field named `file`; undefined when the form ended without one. */
  readonly file: FormFile | undefined;
  /**
   * Stops reading the form: the rest of the body is read and dropped, so the client, still
   * sending, can read the answer on a connection that stays open. Resolves when the body has
   * ended, or once MAX_DRAIN more bytes have gone by (the server then closes the connection).
   */
  discard(): Promise<void>;
}

/** How much of an unwanted body is read before giving up on it. */
const MAX_DRAIN = 8 * 1024 * 1024;

function drain(body: Readable): Promise<void> {
  if (body.readableEnded || body.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = (): void => {
      body.off("data", count);
      body.off("end", done);
      body.off("close", done);
      body.off("error", done);
      resolve();
    };
    const count = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > MAX_DRAIN) {
        body.pause();
        done();
      }
    };
    body.on("data", count);
    body.once("end", done);
    body.once("close", done);
    body.once("error", done);
    body.resume();
  });
}

const malformed = (): S3Error => new S3Error("MalformedPOSTRequest");

/**
 * Parses a multipart/form-data body up to its file part and hands the file over as a stream. The
 * file must come last (POST Object docs: fields after it are ignored), so everything needed to
 * authorize the upload is known before the first byte of the file is stored.
 */
export function readFormHead(body: Readable, contentType: string): Promise<FormHead> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: { "content-type": contentType }, defParamCharset: "utf8", limits: { fieldSize: MAX_PRE_DATA + 1 } });
  } catch {
    return Promise.reject(malformed());
  }
  const fields = new Map<string, string>();
  const names: string[] = [];
  let preData = 0;
  let file: FormFile | undefined;
  let settled = false;

  return new Promise<FormHead>((resolve, reject) => {
    let discarding: Promise<void> | undefined;
    const discard = (): Promise<void> => {
      if (discarding !== undefined) return discarding;
      body.unpipe(parser);
      file?.stream.resume();
      discarding = drain(body);
      return discarding;
    };
    const fail = (err: unknown): void => {
      const e = err instanceof S3Error || err instanceof AuthError ? err : malformed();
      if (!settled) {
        settled = true;
        void discard().then(() => reject(e));
      } else if (file !== undefined && !file.stream.destroyed) {
        file.stream.destroy(e);
      }
    };
    const handOver = (f: FormFile | undefined): void => {
      if (settled) return;
      settled = true;
      file = f;
      resolve({ fields, names, file, discard });
    };

    parser.on("field", (name, value) => {
      if (settled) return; // after the file: ignored, as S3 ignores it
      if (name.toLowerCase() === "file") {
        // A file sent as a plain field (no filename): its text is the content.
        handOver({ stream: Readable.from([Buffer.from(value, "utf8")]), filename: "" });
        return;
      }
      preData += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (preData > MAX_PRE_DATA) {
        fail(new S3Error("MaxPostPreDataLengthExceeded", undefined, { MaxPostPreDataLengthBytes: String(MAX_PRE_DATA) }));
        return;
      }
      names.push(name);
      const lower = name.toLowerCase();
      if (!fields.has(lower)) fields.set(lower, value);
    });
    parser.on("file", (name, stream, info) => {
      if (settled || name.toLowerCase() !== "file") {
        stream.resume(); // a second file, or a file field of another name: not S3's `file`
        return;
      }
      handOver({ stream, filename: info.filename ?? "" });
    });
    parser.on("error", fail);
    parser.on("close", () => handOver(undefined));
    body.on("error", (err) => parser.destroy(err));
    body.pipe(parser);
  });
}
