import type { WorkloadResult } from "./runner.js";
import type { TargetKind } from "./targets/targets.js";

/** One line of the summary: a row's medians per target and Streamlake's ratios to each. */
export interface SummaryRow {
  readonly workload: string;
  readonly row: string;
  readonly title: string;
  readonly unit: string;
  readonly better: "higher" | "lower";
  /** Median per target; a string says why there is no figure ("n/a: ..."). */
  readonly values: Partial<Record<TargetKind, number | string>>;
  /** Streamlake / target, for every other target with a figure. */
  readonly ratios: Partial<Record<TargetKind, number>>;
  /** Streamlake's server CPU per request, µs. */
  readonly streamlakeCpuUsPerRequest: number | undefined;
  /** Extra medians per target (p50/p99 of a throughput row, client CPU...). */
  readonly extra: Partial<Record<TargetKind, Record<string, number>>>;
}

const PEERS: readonly TargetKind[] = ["s3rver", "kinesalite"];

export function summarize(results: readonly WorkloadResult[]): SummaryRow[] {
  const out: SummaryRow[] = [];
  for (const w of results) {
    for (const spec of w.rows) {
      const values: Partial<Record<TargetKind, number | string>> = {};
      const extra: Partial<Record<TargetKind, Record<string, number>>> = {};
      for (const t of w.targets) {
        const row = t.rows[spec.key];
        if (t.status !== "ok") values[t.kind] = `${t.status}: ${t.reason}`;
        else if (row === undefined || !Number.isFinite(row.median)) values[t.kind] = "n/a: no figure";
        else {
          values[t.kind] = row.median;
          if (Object.keys(row.extra).length > 0) extra[t.kind] = row.extra;
        }
      }
      const sl = values.streamlake;
      const ratios: Partial<Record<TargetKind, number>> = {};
      if (typeof sl === "number") {
        for (const [kind, v] of Object.entries(values) as [TargetKind, number | string][]) {
          if (kind !== "streamlake" && typeof v === "number" && v !== 0) ratios[kind] = sl / v;
        }
      }
      const slRow = w.targets.find((t) => t.kind === "streamlake")?.rows[spec.key];
      out.push({
        workload: w.name,
        row: spec.key,
        title: spec.title,
        unit: spec.unit,
        better: spec.better,
        values,
        ratios,
        streamlakeCpuUsPerRequest: slRow !== undefined && Number.isFinite(slRow.cpuUsPerRequest) ? slRow.cpuUsPerRequest : undefined,
        extra,
      });
    }
  }
  return out;
}

function num(v: number, unit: string): string {
  if (!Number.isFinite(v)) return "-";
  if (unit === "ms") return v < 10 ? v.toFixed(2) : v.toFixed(0);
  if (unit === "MiB/s") return v.toFixed(0);
  return Math.round(v).toLocaleString("en-US");
}

function cell(v: number | string | undefined, unit: string): string {
  if (v === undefined) return "";
  if (typeof v === "string") return v.startsWith("n/a") ? "n/a" : "error";
  return num(v, unit);
}

/** CPU time in the unit that keeps it short: µs, ms or s. */
function cpuTime(us: number | undefined): string {
  if (us === undefined) return "";
  if (us < 10_000) return `${us.toFixed(0)} µs`;
  if (us < 10_000_000) return `${(us / 1000).toFixed(0)} ms`;
  return `${(us / 1e6).toFixed(1)} s`;
}

function ratio(r: number | undefined): string {
  return r === undefined ? "" : `${r.toFixed(2)}×`;
}

/** The results as Markdown tables (figures, then memory), plus notes on n/a, errors and caveats. */
export function renderTables(results: readonly WorkloadResult[], rows: readonly SummaryRow[], targetNotes: readonly string[] = []): string {
  const lines: string[] = [];
  for (const r of rows.filter((x) => x.workload === "ceiling")) {
    const v = r.values.noop;
    const cpu = r.extra.noop?.["clientCpu"];
    if (typeof v === "number") {
      lines.push(`Load generator ceiling (${r.row}): ${num(v, r.unit)} ${r.unit} against the no-work server, the client using ${cpu === undefined ? "?" : Math.round(cpu * 100)} % of a core.`);
    }
  }
  if (lines.length > 0) lines.push("");
  lines.push("| Workload | Unit | Streamlake | Peer | Peer value | No-work ref | Fsync ref | SL/peer | SL/no-work | SL/fsync | SL CPU/req |");
  lines.push("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    const peer = PEERS.find((p) => r.values[p] !== undefined);
    const lowerNote = r.better === "lower" ? " (lower is better)" : "";
    lines.push(
      `| ${r.title}${lowerNote} | ${r.unit} | ${cell(r.values.streamlake, r.unit)} | ${peer ?? ""} | ${peer === undefined ? "" : cell(r.values[peer], r.unit)} | ` +
        `${cell(r.values.noop, r.unit)} | ${cell(r.values.fsync, r.unit)} | ${ratio(peer === undefined ? undefined : r.ratios[peer])} | ` +
        `${ratio(r.ratios.noop)} | ${ratio(r.ratios.fsync)} | ${cpuTime(r.streamlakeCpuUsPerRequest)} |`,
    );
  }
  lines.push("");
  lines.push("Peak resident memory of each server during each workload (MiB, preparation included):");
  lines.push("");
  lines.push("| Workload | Streamlake | s3rver | kinesalite | No-work ref | Fsync ref |");
  lines.push("|---|---:|---:|---:|---:|---:|");
  for (const w of results) {
    const mem = (k: TargetKind): string => {
      const t = w.targets.find((x) => x.kind === k);
      return t === undefined || !Number.isFinite(t.peakRssMiB) ? "" : t.peakRssMiB.toFixed(0);
    };
    lines.push(`| ${w.name} | ${mem("streamlake")} | ${mem("s3rver")} | ${mem("kinesalite")} | ${mem("noop")} | ${mem("fsync")} |`);
  }
  const notes: string[] = targetNotes.map((n) => `- every workload: ${n}`);
  for (const w of results) {
    // The same note for several targets is printed once, naming them all.
    const byText = new Map<string, TargetKind[]>();
    for (const t of w.targets) {
      const texts = t.status === "ok" ? t.notes : [`${t.status}: ${t.reason}`, ...t.notes];
      for (const n of texts) byText.set(n, [...(byText.get(n) ?? []), t.kind]);
    }
    for (const [text, kinds] of byText) notes.push(`- ${w.name} / ${kinds.join(", ")}: ${text}`);
  }
  if (notes.length > 0) {
    lines.push("");
    lines.push("Notes:");
    lines.push(...notes);
  }
  return lines.join("\n");
}
