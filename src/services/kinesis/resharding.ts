import type { ShardRow, StreamPatch, StreamRow } from "../../storage/kinesis-metadata/kinesis-metadata-store.js";
import { KinesisError } from "./errors.js";
import { HASH_KEY_SPACE } from "./hash-key.js";
import { shardIdOf } from "./names.js";
import type { KinesisState } from "./state.js";

/** A child shard to create: its range and parents. */
export interface ChildSpec {
  readonly start: bigint;
  readonly end: bigint;
  readonly parent: string;
  readonly adjacentParent?: string;
  /** Set for the short-lived shards of a rescale, created and closed at once (they never hold records). */
  readonly closedAtOnce?: boolean;
  /** Names this child so later specs can use it as a parent (before it has a shard id). */
  readonly ref?: string;
}

/**
 * Closes `parents` and creates `children` in one metadata transaction. Each parent's reads end
 * where its log ends at this instant: the parents' logs are opened first, then the end positions
 * are read and the change written without yielding, so no append can slip in between (appends
 * take their seqs synchronously and route by a fresh read of the shards).
 *
 * Children get a creation time in a later second than any parent, so their sequence numbers sort
 * after the parents'.
 */
export async function applyReshard(
  state: KinesisState,
  stream: StreamRow,
  parents: readonly ShardRow[],
  children: readonly ChildSpec[],
  streamPatch: StreamPatch,
): Promise<ShardRow[]> {
  await Promise.all(parents.map((p) => state.log(stream, p)));
  const now = state.now();
  const latestParentSecs = Math.max(...parents.map((p) => Math.floor(p.createdAt / 1000)));
  const createdAt = Math.max(now, (latestParentSecs + 1) * 1000);
  const fresh = state.requireStream(stream.name);
  const freshShards = state.shards(fresh);
  const stillOpen = parents.every((p) => freshShards.some((s) => s.shardId === p.shardId && s.closedAt === null));
  if (fresh.id !== stream.id || fresh.status !== "ACTIVE" || !stillOpen) {
    // Another reshard won the race while the parents' logs were opening.
    throw new KinesisError("ResourceInUseException", `Stream ${stream.name} under account ${state.accountId} not ACTIVE, instead in state ${fresh.status}`);
  }
  let next = fresh.nextShardIndex;
  const refs = new Map<string, string>();
  const added: ShardRow[] = children.map((c) => {
    const index = next++;
    const shardId = shardIdOf(index);
    if (c.ref !== undefined) refs.set(c.ref, shardId);
    return {
      streamId: stream.id,
      shardId,
      index,
      parentShardId: refs.get(c.parent) ?? c.parent,
      adjacentParentShardId: c.adjacentParent === undefined ? null : (refs.get(c.adjacentParent) ?? c.adjacentParent),
      startingHashKey: c.start,
      endingHashKey: c.end,
      createdAt,
      closedAt: c.closedAtOnce === true ? createdAt : null,
      endSeq: c.closedAtOnce === true ? 0n : null,
    };
  });
  const close = parents.map((p) => {
    const log = state.openLog(stream, p);
    if (log === undefined) throw new Error(`shard log of ${p.shardId} is not open`);
    return { shardId: p.shardId, closedAt: now, endSeq: log.nextSeq() };
  });
  state.meta.reshard(stream.id, { close, add: added, stream: { ...streamPatch, nextShardIndex: next } });
  return added;
}

/**
 * Plans UNIFORM_SCALING to `target` shards the way the service does it, with splits and then
 * merges (UpdateShardCount docs: "performs splits or merges on individual shards. This can cause
 * short-lived shards to be created"), so every new shard has at most two parents and a reader
 * that follows parents before children still sees each partition key in order.
 */
export function planUniformScaling(open: readonly ShardRow[], target: number): { parents: ShardRow[]; children: ChildSpec[] } {
  const width = HASH_KEY_SPACE / BigInt(target);
  const bounds: bigint[] = [];
  for (let i = 1; i < target; i++) bounds.push(width * BigInt(i));
  const targetOf = (key: bigint): number => {
    let i = 0;
    while (i < bounds.length && key >= bounds[i]!) i++;
    return i;
  };

  interface Piece {
    id: string; // shard id or ref
    start: bigint;
    end: bigint;
    original?: ShardRow;
  }
  const children: ChildSpec[] = [];
  const consumed = new Set<string>();
  const pieces: Piece[] = [];
  let refCounter = 0;
  const newRef = (): string => `new-${refCounter++}`;

  // 1. Split every open shard at each target boundary inside it.
  for (const shard of [...open].sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : 1))) {
    let current: Piece = { id: shard.shardId, start: shard.startingHashKey, end: shard.endingHashKey, original: shard };
    for (const b of bounds) {
      if (b <= current.start || b > current.end) continue;
      const left = { id: newRef(), start: current.start, end: b - 1n };
      const right = { id: newRef(), start: b, end: current.end };
      if (current.original !== undefined) consumed.add(current.id);
      else markClosed(children, current.id);
      children.push({ start: left.start, end: left.end, parent: current.id, ref: left.id });
      children.push({ start: right.start, end: right.end, parent: current.id, ref: right.id });
      pieces.push(left);
      current = right;
    }
    pieces.push(current);
  }
  // 2. Merge the pieces of each target range, left to right.
  const byTarget = new Map<number, Piece[]>();
  for (const p of pieces) {
    const t = targetOf(p.start);
    byTarget.set(t, [...(byTarget.get(t) ?? []), p]);
  }
  for (const group of byTarget.values()) {
    let acc = group[0]!;
    for (const next of group.slice(1)) {
      for (const p of [acc, next]) {
        if (p.original !== undefined) consumed.add(p.id);
        else markClosed(children, p.id);
      }
      const merged = { id: newRef(), start: acc.start, end: next.end };
      children.push({ start: merged.start, end: merged.end, parent: acc.id, adjacentParent: next.id, ref: merged.id });
      acc = merged;
    }
  }
  return { parents: open.filter((s) => consumed.has(s.shardId)), children };
}

function markClosed(children: ChildSpec[], ref: string): void {
  const i = children.findIndex((c) => c.ref === ref);
  if (i !== -1) children[i] = { ...children[i]!, closedAtOnce: true };
}
