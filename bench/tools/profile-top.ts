// `node dist/bench/tools/profile-top.js <file.cpuprofile> [rows]`: the functions with the most
// self time and the most inclusive time in a V8 CPU profile (as written by `node --cpu-prof`).
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile { nodes: ProfileNode[]; samples: number[] }

function label(n: ProfileNode): string {
  const file = n.callFrame.url.replace(/^.*\/(dist|node_modules)\//, "$1/");
  return `${n.callFrame.functionName || "(anonymous)"} ${file}:${n.callFrame.lineNumber + 1}`;
}

function main(): void {
  const [file, rowsArg] = process.argv.slice(2);
  if (file === undefined) throw new Error("usage: profile-top <file.cpuprofile> [rows]");
  const rows = Number(rowsArg ?? 30);
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const id of profile.samples) {
    const leaf = byId.get(id);
    if (leaf === undefined) continue;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + 1);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur) as ProfileNode);
      if (!seen.has(l)) { seen.add(l); inclusive.set(l, (inclusive.get(l) ?? 0) + 1); }
    }
  }
  const total = profile.samples.length;
  const print = (title: string, m: Map<string, number>): void => {
    console.log(`\n${title} (of ${total} samples)`);
    for (const [l, c] of [...m].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`${((100 * c) / total).toFixed(1).padStart(5)}%  ${l}`);
  };
  print("self", self);
  print("inclusive", inclusive);
}

main();
