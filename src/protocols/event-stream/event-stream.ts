import { EventStreamCodec, type Message, type MessageHeaders } from "@smithy/eventstream-codec";

/**
 * The AWS event-stream framing (application/vnd.amazon.eventstream): length-prefixed messages
 * with typed headers and CRC32 checksums, as SubscribeToShard, SelectObjectContent and
 * Transcribe use. Encoding/decoding is the Smithy codec's; this module only names the message kinds.
 */

const toUtf8 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
const fromUtf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "utf8"));
const codec = new EventStreamCodec(toUtf8, fromUtf8);

export type { Message as EventStreamMessage };

/** An `:message-type: event` message carrying one member of an event-stream union. */
export function encodeEvent(eventType: string, payload: Uint8Array, contentType: string): Uint8Array {
  return codec.encode({
    headers: {
      ":event-type": { type: "string", value: eventType },
      ":content-type": { type: "string", value: contentType },
      ":message-type": { type: "string", value: "event" },
    },
    body: payload,
  });
}

/** An `:message-type: exception` message: a modeled error of the stream (e.g. ResourceNotFoundException). */
export function encodeException(exceptionType: string, payload: Uint8Array, contentType: string): Uint8Array {
  return codec.encode({
    headers: {
      ":exception-type": { type: "string", value: exceptionType },
      ":content-type": { type: "string", value: contentType },
      ":message-type": { type: "string", value: "exception" },
    },
    body: payload,
  });
}

/** An `:message-type: error` message: an unmodeled failure (InternalFailure and the like). */
export function encodeError(code: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ":error-code": { type: "string", value: code },
      ":error-message": { type: "string", value: message },
      ":message-type": { type: "string", value: "error" },
    },
    body: new Uint8Array(0),
  });
}

/** Reads one header's value as a string (undefined when absent or not a string). */
export function headerString(headers: MessageHeaders, name: string): string | undefined {
  const h = headers[name];
  return h !== undefined && h.type === "string" ? h.value : undefined;
}

/**
 * Splits a byte stream into messages: feed chunks as they arrive, get back every message they
 * complete. Throws on a checksum mismatch.
 */
export class EventStreamDecoder {
  #pending: Buffer = Buffer.alloc(0);

  /** Adds bytes; returns the messages they complete, in order. */
  push(chunk: Uint8Array): Message[] {
    this.#pending = this.#pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#pending, chunk]);
    const out: Message[] = [];
    while (this.#pending.length >= 4) {
      const total = this.#pending.readUInt32BE(0);
      if (this.#pending.length < total) break;
      const frame = this.#pending.subarray(0, total);
      out.push(codec.decode(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength)));
      this.#pending = this.#pending.subarray(total);
    }
    return out;
  }

  /** Bytes received that do not yet form a whole message. */
  get bufferedBytes(): number {
    return this.#pending.length;
  }
}
