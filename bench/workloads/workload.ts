import type { Target, TargetKind } from "../targets/targets.js";

/** How big and long the run is: `full` fits the 10-minute budget, `quick` about a minute. */
export interface Scale {
  readonly mode: "full" | "quick";
  /** Rounds per workload (targets interleaved within each round). */
  readonly rounds: number;
  /** Length of one timed closed-loop round, ms. */
  readonly roundMs: number;
  /** Length of the untimed warm-up of a workload that has one (Workload.warmUp), ms. */
  readonly warmUpMs: number;
  /** How many 4 KiB objects the GET workload reads from (stored in preparation). */
  readonly getKeys: number;
  /** Size of the "1 GiB" object, bytes. */
  readonly bigBytes: number;
  /** Prefixes (1,000 keys each) in the listing bucket, per S3 target. */
  readonly listPrefixes: { readonly streamlake: number; readonly s3rver: number };
  /** The ListObjectsV2 workload lists keys under this prefix (p0 -> 100 prefixes = 100,000 keys). */
  readonly listPrefix: string;
  /** Upper bound on the time spent populating one target's listing bucket, ms. */
  readonly populateCapMs: { readonly streamlake: number; readonly s3rver: number };
  /** Wall-clock deadline (epoch ms) of the whole run: no workload starts after it. */
  readonly deadline: number;
}

/** Shared state of one bench run. */
export interface BenchContext {
  readonly scale: Scale;
  readonly targets: ReadonlyMap<TargetKind, Target>;
  /** Progress output (stderr). */
  log(message: string): void;
  /** Per-target memo for expensive preparation shared by workloads (e.g. populated buckets). */
  readonly memo: Map<string, unknown>;
  /** The current workload's share of the time left (epoch ms): no round starts after it. */
  workloadDeadline: number;
  /** Targets that failed to start, with the reason. */
  readonly startErrors: ReadonlyMap<TargetKind, string>;
}

/** One line of the report. */
export interface RowSpec {
  /** Stable id within the workload. */
  readonly key: string;
  readonly title: string;
  readonly unit: string;
  readonly better: "higher" | "lower";
}

/** A figure one round produced. */
export interface Measured {
  readonly value: number;
  /** Requests the server served to produce it (for CPU per request). */
  readonly requests?: number;
  /** Secondary figures (latency percentiles, client CPU) kept in the JSON. */
  readonly extra?: Readonly<Record<string, number>>;
}

/** Handed to a round: records figures, timing the server's CPU around them. */
export interface Meter {
  /** Runs `fn` and records its figure for row `key`, with the server CPU it used. */
  record(key: string, fn: () => Promise<Measured>): Promise<Measured>;
  /** Records a figure measured some other way (no CPU attribution). */
  set(key: string, measured: Measured): void;
  /** Adds a note shown under the table for this target and workload. */
  note(text: string): void;
}

/** A benchmark: rows it reports, targets it runs against, preparation and one round. */
export interface Workload {
  /** Name used by --only. */
  readonly name: string;
  readonly targets: readonly TargetKind[];
  readonly rows: readonly RowSpec[];
  /** Its expected share of a full run, in seconds; each workload gets time in proportion. */
  readonly weight: number;
  /** Override of the scale's round count. */
  readonly rounds?: (scale: Scale) => number;
  /** Untimed setup per target (buckets, objects, streams); may note caveats. */
  prepare?(target: Target, ctx: BenchContext, meter: Pick<Meter, "note">): Promise<void>;
  /**
   * Untimed load per target after preparation and before the first round, nothing recorded: the
   * rounds then measure each server as it runs once it has been up a while (JIT-compiled, caches
   * and files in use) rather than its first seconds.
   */
  warmUp?(target: Target, ctx: BenchContext): Promise<void>;
  /** One measured round against one target. */
  round(target: Target, ctx: BenchContext, round: number, meter: Meter): Promise<void>;
  /** Untimed clean-up per target after the last round (frees disk the rest of the run does not need). */
  finish?(target: Target, ctx: BenchContext): Promise<void>;
}

export const KiB = 1024;
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
