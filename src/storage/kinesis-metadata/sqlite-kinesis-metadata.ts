import { openDatabase, type SqliteDatabase } from "../sqlite/database.js";
import {
  KinesisMetadataConflictError,
  type ConsumerRow,
  type KinesisMetadataStore,
  type ShardRow,
  type StreamPatch,
  type StreamRow,
} from "./kinesis-metadata-store.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kinesis_streams (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,
  status_until INTEGER,
  mode TEXT NOT NULL,
  retention_hours INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  encryption_type TEXT NOT NULL,
  key_id TEXT,
  metrics TEXT NOT NULL,
  max_record_kib INTEGER NOT NULL,
  next_shard_index INTEGER NOT NULL,
  scaling_history TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS kinesis_shards (
  stream_id TEXT NOT NULL REFERENCES kinesis_streams(id) ON DELETE CASCADE,
  shard_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  parent TEXT,
  adjacent_parent TEXT,
  start_hash TEXT NOT NULL,
  end_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  closed_at INTEGER,
  end_seq TEXT,
  PRIMARY KEY (stream_id, shard_id)
);
CREATE TABLE IF NOT EXISTS kinesis_consumers (
  stream_id TEXT NOT NULL REFERENCES kinesis_streams(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  arn TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  status_until INTEGER,
  PRIMARY KEY (stream_id, name)
);
CREATE TABLE IF NOT EXISTS kinesis_tags (
  resource TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (resource, key)
);
`;

interface StreamDbRow {
  id: string;
  name: string;
  status: string;
  status_until: number | null;
  mode: string;
  retention_hours: number;
  created_at: number;
  encryption_type: string;
  key_id: string | null;
  metrics: string;
  max_record_kib: number;
  next_shard_index: number;
  scaling_history: string;
}

interface ShardDbRow {
  stream_id: string;
  shard_id: string;
  idx: number;
  parent: string | null;
  adjacent_parent: string | null;
  start_hash: string;
  end_hash: string;
  created_at: number;
  closed_at: number | null;
  end_seq: string | null;
}

interface ConsumerDbRow {
  stream_id: string;
  name: string;
  arn: string;
  created_at: number;
  status: string;
  status_until: number | null;
}

function toStream(r: StreamDbRow): StreamRow {
  return {
    id: r.id,
    name: r.name,
    status: r.status as StreamRow["status"],
    statusUntil: r.status_until,
    mode: r.mode as StreamRow["mode"],
    retentionHours: r.retention_hours,
    createdAt: r.created_at,
    encryptionType: r.encryption_type as StreamRow["encryptionType"],
    keyId: r.key_id,
    shardLevelMetrics: JSON.parse(r.metrics) as string[],
    maxRecordSizeKiB: r.max_record_kib,
    nextShardIndex: r.next_shard_index,
    scalingHistory: JSON.parse(r.scaling_history) as number[],
  };
}

function fromStream(s: StreamRow): StreamDbRow {
  return {
    id: s.id,
    name: s.name,
    status: s.status,
    status_until: s.statusUntil,
    mode: s.mode,
    retention_hours: s.retentionHours,
    created_at: s.createdAt,
    encryption_type: s.encryptionType,
    key_id: s.keyId,
    metrics: JSON.stringify(s.shardLevelMetrics),
    max_record_kib: s.maxRecordSizeKiB,
    next_shard_index: s.nextShardIndex,
    scaling_history: JSON.stringify(s.scalingHistory),
  };
}

function toShard(r: ShardDbRow): ShardRow {
  return {
    streamId: r.stream_id,
    shardId: r.shard_id,
    index: r.idx,
    parentShardId: r.parent,
    adjacentParentShardId: r.adjacent_parent,
    startingHashKey: BigInt(r.start_hash),
    endingHashKey: BigInt(r.end_hash),
    createdAt: r.created_at,
    closedAt: r.closed_at,
    endSeq: r.end_seq === null ? null : BigInt(r.end_seq),
  };
}

function fromShard(s: ShardRow): ShardDbRow {
  return {
    stream_id: s.streamId,
    shard_id: s.shardId,
    idx: s.index,
    parent: s.parentShardId,
    adjacent_parent: s.adjacentParentShardId,
    start_hash: s.startingHashKey.toString(),
    end_hash: s.endingHashKey.toString(),
    created_at: s.createdAt,
    closed_at: s.closedAt,
    end_seq: s.endSeq === null ? null : s.endSeq.toString(),
  };
}

function toConsumer(r: ConsumerDbRow): ConsumerRow {
  return {
    streamId: r.stream_id,
    name: r.name,
    arn: r.arn,
    createdAt: r.created_at,
    status: r.status as ConsumerRow["status"],
    statusUntil: r.status_until,
  };
}

const STREAM_COLUMNS: Record<keyof StreamPatch, keyof StreamDbRow> = {
  status: "status",
  statusUntil: "status_until",
  mode: "mode",
  retentionHours: "retention_hours",
  encryptionType: "encryption_type",
  keyId: "key_id",
  shardLevelMetrics: "metrics",
  maxRecordSizeKiB: "max_record_kib",
  nextShardIndex: "next_shard_index",
  scalingHistory: "scaling_history",
};

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code?.startsWith("SQLITE_CONSTRAINT") === true;
}

/** The embedded KinesisMetadataStore: one SQLite database (WAL, synchronous=FULL). */
export function createSqliteKinesisMetadataStore(path: string): KinesisMetadataStore {
  const db: SqliteDatabase = openDatabase(path);
  db.exec(SCHEMA);

  const insertStream = db.prepare(
    `INSERT INTO kinesis_streams (id, name, status, status_until, mode, retention_hours, created_at, encryption_type, key_id, metrics, max_record_kib, next_shard_index, scaling_history)
     VALUES (@id, @name, @status, @status_until, @mode, @retention_hours, @created_at, @encryption_type, @key_id, @metrics, @max_record_kib, @next_shard_index, @scaling_history)`,
  );
  const selectStream = db.prepare("SELECT * FROM kinesis_streams WHERE name = ?");
  const selectStreams = db.prepare("SELECT * FROM kinesis_streams ORDER BY name");
  const deleteStreamStmt = db.prepare("DELETE FROM kinesis_streams WHERE id = ?");
  const deleteResourceTags = db.prepare("DELETE FROM kinesis_tags WHERE resource = ?");
  const deleteStreamConsumerTags = db.prepare("DELETE FROM kinesis_tags WHERE resource IN (SELECT arn FROM kinesis_consumers WHERE stream_id = ?)");
  const insertShard = db.prepare(
    `INSERT INTO kinesis_shards (stream_id, shard_id, idx, parent, adjacent_parent, start_hash, end_hash, created_at, closed_at, end_seq)
     VALUES (@stream_id, @shard_id, @idx, @parent, @adjacent_parent, @start_hash, @end_hash, @created_at, @closed_at, @end_seq)`,
  );
  const selectShards = db.prepare("SELECT * FROM kinesis_shards WHERE stream_id = ? ORDER BY idx");
  const closeShard = db.prepare("UPDATE kinesis_shards SET closed_at = ?, end_seq = ? WHERE stream_id = ? AND shard_id = ?");
  const deleteShard = db.prepare("DELETE FROM kinesis_shards WHERE stream_id = ? AND shard_id = ?");
  const selectTags = db.prepare("SELECT key, value FROM kinesis_tags WHERE resource = ? ORDER BY key");
  const upsertTag = db.prepare("INSERT INTO kinesis_tags (resource, key, value) VALUES (?, ?, ?) ON CONFLICT (resource, key) DO UPDATE SET value = excluded.value");
  const deleteTag = db.prepare("DELETE FROM kinesis_tags WHERE resource = ? AND key = ?");
  const insertConsumer = db.prepare(
    "INSERT INTO kinesis_consumers (stream_id, name, arn, created_at, status, status_until) VALUES (@stream_id, @name, @arn, @created_at, @status, @status_until)",
  );
  const selectConsumer = db.prepare("SELECT * FROM kinesis_consumers WHERE stream_id = ? AND name = ?");
  const selectConsumerByArn = db.prepare("SELECT * FROM kinesis_consumers WHERE arn = ?");
  const selectConsumers = db.prepare("SELECT * FROM kinesis_consumers WHERE stream_id = ? ORDER BY created_at, name");
  const updateConsumerStmt = db.prepare("UPDATE kinesis_consumers SET status = COALESCE(?, status), status_until = ? WHERE stream_id = ? AND name = ?");
  const deleteConsumerStmt = db.prepare("DELETE FROM kinesis_consumers WHERE stream_id = ? AND name = ?");

  // Every GetRecords and PutRecords reads its stream and shard rows; this process is the
  // database's only writer, so the rows are cached here and the cache is dropped on every write
  // to streams or shards (after the statement, so a rolled-back transaction leaves no stale row).
  const streamCache = new Map<string, StreamRow | undefined>();
  const shardCache = new Map<string, readonly ShardRow[]>();
  const invalidating = <A extends unknown[], R>(write: (...args: A) => R): ((...args: A) => R) => {
    return (...args: A): R => {
      try {
        return write(...args);
      } finally {
        streamCache.clear();
        shardCache.clear();
      }
    };
  };

  const updateStream = (id: string, patch: StreamPatch): void => {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [key, value] of Object.entries(patch) as [keyof StreamPatch, unknown][]) {
      if (value === undefined) continue;
      sets.push(`${STREAM_COLUMNS[key]} = ?`);
      values.push(key === "shardLevelMetrics" || key === "scalingHistory" ? JSON.stringify(value) : value);
    }
    if (sets.length === 0) return;
    db.prepare(`UPDATE kinesis_streams SET ${sets.join(", ")} WHERE id = ?`).run(...values, id);
  };

  const putTags = (resource: string, tags: Readonly<Record<string, string>>): void => {
    for (const [k, v] of Object.entries(tags)) upsertTag.run(resource, k, v);
  };

  return {
    createStream: invalidating(
      db.transaction((stream: StreamRow, shards: readonly ShardRow[], tags: Readonly<Record<string, string>>) => {
        try {
          insertStream.run(fromStream(stream));
        } catch (err) {
          if (isUniqueViolation(err)) throw new KinesisMetadataConflictError(`stream ${stream.name} exists`);
          throw err;
        }
        for (const s of shards) insertShard.run(fromShard(s));
        putTags(stream.id, tags);
      }),
    ),
    getStream(name) {
      if (streamCache.has(name)) return streamCache.get(name);
      const r = selectStream.get(name) as StreamDbRow | undefined;
      const row = r && toStream(r);
      streamCache.set(name, row);
      return row;
    },
    listStreams() {
      return (selectStreams.all() as StreamDbRow[]).map(toStream);
    },
    updateStream: invalidating(updateStream),
    deleteStream: invalidating(
      db.transaction((id: string) => {
        deleteStreamConsumerTags.run(id);
        deleteResourceTags.run(id);
        deleteStreamStmt.run(id);
      }),
    ),
    listShards(streamId) {
      let rows = shardCache.get(streamId);
      if (rows === undefined) {
        rows = (selectShards.all(streamId) as ShardDbRow[]).map(toShard);
        shardCache.set(streamId, rows);
      }
      return rows.slice();
    },
    reshard: invalidating(
      db.transaction((streamId: string, change: Parameters<KinesisMetadataStore["reshard"]>[1]) => {
        for (const c of change.close) closeShard.run(c.closedAt, c.endSeq.toString(), streamId, c.shardId);
        for (const s of change.add) insertShard.run(fromShard(s));
        updateStream(streamId, change.stream);
      }),
    ),
    removeShards: invalidating(
      db.transaction((streamId: string, shardIds: readonly string[]) => {
        for (const id of shardIds) deleteShard.run(streamId, id);
      }),
    ),
    getTags(resource) {
      const out: Record<string, string> = {};
      for (const r of selectTags.all(resource) as { key: string; value: string }[]) out[r.key] = r.value;
      return out;
    },
    putTags: db.transaction(putTags),
    removeTags: db.transaction((resource: string, keys: readonly string[]) => {
      for (const k of keys) deleteTag.run(resource, k);
    }),
    createConsumer(c) {
      try {
        insertConsumer.run({ stream_id: c.streamId, name: c.name, arn: c.arn, created_at: c.createdAt, status: c.status, status_until: c.statusUntil });
      } catch (err) {
        if (isUniqueViolation(err)) throw new KinesisMetadataConflictError(`consumer ${c.name} exists`);
        throw err;
      }
    },
    getConsumer(streamId, name) {
      const r = selectConsumer.get(streamId, name) as ConsumerDbRow | undefined;
      return r && toConsumer(r);
    },
    getConsumerByArn(arn) {
      const r = selectConsumerByArn.get(arn) as ConsumerDbRow | undefined;
      return r && toConsumer(r);
    },
    listConsumers(streamId) {
      return (selectConsumers.all(streamId) as ConsumerDbRow[]).map(toConsumer);
    },
    updateConsumer(streamId, name, patch) {
      const current = selectConsumer.get(streamId, name) as ConsumerDbRow | undefined;
      if (current === undefined) return;
      const until = patch.statusUntil !== undefined ? patch.statusUntil : current.status_until;
      updateConsumerStmt.run(patch.status ?? null, until, streamId, name);
    },
    deleteConsumer: db.transaction((streamId: string, name: string) => {
      const current = selectConsumer.get(streamId, name) as ConsumerDbRow | undefined;
      if (current !== undefined) deleteResourceTags.run(current.arn);
      deleteConsumerStmt.run(streamId, name);
    }),
    close() {
      db.close();
    },
  };
}
