import type { StoredVersion } from "./object-store.js";

// A key with a surrogate or U+FFFD may share its UTF-8 bytes (the stored key) with another
// string; every other string is the only one with its bytes, so a write names its entry exactly.
const AMBIGUOUS = /[\uD800-\uDFFF\uFFFD]/;

/** Bytes an entry is counted for beyond its inline data. */
const ENTRY_OVERHEAD = 512;

/**
 * The latest version of recently read keys, as committed in the database: a small-object GET
 * then costs a map lookup instead of an index search, a row decode and an overflow page read.
 * The owning store fills it only from reads outside a transaction and drops a key's entry on
 * every write to that key, before the write runs, so an entry never differs from the database
 * (a write rolled back only costs a miss). Entries are frozen: readers share them. Bounded by
 * entries and bytes; the oldest entry goes first.
 */
export class LatestVersionCache {
  readonly #entries = new Map<string, StoredVersion>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxEntries: number, maxBytes: number) {
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
  }

  /** The cached latest version of `key`, if any. */
  get(bucket: string, key: string): StoredVersion | undefined {
    return this.#entries.size === 0 ? undefined : this.#entries.get(`${bucket}/${key}`);
  }

  /** Remembers `v` as the latest version of its key (unless its key cannot be cached). Returns it frozen. */
  set(v: StoredVersion): StoredVersion {
    if (AMBIGUOUS.test(v.key)) return v;
    const size = sizeOf(v);
    if (size > this.#maxBytes) return v;
    const id = `${v.bucket}/${v.key}`;
    this.#remove(id);
    while (this.#entries.size > 0 && (this.#entries.size >= this.#maxEntries || this.#bytes + size > this.#maxBytes)) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#remove(oldest.value);
    }
    const frozen = freezeVersion(v);
    this.#entries.set(id, frozen);
    this.#bytes += size;
    return frozen;
  }

  /** Forgets `key` of `bucket`; called before any write to it. */
  drop(bucket: string, key: string): void {
    if (this.#entries.size > 0) this.#remove(`${bucket}/${key}`);
  }

  #remove(id: string): void {
    const old = this.#entries.get(id);
    if (old === undefined) return;
    this.#entries.delete(id);
    this.#bytes -= sizeOf(old);
  }
}

function sizeOf(v: StoredVersion): number {
  return ENTRY_OVERHEAD + (v.data.kind === "inline" ? v.data.bytes.byteLength : 0);
}

function freezeVersion(v: StoredVersion): StoredVersion {
  Object.freeze(v.headers);
  Object.freeze(v.userMetadata);
  for (const tag of v.tags) Object.freeze(tag);
  Object.freeze(v.tags);
  if (v.checksum !== undefined) Object.freeze(v.checksum);
  if (v.data.kind === "parts") {
    for (const part of v.data.parts) Object.freeze(part);
    Object.freeze(v.data.parts);
  }
  Object.freeze(v.data);
  return Object.freeze(v);
}
