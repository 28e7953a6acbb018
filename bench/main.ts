// `npm run bench [-- --quick] [-- --only <name>[,<name>...]] [-- --budget <seconds>] [-- --out <file>]`
// Starts Streamlake, the peers (s3rver, kinesalite) and the reference servers on loopback,
// drives each with the same lean load generator (targets interleaved round by round), prints
// Markdown tables and writes the same figures as JSON (bench-results.json in the cwd).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { renderTables, summarize } from "./report.js";
import { runWorkload, type WorkloadResult } from "./runner.js";
import { installCleanup } from "./targets/process.js";
import { startTarget, type Target, type TargetKind } from "./targets/targets.js";
import { firehoseGzip } from "./workloads/firehose.js";
import { kinesisLatencyPolling, kinesisLatencyPush } from "./workloads/kinesis-latency.js";
import { kinesisPutDrain } from "./workloads/kinesis.js";
import { s3Get1g, s3Multipart1g, s3Put1g } from "./workloads/s3-large.js";
import { s3List100k, s3ListDelimited } from "./workloads/s3-list.js";
import { ceiling, s3Get4k, s3Put4k } from "./workloads/s3-small.js";
import { GiB, MiB, type BenchContext, type Scale, type Workload } from "./workloads/workload.js";

/**
 * In run order: the listing workloads near the end, as populating their bucket takes the time
 * left; Firehose last, since its delivery keeps working in the background after its rounds.
 */
const WORKLOADS: readonly Workload[] = [
  ceiling,
  s3Put4k,
  s3Get4k,
  s3Put1g,
  s3Get1g,
  s3Multipart1g,
  kinesisPutDrain,
  kinesisLatencyPolling,
  kinesisLatencyPush,
  s3List100k,
  s3ListDelimited,
  firehoseGzip,
];

function scaleFor(quick: boolean, budgetS: number, start: number): Scale {
  const deadline = start + budgetS * 1000;
  return quick
    ? {
        mode: "quick",
        rounds: 1,
        roundMs: 600,
        warmUpMs: 300,
        getKeys: 128,
        bigBytes: 32 * MiB,
        listPrefixes: { streamlake: 5, s3rver: 5 },
        listPrefix: "p00",
        populateCapMs: { streamlake: 5_000, s3rver: 5_000 },
        deadline,
      }
    : {
        mode: "full",
        rounds: 3,
        roundMs: 2_500,
        warmUpMs: 2_000,
        getKeys: 1024,
        bigBytes: GiB,
        listPrefixes: { streamlake: 1000, s3rver: 100 },
        listPrefix: "p0",
        // Streamlake may use all the listing workload's time (999,000 of its keys are seeded through
        // its storage layer, about 20-30 s here: bench/tools/seed-listing.ts).
        populateCapMs: { streamlake: Number.POSITIVE_INFINITY, s3rver: 90_000 },
        deadline,
      };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      budget: { type: "string" },
      out: { type: "string", default: "bench-results.json" },
    },
    strict: true,
  });
  const quick = values.quick === true;
  const only = values.only?.split(",").map((s) => s.trim());
  const selected = only === undefined ? WORKLOADS : WORKLOADS.filter((w) => only.includes(w.name));
  if (selected.length === 0) throw new Error(`--only: no workload named ${only?.join(",")}; known: ${WORKLOADS.map((w) => w.name).join(", ")}`);
  const start = Date.now();
  // The budget bounds when rounds may start; the whole run ends within about a minute of it.
  // Leaves room for the last round, stopping the servers and removing their data (slow on a disk
  // mounted with `discard`) within 10 minutes.
  const budgetS = Number(values.budget ?? (quick ? 90 : 480));
  const scale = scaleFor(quick, budgetS, start);
  const log = (m: string): void => void process.stderr.write(`[${((Date.now() - start) / 1000).toFixed(0).padStart(3)}s] ${m}\n`);

  const workDir = mkdtempSync(join(os.tmpdir(), "streamlake-bench-"));
  const memDir = existsSync("/dev/shm") ? mkdtempSync("/dev/shm/streamlake-bench-") : workDir;
  const targets = new Map<TargetKind, Target>();
  const started = new Map<TargetKind, Target>();
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      const t0 = Date.now();
      await Promise.all([...started.values()].map((t) => t.server.stop()));
      const t1 = Date.now();
      rmSync(workDir, { recursive: true, force: true });
      rmSync(memDir, { recursive: true, force: true });
      log(`stopped the servers in ${((t1 - t0) / 1000).toFixed(1)} s, removed their data in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    })());
  installCleanup(stopAll);
  // A hard stop a minute past the budget: stopping the servers makes whatever is in flight fail
  // fast, the remaining workloads are skipped, and the figures gathered so far are reported.
  let overrun = false;
  const hardStop = setTimeout(() => {
    overrun = true;
    log(`hard time limit reached: stopping the servers`);
    void stopAll();
  }, budgetS * 1000 + 60_000);
  hardStop.unref();

  const results: WorkloadResult[] = [];
  const skipped: string[] = [];
  try {
    const needed = new Set(selected.flatMap((w) => w.targets));
    const startErrors = new Map<TargetKind, string>();
    for (const kind of needed) {
      try {
        const t = await startTarget(kind, { disk: workDir, memory: memDir });
        targets.set(kind, t);
        started.set(kind, t);
        log(`started ${kind} (pid ${t.server.pid}) on ${t.endpoint.origin}`);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        startErrors.set(kind, why.split("\n").find((l) => /Error/.test(l)) ?? why.split("\n")[0]!);
        log(`could not start ${kind}: ${why}`);
      }
    }
    const ctx: BenchContext = { scale, targets, log, memo: new Map(), workloadDeadline: scale.deadline, startErrors };
    for (const [i, w] of selected.entries()) {
      const now = Date.now();
      if (now > scale.deadline || overrun) {
        log(`${w.name}: skipped, time budget spent`);
        skipped.push(w.name);
        continue;
      }
      // This workload's share of the time left, in proportion to its weight.
      const weightLeft = selected.slice(i).reduce((sum, x) => sum + x.weight, 0);
      ctx.workloadDeadline = now + ((scale.deadline - now) * w.weight) / weightLeft;
      log(`${w.name} (until +${((ctx.workloadDeadline - start) / 1000).toFixed(0)} s)`);
      results.push(await runWorkload(w, ctx));
    }
  } finally {
    clearTimeout(hardStop);
    await stopAll();
  }

  const rows = summarize(results);
  const seconds = (Date.now() - start) / 1000;
  const machine = {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round((os.totalmem() / GiB) * 10) / 10,
    kernel: os.release(),
    node: process.version,
  };
  const header = `Streamlake bench (${scale.mode}), ${new Date(start).toISOString().slice(0, 10)}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.cpuModel}, Node ${machine.node}; ${seconds.toFixed(0)} s; medians of ${scale.rounds} interleaved rounds`;
  const skippedNote = skipped.length === 0 ? "" : `\nSkipped for lack of time: ${skipped.join(", ")}\n`;
  const targetNotes = [...started.values()].flatMap((t) => (t.note === undefined ? [] : [t.note]));
  process.stdout.write(`\n${header}\n\n${renderTables(results, rows, targetNotes)}\n${skippedNote}`);
  const json = { date: new Date(start).toISOString(), mode: scale.mode, seconds, machine, scale, rows, skipped, workloads: results };
  writeFileSync(values.out ?? "bench-results.json", JSON.stringify(json, null, 2) + "\n");
  log(`wrote ${values.out ?? "bench-results.json"}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
