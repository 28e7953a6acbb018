import { connect, type Socket } from "node:net";

/** A whole response read off a keep-alive connection. */
export interface WholeResponse {
  /** HTTP status code. */
  readonly status: number;
  /** Header names in lower case; a repeated header's values joined with ", ". */
  readonly headers: Record<string, string>;
  /** The body, de-chunked. */
  readonly body: Buffer;
}

/** Longest response head accepted (status line and headers). */
const MAX_HEAD_BYTES = 64 * 1024;
/** A request with no byte of answer for this long fails (and its connection is dropped). */
const IDLE_TIMEOUT_MS = 60_000;
const CRLF = Buffer.from("\r\n");
const HEAD_END = Buffer.from("\r\n\r\n");

interface Pending {
  readonly resolve: (res: WholeResponse) => void;
  readonly reject: (err: Error) => void;
}

type BodyKind = { kind: "length"; left: number } | { kind: "chunked"; left: number; trailers: boolean } | { kind: "close" };

/**
 * One HTTP/1.1 keep-alive connection carrying one request at a time: the request goes out in one
 * write (head and body), the response is parsed here (status line, headers, a Content-Length,
 * chunked or read-until-close body). What a general client adds on top (a pluggable dispatcher,
 * body streams, a request object per call, a full loop turn before reusing a socket) is left out,
 * so that a client driving many small calls spends its CPU on signing and JSON, not on plumbing.
 */
class KeepAliveConnection {
  readonly #socket: Socket;
  #pending: Pending | undefined;
  #closed = false;
  // Response being parsed.
  #head: Buffer | undefined;
  #status = 0;
  #headers: Record<string, string> = {};
  #body: BodyKind | undefined;
  #parts: Buffer[] = [];
  #carry: Buffer | undefined;
  #closeAfter = false;

  constructor(host: string, port: number, onGone: (c: KeepAliveConnection) => void) {
    this.#socket = connect({ host, port, noDelay: true });
    this.#socket.setTimeout(IDLE_TIMEOUT_MS, () => this.#fail(new Error("no answer within 60 s")));
    this.#socket.on("data", (chunk: Buffer) => {
      try {
        this.#feed(chunk);
      } catch (err) {
        this.#fail(err as Error);
      }
    });
    this.#socket.on("end", () => {
      if (this.#body?.kind === "close" && this.#pending !== undefined) this.#complete();
      this.#fail(new Error("connection closed by the server"));
    });
    this.#socket.on("error", (err) => this.#fail(err));
    this.#socket.on("close", () => {
      this.#fail(new Error("connection closed"));
      onGone(this);
    });
  }

  /** True while it can take a request. */
  get usable(): boolean {
    return !this.#closed;
  }

  /** Sends `head` (the request line and headers, ending in an empty line) and `body`; resolves to the whole answer. */
  send(head: string, body: string | Buffer | undefined): Promise<WholeResponse> {
    if (this.#closed) return Promise.reject(new Error("connection closed"));
    if (this.#pending !== undefined) return Promise.reject(new Error("connection busy"));
    return new Promise<WholeResponse>((resolve, reject) => {
      this.#pending = { resolve, reject };
      if (body === undefined) this.#socket.write(head, "latin1");
      else if (typeof body === "string") this.#socket.write(head + body);
      else {
        this.#socket.cork();
        this.#socket.write(head, "latin1");
        this.#socket.write(body);
        this.#socket.uncork();
      }
    });
  }

  close(): void {
    this.#closed = true;
    this.#socket.end();
  }

  #fail(err: Error): void {
    this.#closed = true;
    const p = this.#pending;
    this.#pending = undefined;
    if (!this.#socket.destroyed) this.#socket.destroy();
    p?.reject(err);
  }

  #feed(chunk: Buffer): void {
    if (this.#pending === undefined) throw new Error("bytes from the server with no request outstanding");
    let data = chunk;
    if (this.#body === undefined) {
      const head = this.#head === undefined ? chunk : Buffer.concat([this.#head, chunk]);
      const end = head.indexOf(HEAD_END);
      if (end < 0) {
        if (head.length > MAX_HEAD_BYTES) throw new Error("response head too long");
        this.#head = head;
        return;
      }
      this.#head = undefined;
      data = head.subarray(end + 4);
      this.#parseHead(head.toString("latin1", 0, end));
      if (this.#status < 200) {
        // An interim answer (100 Continue): the real one follows.
        this.#body = undefined;
        if (data.length > 0) this.#feed(data);
        return;
      }
    }
    this.#feedBody(data);
  }

  #parseHead(text: string): void {
    const lines = text.split("\r\n");
    const status = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? "");
    if (status === null) throw new Error(`not an HTTP/1.x answer: ${JSON.stringify((lines[0] ?? "").slice(0, 80))}`);
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(":");
      if (colon <= 0) throw new Error(`bad header line ${JSON.stringify(line.slice(0, 80))}`);
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    this.#status = Number(status[2]);
    this.#headers = headers;
    const connection = (headers["connection"] ?? "").toLowerCase();
    this.#closeAfter = connection.includes("close") || (status[1] === "0" && !connection.includes("keep-alive"));
    const te = headers["transfer-encoding"];
    const length = headers["content-length"];
    if (this.#status === 204 || this.#status === 304 || this.#status < 200) this.#body = { kind: "length", left: 0 };
    else if (te !== undefined && te.toLowerCase() !== "identity") {
      if (!/(^|,)\s*chunked\s*$/i.test(te)) throw new Error(`unsupported transfer-encoding ${te}`);
      this.#body = { kind: "chunked", left: -1, trailers: false };
    } else if (length !== undefined) {
      if (!/^\d+$/.test(length)) throw new Error(`bad content-length ${length}`);
      this.#body = { kind: "length", left: Number(length) };
    } else this.#body = { kind: "close" };
    this.#parts = [];
  }

  #feedBody(data: Buffer): void {
    const body = this.#body!;
    if (body.kind === "close") {
      if (data.length > 0) this.#parts.push(data);
    } else if (body.kind === "length") {
      if (data.length > body.left) throw new Error("more bytes than the answer's content-length");
      if (data.length > 0) this.#parts.push(data);
      body.left -= data.length;
      if (body.left === 0) this.#complete();
    } else this.#feedChunked(body, data);
  }

  /** Chunked coding (RFC 9112 section 7.1): size line, data, CRLF, ..., a 0-size chunk, trailers, an empty line. */
  #feedChunked(body: { left: number; trailers: boolean }, input: Buffer): void {
    let data = this.#carry === undefined ? input : Buffer.concat([this.#carry, input]);
    this.#carry = undefined;
    for (;;) {
      if (body.trailers) {
        // After the last chunk: trailer lines until an empty one.
        const eol = data.indexOf(CRLF);
        if (eol < 0) break;
        data = data.subarray(eol + 2);
        if (eol === 0) {
          if (data.length > 0) throw new Error("bytes after the chunked answer");
          this.#complete();
          return;
        }
        continue;
      }
      if (body.left > 0) {
        const take = Math.min(body.left, data.length);
        if (take === 0) break;
        this.#parts.push(data.subarray(0, take));
        data = data.subarray(take);
        body.left -= take;
        if (body.left === 0) body.left = -2; // the CRLF after the data
        continue;
      }
      if (body.left === -2) {
        if (data.length < 2) break;
        if (data[0] !== 13 || data[1] !== 10) throw new Error("chunk data not followed by CRLF");
        data = data.subarray(2);
        body.left = -1;
        continue;
      }
      const eol = data.indexOf(CRLF);
      if (eol < 0) break;
      const size = /^([0-9a-fA-F]+)(?:[ \t]*;.*)?$/.exec(data.toString("latin1", 0, eol));
      if (size === null) throw new Error("bad chunk size line");
      data = data.subarray(eol + 2);
      const n = parseInt(size[1]!, 16);
      if (n === 0) body.trailers = true;
      else body.left = n;
    }
    if (data.length > 0) this.#carry = Buffer.from(data);
  }

  #complete(): void {
    const p = this.#pending!;
    const parts = this.#parts;
    const res: WholeResponse = { status: this.#status, headers: this.#headers, body: parts.length === 1 ? parts[0]! : Buffer.concat(parts) };
    this.#pending = undefined;
    this.#body = undefined;
    this.#parts = [];
    if (this.#closeAfter) this.close();
    p.resolve(res);
  }
}

/**
 * Up to `size` keep-alive connections to one origin, each with one request at a time; requests
 * beyond that wait their turn in order. Made for many small whole-body calls (Kinesis JSON).
 */
export class KeepAlivePool {
  readonly #host: string;
  readonly #port: number;
  readonly #size: number;
  readonly #idle: KeepAliveConnection[] = [];
  readonly #all = new Set<KeepAliveConnection>();
  readonly #queue: Array<(c: KeepAliveConnection) => void> = [];
  #closed = false;

  constructor(origin: string, size: number) {
    const url = new URL(origin);
    if (url.protocol !== "http:") throw new Error(`only http: origins, not ${url.protocol}`);
    this.#host = url.hostname;
    this.#port = Number(url.port || 80);
    this.#size = size;
  }

  /** Sends one request (`head` ends with the empty line); resolves to the whole answer. */
  async request(head: string, body: string | Buffer | undefined): Promise<WholeResponse> {
    if (this.#closed) throw new Error("pool closed");
    const conn = await this.#take();
    try {
      return await conn.send(head, body);
    } finally {
      this.#give(conn);
    }
  }

  /** Closes every connection (idle ones at once, busy ones as their answer completes). */
  close(): Promise<void> {
    this.#closed = true;
    for (const c of this.#idle.splice(0)) c.close();
    return Promise.resolve();
  }

  #take(): Promise<KeepAliveConnection> {
    for (;;) {
      const c = this.#idle.pop();
      if (c === undefined) break;
      if (c.usable) return Promise.resolve(c);
    }
    if (this.#all.size < this.#size) {
      const c = new KeepAliveConnection(this.#host, this.#port, (gone) => this.#all.delete(gone));
      this.#all.add(c);
      return Promise.resolve(c);
    }
    return new Promise((resolve) => this.#queue.push(resolve));
  }

  #give(conn: KeepAliveConnection): void {
    if (!conn.usable) {
      this.#all.delete(conn);
      // A waiter takes a fresh connection in the freed slot.
      const next = this.#queue.shift();
      if (next !== undefined) void this.#take().then(next);
      return;
    }
    if (this.#closed) {
      conn.close();
      return;
    }
    const next = this.#queue.shift();
    if (next !== undefined) next(conn);
    else this.#idle.push(conn);
  }
}
