import { isNotImplemented } from "./load/http.js";
import { median } from "./load/stats.js";
import { cpuMs, PeakMemoryWatch } from "./targets/proc-stats.js";
import type { Target, TargetKind } from "./targets/targets.js";
import type { BenchContext, Measured, Meter, RowSpec, Workload } from "./workloads/workload.js";

/** One row's figures for one target. */
export interface TargetRow {
  /** Every round's value. */
  readonly values: number[];
  /** Median over rounds (NaN when none). */
  median: number;
  /** Medians of the extras over rounds. */
  extra: Record<string, number>;
  readonly extras: Record<string, number[]>;
  cpuMs: number;
  requests: number;
  /** Server CPU per request, µs (NaN when not attributable). */
  cpuUsPerRequest: number;
}

/** How a target fared in a workload. */
export interface TargetOutcome {
  readonly kind: TargetKind;
  status: "ok" | "n/a" | "error";
  reason: string;
  readonly notes: string[];
  readonly rows: Record<string, TargetRow>;
  /** Peak resident memory during the workload (preparation included), MiB. */
  peakRssMiB: number;
}

/** Everything one workload measured. */
export interface WorkloadResult {
  readonly name: string;
  readonly rows: readonly RowSpec[];
  readonly targets: TargetOutcome[];
  readonly seconds: number;
}

const SDK_NOT_IMPLEMENTED = new Set(["UnknownOperationException", "NotImplemented", "InvalidAction"]);

function classify(err: unknown): { status: "n/a" | "error"; reason: string } {
  const name = err instanceof Error ? err.name : "";
  if (isNotImplemented(err) || SDK_NOT_IMPLEMENTED.has(name)) {
    const msg = err instanceof Error ? err.message.split("\n")[0]!.slice(0, 160) : String(err);
    return { status: "n/a", reason: `not implemented (${msg})` };
  }
  const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { status: "error", reason: msg.split("\n")[0]!.slice(0, 300) };
}

function emptyRow(): TargetRow {
  return { values: [], median: Number.NaN, extra: {}, extras: {}, cpuMs: 0, requests: 0, cpuUsPerRequest: Number.NaN };
}

/** Runs a workload: preparation per target, then rounds with the targets interleaved (A, B, A, B...). */
export async function runWorkload(workload: Workload, ctx: BenchContext): Promise<WorkloadResult> {
  const started = Date.now();
  const targets: Target[] = [];
  for (const kind of workload.targets) {
    const t = ctx.targets.get(kind);
    if (t !== undefined) targets.push(t);
  }
  const outcomes = new Map<TargetKind, TargetOutcome>();
  for (const t of targets) {
    const rows: Record<string, TargetRow> = {};
    for (const r of workload.rows) rows[r.key] = emptyRow();
    outcomes.set(t.kind, { kind: t.kind, status: "ok", reason: "", notes: [], rows, peakRssMiB: Number.NaN });
  }
  const missing: TargetOutcome[] = [];
  for (const kind of workload.targets) {
    const why = ctx.startErrors.get(kind);
    if (why !== undefined) missing.push({ kind, status: "error", reason: `did not start: ${why}`, notes: [], rows: {}, peakRssMiB: Number.NaN });
  }
  const watch = new PeakMemoryWatch(targets.map((t) => t.server.pid));

  const meterFor = (t: Target): Meter => {
    const outcome = outcomes.get(t.kind)!;
    const add = (key: string, m: Measured, cpu: number): void => {
      const row = outcome.rows[key];
      if (row === undefined) throw new Error(`${workload.name}: no row ${key}`);
      row.values.push(m.value);
      if (m.requests !== undefined && Number.isFinite(cpu)) {
        row.cpuMs += cpu;
        row.requests += m.requests;
      }
      for (const [k, v] of Object.entries(m.extra ?? {})) (row.extras[k] ??= []).push(v);
    };
    return {
      async record(key, fn) {
        const c0 = cpuMs(t.server.pid);
        const m = await fn();
        add(key, m, cpuMs(t.server.pid) - c0);
        return m;
      },
      set(key, m) {
        add(key, m, Number.NaN);
      },
      note(text) {
        if (!outcome.notes.includes(text)) outcome.notes.push(text);
      },
    };
  };

  for (const t of targets) {
    const outcome = outcomes.get(t.kind)!;
    if (workload.prepare === undefined) continue;
    ctx.log(`  ${workload.name}: preparing ${t.kind}`);
    try {
      await workload.prepare(t, ctx, meterFor(t));
    } catch (err) {
      Object.assign(outcome, classify(err));
    }
  }

  if (workload.warmUp !== undefined) {
    for (const t of targets) {
      const outcome = outcomes.get(t.kind)!;
      if (outcome.status !== "ok") continue;
      ctx.log(`  ${workload.name}: warming up ${t.kind} (${ctx.scale.warmUpMs} ms, not measured)`);
      outcome.notes.push(`${(ctx.scale.warmUpMs / 1000).toFixed(1)} s of the same load before the first round, not measured`);
      try {
        await workload.warmUp(t, ctx);
      } catch (err) {
        Object.assign(outcome, classify(err));
      }
    }
  }

  const rounds = workload.rounds?.(ctx.scale) ?? ctx.scale.rounds;
  for (let r = 0; r < rounds; r++) {
    if (r > 0 && Date.now() > ctx.workloadDeadline) {
      ctx.log(`  ${workload.name}: time budget reached after ${r} round(s)`);
      break;
    }
    for (const t of targets) {
      const outcome = outcomes.get(t.kind)!;
      if (outcome.status !== "ok") continue;
      try {
        await workload.round(t, ctx, r, meterFor(t));
      } catch (err) {
        Object.assign(outcome, classify(err));
      }
      ctx.log(`  ${workload.name} round ${r + 1}/${rounds} ${t.kind}: ${summarize(outcome, workload.rows)}`);
    }
  }

  const peaks = watch.stop();
  if (workload.finish !== undefined) {
    for (const t of targets) {
      try {
        await workload.finish(t, ctx);
      } catch (err) {
        ctx.log(`  ${workload.name}: clean-up on ${t.kind} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  for (const t of targets) {
    const outcome = outcomes.get(t.kind)!;
    outcome.peakRssMiB = (peaks.get(t.server.pid) ?? Number.NaN) / 1024;
    for (const row of Object.values(outcome.rows)) {
      row.median = median(row.values);
      for (const [k, v] of Object.entries(row.extras)) row.extra[k] = median(v);
      row.cpuUsPerRequest = row.requests > 0 ? (row.cpuMs * 1000) / row.requests : Number.NaN;
    }
  }
  return { name: workload.name, rows: workload.rows, targets: [...outcomes.values(), ...missing], seconds: (Date.now() - started) / 1000 };
}

function summarize(outcome: TargetOutcome, rows: readonly RowSpec[]): string {
  if (outcome.status !== "ok") return `${outcome.status}: ${outcome.reason}`;
  return rows
    .map((r) => {
      const v = outcome.rows[r.key]?.values.at(-1);
      return v === undefined ? `${r.key}=-` : `${r.key}=${v.toFixed(v < 10 ? 2 : 0)} ${r.unit}`;
    })
    .join(", ");
}
