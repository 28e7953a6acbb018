import {
  KinesisMetadataConflictError,
  type ConsumerRow,
  type KinesisMetadataStore,
  type ReshardChange,
  type ShardRow,
  type StreamPatch,
  type StreamRow,
} from "./kinesis-metadata-store.js";

/** An in-memory KinesisMetadataStore for unit tests (same semantics as the SQLite one). */
export function createMemoryKinesisMetadataStore(): KinesisMetadataStore {
  const streams = new Map<string, StreamRow>(); // by id
  const shards = new Map<string, ShardRow[]>(); // by stream id
  const consumers = new Map<string, ConsumerRow>(); // by arn
  const tags = new Map<string, Map<string, string>>();

  const byName = (name: string): StreamRow | undefined => [...streams.values()].find((s) => s.name === name);
  const copy = <T extends object>(o: T): T => ({ ...o });

  return {
    createStream(stream, first, initialTags) {
      if (byName(stream.name) !== undefined) throw new KinesisMetadataConflictError(`stream ${stream.name} exists`);
      streams.set(stream.id, copy(stream));
      shards.set(stream.id, first.map(copy));
      if (Object.keys(initialTags).length > 0) tags.set(stream.id, new Map(Object.entries(initialTags)));
    },
    getStream(name) {
      const s = byName(name);
      return s && copy(s);
    },
    listStreams() {
      return [...streams.values()].map(copy).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    updateStream(id: string, patch: StreamPatch) {
      const s = streams.get(id);
      if (s !== undefined) streams.set(id, { ...s, ...patch });
    },
    deleteStream(id) {
      streams.delete(id);
      shards.delete(id);
      tags.delete(id);
      for (const [arn, c] of consumers) {
        if (c.streamId === id) {
          consumers.delete(arn);
          tags.delete(arn);
        }
      }
    },
    listShards(streamId) {
      return (shards.get(streamId) ?? []).map(copy).sort((a, b) => a.index - b.index);
    },
    reshard(streamId: string, change: ReshardChange) {
      const list = shards.get(streamId);
      const s = streams.get(streamId);
      if (list === undefined || s === undefined) return;
      const next = list.map((sh) => {
        const c = change.close.find((x) => x.shardId === sh.shardId);
        return c ? { ...sh, closedAt: c.closedAt, endSeq: c.endSeq } : sh;
      });
      next.push(...change.add.map(copy));
      shards.set(streamId, next);
      streams.set(streamId, { ...s, ...change.stream });
    },
    removeShards(streamId, shardIds) {
      const list = shards.get(streamId);
      if (list !== undefined) shards.set(streamId, list.filter((s) => !shardIds.includes(s.shardId)));
    },
    getTags(resource) {
      const m = tags.get(resource);
      if (m === undefined) return {};
      return Object.fromEntries([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    },
    putTags(resource, add) {
      const m = tags.get(resource) ?? new Map<string, string>();
      for (const [k, v] of Object.entries(add)) m.set(k, v);
      tags.set(resource, m);
    },
    removeTags(resource, keys) {
      const m = tags.get(resource);
      if (m !== undefined) for (const k of keys) m.delete(k);
    },
    createConsumer(consumer) {
      for (const c of consumers.values()) {
        if (c.streamId === consumer.streamId && c.name === consumer.name) {
          throw new KinesisMetadataConflictError(`consumer ${consumer.name} exists`);
        }
      }
      consumers.set(consumer.arn, copy(consumer));
    },
    getConsumer(streamId, name) {
      for (const c of consumers.values()) if (c.streamId === streamId && c.name === name) return copy(c);
      return undefined;
    },
    getConsumerByArn(arn) {
      const c = consumers.get(arn);
      return c && copy(c);
    },
    listConsumers(streamId) {
      return [...consumers.values()]
        .filter((c) => c.streamId === streamId)
        .map(copy)
        .sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    updateConsumer(streamId, name, patch) {
      for (const [arn, c] of consumers) if (c.streamId === streamId && c.name === name) consumers.set(arn, { ...c, ...patch });
    },
    deleteConsumer(streamId, name) {
      for (const [arn, c] of consumers) {
        if (c.streamId === streamId && c.name === name) {
          consumers.delete(arn);
          tags.delete(arn);
        }
      }
    },
    close() {},
  };
}
