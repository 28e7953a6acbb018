import type { ObjectStore } from "../../../storage/objects/object-store.js";

// Listing pages read ahead. A client paging through a listing asks for page N+1 only once it has
// read page N, so the server would otherwise sit idle while the client reads, and the client while
// the server reads the next page. After answering a page of a listing being paged through, the next
// page is read (once the answer has gone out) and kept for the request that continues from it.
// It is served only if nothing was written to the store since: the store's changeStamp() (rows
// changed through this connection, commits by any other) is taken before the page is read and must
// be the same when the request comes, so the page holds every write acknowledged before the
// request. Anything else reads the page as usual.

/** Pages kept per store: a few clients paging at once each find theirs. */
const SLOTS = 4;
/** A page nobody asked for is dropped after this long. */
const KEEP_MS = 10_000;

interface Kept {
  readonly stamp: string;
  readonly page: unknown;
  readonly timer: NodeJS.Timeout;
}

const kept = new WeakMap<ObjectStore, Map<string, Kept>>();

/**
 * The page read ahead for `key` (everything that decides a page's entries: bucket, prefix, page
 * size, key encoding, owner, where it starts), if one was and the store is unchanged since; the
 * slot is emptied either way.
 */
export function takeReadAhead<P>(store: ObjectStore, key: string): P | undefined {
  const slots = kept.get(store);
  const entry = slots?.get(key);
  if (slots === undefined || entry === undefined) return undefined;
  slots.delete(key);
  clearTimeout(entry.timer);
  return store.changeStamp !== undefined && store.changeStamp() === entry.stamp ? (entry.page as P) : undefined;
}

/**
 * Reads the page for `key` with `read` once the current event-loop turn is done (after the answer
 * in hand has been written), for takeReadAhead. Only for a store with changeStamp.
 */
export function readAhead<P>(store: ObjectStore, key: string, read: () => P): void {
  if (store.changeStamp === undefined) return;
  setImmediate(() => {
    let stamp: string;
    let page: P;
    try {
      // Taken before the read: a commit by another connection in between makes the page look
      // older than it is (it is then not served), never newer.
      stamp = store.changeStamp!();
      page = read();
    } catch {
      // Only a guess at the next request: a store closed meanwhile, or any other failure, is met
      // again (and answered) when the request itself reads the page.
      return;
    }
    let slots = kept.get(store);
    if (slots === undefined) kept.set(store, (slots = new Map()));
    const old = slots.get(key);
    if (old !== undefined) clearTimeout(old.timer);
    slots.delete(key);
    while (slots.size >= SLOTS) {
      const [oldest, entry] = slots.entries().next().value as [string, Kept];
      clearTimeout(entry.timer);
      slots.delete(oldest);
    }
    const timer = setTimeout(() => {
      if (slots.get(key)?.timer === timer) slots.delete(key);
    }, KEEP_MS);
    timer.unref();
    slots.set(key, { stamp, page, timer });
  });
}
