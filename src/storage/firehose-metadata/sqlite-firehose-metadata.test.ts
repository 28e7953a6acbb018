import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { FirehoseMetadataConflictError, type DeliveryStreamRow } from "./firehose-metadata-store.js";
import { createSqliteFirehoseMetadataStore } from "./sqlite-firehose-metadata.js";

const dir = mkdtempSync(join(tmpdir(), "firehose-meta-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const row = (id: string, name: string): DeliveryStreamRow => ({
  id,
  accountId: "000000000000",
  name,
  type: "DirectPut",
  status: "CREATING",
  statusUntil: 10,
  versionId: 1,
  createdAt: 1,
  updatedAt: 1,
  source: null,
  destination: "{}",
});
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

describe("SQLite Firehose metadata store", () => {
  it("keeps streams per account, refuses duplicate names, updates and tags", () => {
    const store = createSqliteFirehoseMetadataStore(join(dir, "a.db"));
    store.createStream(row("s1", "one"), { k: "v" });
    assert.throws(() => store.createStream(row("s2", "one"), {}), FirehoseMetadataConflictError);
    store.createStream({ ...row("s3", "one"), accountId: "111111111111" }, {});
    assert.deepEqual(store.listStreams("000000000000").map((r) => r.id), ["s1"]);
    assert.equal(store.listStreams(undefined).length, 2);
    store.updateStream("s1", { status: "ACTIVE", statusUntil: null, versionId: 2 });
    assert.deepEqual({ ...store.getStream("000000000000", "one") }, { ...row("s1", "one"), status: "ACTIVE", statusUntil: null, versionId: 2 });
    store.putTags("s1", { a: "1" });
    store.removeTags("s1", ["k", "missing"]);
    assert.deepEqual(store.getTags("s1"), { a: "1" });
    store.close();
  });
  it("stages deliveries with lane checkpoints atomically and survives a reopen", () => {
    const path = join(dir, "b.db");
    let store = createSqliteFirehoseMetadataStore(path);
    store.createStream(row("s1", "one"), {});
    const ids = store.stage("s1", [{ kind: "s3", target: '{"key":"k1"}', body: bytes("hello"), notBefore: 5 }], [{ lane: "spool", checkpoint: 7n, done: [[9n, 12n]] }], 4);
    assert.equal(ids.length, 1);
    store.deferDelivery(ids[0]!, 50);
    store.close();
    store = createSqliteFirehoseMetadataStore(path);
    assert.deepEqual(store.getLanes("s1"), [{ lane: "spool", checkpoint: 7n, done: [[9n, 12n]] }]);
    const [d] = store.listDeliveries("s1");
    assert.equal(Buffer.from(d!.body).toString(), "hello");
    assert.equal(d!.attempts, 1);
    assert.equal(d!.notBefore, 50);
    assert.equal(d!.createdAt, 4);
    store.completeDelivery(d!.id, [{ kind: "s3", target: '{"key":"backup"}', body: bytes("b"), notBefore: 60 }], 55);
    assert.deepEqual(store.listDeliveries("s1").map((x) => x.target), ['{"key":"backup"}']);
    store.deleteStream("s1");
    assert.deepEqual(store.listDeliveries("s1"), []);
    assert.deepEqual(store.getLanes("s1"), []);
    store.close();
  });
});
