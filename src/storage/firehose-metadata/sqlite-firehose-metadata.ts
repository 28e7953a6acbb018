import { openDatabase, type SqliteDatabase } from "../sqlite/database.js";
import {
  FirehoseMetadataConflictError,
  type DeliveryRow,
  type DeliveryStreamPatch,
  type DeliveryStreamRow,
  type FirehoseMetadataStore,
  type LaneRow,
  type NewDelivery,
} from "./firehose-metadata-store.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS firehose_streams (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  status_until INTEGER,
  version_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  source TEXT,
  destination TEXT NOT NULL,
  UNIQUE (account_id, name)
);
CREATE TABLE IF NOT EXISTS firehose_tags (
  stream_id TEXT NOT NULL REFERENCES firehose_streams(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (stream_id, key)
);
CREATE TABLE IF NOT EXISTS firehose_lanes (
  stream_id TEXT NOT NULL REFERENCES firehose_streams(id) ON DELETE CASCADE,
  lane TEXT NOT NULL,
  checkpoint TEXT NOT NULL,
  done TEXT NOT NULL,
  PRIMARY KEY (stream_id, lane)
);
CREATE TABLE IF NOT EXISTS firehose_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id TEXT NOT NULL REFERENCES firehose_streams(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  body BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  not_before INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0
);
`;

interface StreamDbRow {
  id: string;
  account_id: string;
  name: string;
  type: string;
  status: string;
  status_until: number | null;
  version_id: number;
  created_at: number;
  updated_at: number;
  source: string | null;
  destination: string;
}

interface DeliveryDbRow {
  id: number;
  stream_id: string;
  kind: string;
  target: string;
  body: Buffer;
  created_at: number;
  not_before: number;
  attempts: number;
}

function toStream(r: StreamDbRow): DeliveryStreamRow {
  return {
    id: r.id,
    accountId: r.account_id,
    name: r.name,
    type: r.type as DeliveryStreamRow["type"],
    status: r.status as DeliveryStreamRow["status"],
    statusUntil: r.status_until,
    versionId: r.version_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    source: r.source,
    destination: r.destination,
  };
}

function toDelivery(r: DeliveryDbRow): DeliveryRow {
  return {
    id: r.id,
    streamId: r.stream_id,
    kind: r.kind,
    target: r.target,
    body: new Uint8Array(r.body.buffer, r.body.byteOffset, r.body.byteLength),
    createdAt: r.created_at,
    notBefore: r.not_before,
    attempts: r.attempts,
  };
}

const COLUMNS: Record<keyof DeliveryStreamPatch, string> = {
  status: "status",
  statusUntil: "status_until",
  versionId: "version_id",
  updatedAt: "updated_at",
  destination: "destination",
};

/** The embedded store: one SQLite database (WAL, synchronous=FULL, so every call is durable when it returns). */
export function createSqliteFirehoseMetadataStore(path: string): FirehoseMetadataStore {
  const db: SqliteDatabase = openDatabase(path);
  db.exec(SCHEMA);
  const q = {
    insertStream: db.prepare(
      `INSERT INTO firehose_streams (id, account_id, name, type, status, status_until, version_id, created_at, updated_at, source, destination)
       VALUES (@id, @account_id, @name, @type, @status, @status_until, @version_id, @created_at, @updated_at, @source, @destination)`,
    ),
    getStream: db.prepare("SELECT * FROM firehose_streams WHERE account_id = ? AND name = ?"),
    listAccount: db.prepare("SELECT * FROM firehose_streams WHERE account_id = ? ORDER BY name"),
    listAll: db.prepare("SELECT * FROM firehose_streams ORDER BY account_id, name"),
    deleteStream: db.prepare("DELETE FROM firehose_streams WHERE id = ?"),
    getTags: db.prepare("SELECT key, value FROM firehose_tags WHERE stream_id = ? ORDER BY key"),
    putTag: db.prepare("INSERT INTO firehose_tags (stream_id, key, value) VALUES (?, ?, ?) ON CONFLICT (stream_id, key) DO UPDATE SET value = excluded.value"),
    removeTag: db.prepare("DELETE FROM firehose_tags WHERE stream_id = ? AND key = ?"),
    getLanes: db.prepare("SELECT lane, checkpoint, done FROM firehose_lanes WHERE stream_id = ? ORDER BY lane"),
    putLane: db.prepare(
      "INSERT INTO firehose_lanes (stream_id, lane, checkpoint, done) VALUES (?, ?, ?, ?) ON CONFLICT (stream_id, lane) DO UPDATE SET checkpoint = excluded.checkpoint, done = excluded.done",
    ),
    insertDelivery: db.prepare("INSERT INTO firehose_deliveries (stream_id, kind, target, body, created_at, not_before) VALUES (?, ?, ?, ?, ?, ?)"),
    listDeliveries: db.prepare("SELECT * FROM firehose_deliveries WHERE stream_id = ? ORDER BY id"),
    streamOfDelivery: db.prepare("SELECT stream_id FROM firehose_deliveries WHERE id = ?"),
    deferDelivery: db.prepare("UPDATE firehose_deliveries SET attempts = attempts + 1, not_before = ? WHERE id = ?"),
    deleteDelivery: db.prepare("DELETE FROM firehose_deliveries WHERE id = ?"),
  };

  const insertDeliveries = (streamId: string, deliveries: readonly NewDelivery[], now: number): number[] =>
    deliveries.map((d) => Number(q.insertDelivery.run(streamId, d.kind, d.target, Buffer.from(d.body.buffer, d.body.byteOffset, d.body.byteLength), now, d.notBefore).lastInsertRowid));

  return {
    createStream: db.transaction((row: DeliveryStreamRow, tags: Readonly<Record<string, string>>) => {
      try {
        q.insertStream.run({
          id: row.id,
          account_id: row.accountId,
          name: row.name,
          type: row.type,
          status: row.status,
          status_until: row.statusUntil,
          version_id: row.versionId,
          created_at: row.createdAt,
          updated_at: row.updatedAt,
          source: row.source,
          destination: row.destination,
        });
      } catch (err) {
        if ((err as { code?: string }).code?.startsWith("SQLITE_CONSTRAINT") === true) throw new FirehoseMetadataConflictError(row.name);
        throw err;
      }
      for (const [k, v] of Object.entries(tags)) q.putTag.run(row.id, k, v);
    }),
    getStream(accountId, name) {
      const r = q.getStream.get(accountId, name) as StreamDbRow | undefined;
      return r === undefined ? undefined : toStream(r);
    },
    listStreams(accountId) {
      const rows = (accountId === undefined ? q.listAll.all() : q.listAccount.all(accountId)) as StreamDbRow[];
      return rows.map(toStream);
    },
    updateStream(id, patch) {
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const [k, v] of Object.entries(patch)) {
        const col = COLUMNS[k as keyof DeliveryStreamPatch];
        if (col === undefined || v === undefined) continue;
        sets.push(`${col} = ?`);
        values.push(v);
      }
      if (sets.length === 0) return;
      db.prepare(`UPDATE firehose_streams SET ${sets.join(", ")} WHERE id = ?`).run(...values, id);
    },
    deleteStream(id) {
      q.deleteStream.run(id);
    },
    getTags(id) {
      const out: Record<string, string> = {};
      for (const r of q.getTags.all(id) as { key: string; value: string }[]) out[r.key] = r.value;
      return out;
    },
    putTags: db.transaction((id: string, tags: Readonly<Record<string, string>>) => {
      for (const [k, v] of Object.entries(tags)) q.putTag.run(id, k, v);
    }),
    removeTags: db.transaction((id: string, keys: readonly string[]) => {
      for (const k of keys) q.removeTag.run(id, k);
    }),
    getLanes(streamId) {
      return (q.getLanes.all(streamId) as { lane: string; checkpoint: string; done: string }[]).map((r) => ({
        lane: r.lane,
        checkpoint: BigInt(r.checkpoint),
        done: (JSON.parse(r.done) as [string, string][]).map(([a, b]) => [BigInt(a), BigInt(b)] as const),
      }));
    },
    stage: db.transaction((streamId: string, deliveries: readonly NewDelivery[], lanes: readonly LaneRow[], now: number) => {
      for (const l of lanes) q.putLane.run(streamId, l.lane, l.checkpoint.toString(), JSON.stringify(l.done.map(([a, b]) => [a.toString(), b.toString()])));
      return insertDeliveries(streamId, deliveries, now);
    }),
    listDeliveries(streamId) {
      return (q.listDeliveries.all(streamId) as DeliveryDbRow[]).map(toDelivery);
    },
    deferDelivery(id, notBefore) {
      q.deferDelivery.run(notBefore, id);
    },
    completeDelivery: db.transaction((id: number, followUps: readonly NewDelivery[], now: number) => {
      const r = q.streamOfDelivery.get(id) as { stream_id: string } | undefined;
      q.deleteDelivery.run(id);
      if (r !== undefined) insertDeliveries(r.stream_id, followUps, now);
    }),
    close() {
      db.close();
    },
  };
}
