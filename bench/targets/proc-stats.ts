import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Resident memory of a process, from /proc/<pid>/status. */
export interface MemoryReading {
  /** Current resident set, KiB. */
  readonly rssKiB: number;
  /** Peak resident set since start or the last reset, KiB. */
  readonly hwmKiB: number;
}

export function readMemory(pid: number): MemoryReading | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = /VmRSS:\s+(\d+)/.exec(status);
    const hwm = /VmHWM:\s+(\d+)/.exec(status);
    if (rss === null || hwm === null) return undefined;
    return { rssKiB: Number(rss[1]), hwmKiB: Number(hwm[1]) };
  } catch {
    return undefined;
  }
}

/** Resets the peak-RSS mark to the current RSS (clear_refs value 5, Linux 4.0+); false if refused. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** User + system CPU the process (all its threads) has used, in ms; NaN if unreadable. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return ((utime + stime) * 1000) / ticksPerSecond();
  } catch {
    return Number.NaN;
  }
}

/**
 * Watches the peak resident memory of some processes over a stretch of work: resets each
 * process's high-water mark at the start, samples VmRSS meanwhile (in case the reset is
 * refused), and reports the larger of the two at the end.
 */
export class PeakMemoryWatch {
  private readonly peaks = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: readonly number[],
    intervalMs = 100,
  ) {
    for (const pid of pids) {
      resetPeak(pid);
      this.peaks.set(pid, readMemory(pid)?.rssKiB ?? 0);
    }
    this.timer = setInterval(() => this.sample(false), intervalMs);
    this.timer.unref();
  }

  private sample(useHwm: boolean): void {
    for (const pid of this.pids) {
      const m = readMemory(pid);
      if (m === undefined) continue;
      const value = useHwm ? Math.max(m.rssKiB, m.hwmKiB) : m.rssKiB;
      this.peaks.set(pid, Math.max(this.peaks.get(pid) ?? 0, value));
    }
  }

  /** Stops sampling; returns the peak KiB per pid. */
  stop(): Map<number, number> {
    clearInterval(this.timer);
    this.sample(true);
    return new Map(this.peaks);
  }
}
