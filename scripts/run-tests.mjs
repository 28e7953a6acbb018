// Finds every compiled *.test.js under dist/ and hands them to node's test runner.
// (Node 20's `node --test` does not expand globs itself.) tsc never deletes outputs, so a test
// whose source was moved or removed still has a compiled copy in dist/: only tests whose .ts
// source exists are run.
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";

function collect(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) collect(path, out);
    else if (entry.name.endsWith(".test.js")) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const hasSource = (f) => existsSync(relative("dist", f).replace(/\.js$/, ".ts"));
const compiled = collect("dist", []);
const stale = compiled.filter((f) => !hasSource(f));
if (stale.length > 0) console.error(`skipping ${stale.length} compiled test(s) without a source file (stale dist/): ${stale.join(", ")}`);
const files = compiled.filter((f) => hasSource(f) && (filters.length === 0 || filters.some((x) => f.includes(x)))).sort();
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}
const result = spawnSync(process.execPath, ["--test", "--test-concurrency=2", ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
