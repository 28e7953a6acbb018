// `node dist/bench/tools/seed-listing.js <s3.db> <bucket> <template-key> <first> <count>`
// Seeds the listing bucket of a running Streamlake through its storage layer: key `i` for i in
// [first, first + count) becomes a copy of the template key's stored version (an object the server
// wrote for a real PutObject), with its own key and Last-Modified, written by the same
// ObjectStore.putVersion that PutObject commits through (group commit, one fsync per batch). It
// skips only the HTTP request, auth and body ingest of each PUT, so the million-key bucket fits
// in the run. SQLite in WAL mode lets this process write while the server has the file open; the
// server caches only bucket rows and versions it has read, and the seeded keys did not exist
// before (nor is the bucket row written), so nothing it holds in memory goes stale.
import { performance } from "node:perf_hooks";
import { createSqliteObjectStore } from "../../src/storage/objects/sqlite-object-store.js";
import { listingKey } from "../workloads/listing-keys.js";

/** Versions per group-commit batch: one transaction and one fsync each. */
const BATCH = 2_000;

async function main(): Promise<void> {
  const [dbPath, bucket, templateKey, firstArg, countArg] = process.argv.slice(2);
  if (dbPath === undefined || bucket === undefined || templateKey === undefined || firstArg === undefined || countArg === undefined) {
    throw new Error("usage: seed-listing <s3.db> <bucket> <template-key> <first> <count>");
  }
  const first = Number(firstArg);
  const count = Number(countArg);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || first < 0 || count < 0) throw new Error("first and count must be whole numbers");
  const store = createSqliteObjectStore(dbPath);
  try {
    const record = store.getBucket(bucket);
    if (record === undefined) throw new Error(`no bucket ${bucket} in ${dbPath}`);
    // Copies share the template's version id ("null") and bytes: only right for empty, inline
    // objects in an unversioned bucket (a shared blob id would be released by the first delete).
    if (record.versioning !== "Unversioned") throw new Error(`bucket ${bucket} is versioned (${record.versioning})`);
    const template = store.getVersion(bucket, templateKey);
    if (template === undefined) throw new Error(`no object ${templateKey} in ${bucket}`);
    if (template.versionId !== "null" || template.size !== 0 || template.data.kind === "blob" || template.data.kind === "parts") {
      throw new Error(`template ${templateKey} is not an empty inline object`);
    }
    // SIGTERM (the bench's time cap) stops after the batch being committed: the keys seeded are
    // always a run of whole batches from `first`, and the count printed is exact.
    let stopping = false;
    process.once("SIGTERM", () => void (stopping = true));
    const t0 = performance.now();
    const end = first + count;
    // Each key its own Last-Modified, one ms apart in key order and ending now, as keys PUT one
    // after another would have (never a run of equal times a listing could format once).
    const last = Date.now();
    let i = first;
    while (i < end && !stopping) {
      const stop = Math.min(end, i + BATCH);
      const writes: Array<Promise<unknown>> = [];
      for (; i < stop; i++) writes.push(store.putVersion({ ...template, key: listingKey(i), lastModified: last - (end - 1 - i) }));
      await Promise.all(writes);
    }
    const seconds = (performance.now() - t0) / 1000;
    process.stdout.write(`${JSON.stringify({ seeded: i - first, seconds })}\n`);
  } finally {
    await store.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`seed-listing failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
