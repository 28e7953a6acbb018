/** A frame or file of a shard log failed its checks (bad checksum, wrong seq, impossible length). */
export class ShardLogCorruptError extends Error {
  override readonly name = "ShardLogCorruptError";
  /** File that holds the damage. */
  readonly path: string;
  /** Byte offset of the damaged frame in `path`. */
  readonly offset: number;
  constructor(message: string, path: string, offset: number) {
    super(`${message} (${path} at byte ${offset})`);
    this.path = path;
    this.offset = offset;
  }
}

/** The log (or its store) was closed, or a write failed and the log must be reopened. */
export class ShardLogClosedError extends Error {
  override readonly name = "ShardLogClosedError";
}
