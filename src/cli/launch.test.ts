import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseLaunchWords, parseShebang, readLaunchSpec } from "./launch.js";

// dist/src/cli/launch.test.js -> project root
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const ENTRY = fileURLToPath(new URL("./main.js", import.meta.url));

test("a shebang's assignments become the environment and the words after node its flags", () => {
  assert.deepEqual(parseShebang("#!/usr/bin/env -S A_B=1 C=x=y node --max-semi-space-size=8 --foo\n"), {
    env: { A_B: "1", C: "x=y" },
    nodeArgs: ["--max-semi-space-size=8", "--foo"],
  });
  assert.deepEqual(parseShebang("#!/usr/bin/env node"), { env: {}, nodeArgs: [] });
  assert.throws(() => parseShebang("#!/bin/sh"), /not an env shebang/);
  assert.throws(() => parseShebang("#!/usr/bin/env -S deno run"), /does not run node/);
});

test("launch words without node (the bench's extra flags): assignments only before the first flag", () => {
  assert.deepEqual(parseLaunchWords(["X=1", "--cpu-prof", "--cpu-prof-dir=/tmp/p"]), { env: { X: "1" }, nodeArgs: ["--cpu-prof", "--cpu-prof-dir=/tmp/p"] });
  assert.deepEqual(parseLaunchWords(["--require", "Y=2"]), { env: {}, nodeArgs: ["--require", "Y=2"] });
});

test("npm start and the streamlake bin run the entry point as its shebang says", () => {
  const spec = readLaunchSpec(ENTRY);
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { bin: Record<string, string>; scripts: Record<string, string> };
  assert.equal(pkg.bin["streamlake"], "dist/src/cli/main.js");
  const words = [...Object.entries(spec.env).map(([k, v]) => `${k}=${v}`), "node", ...spec.nodeArgs, "dist/src/cli/main.js", "serve"];
  assert.equal(pkg.scripts["start"], words.join(" "));
});

test("env -S runs node with the shebang's flags and environment", (t) => {
  const line = readFileSync(ENTRY, "utf8").split("\n")[0]!;
  const spec = parseShebang(line);
  const env = spawnSync("/usr/bin/env", ["-S", "true"]);
  if (env.status !== 0) {
    t.skip("no /usr/bin/env with -S here");
    return;
  }
  // No spaces or quotes: env -S splits on whitespace.
  const script = "process.stdout.write(JSON.stringify({execArgv:process.execArgv,env:process.env}))";
  const run = spawnSync("/usr/bin/env", ["-S", `${line.slice(line.indexOf("-S") + 2).trim()} -e ${script}`], {
    encoding: "utf8",
    env: { PATH: `${process.execPath.slice(0, process.execPath.lastIndexOf("/"))}:${process.env["PATH"] ?? ""}` },
  });
  assert.equal(run.status, 0, run.stderr);
  const seen = JSON.parse(run.stdout) as { execArgv: string[]; env: Record<string, string> };
  assert.deepEqual(seen.execArgv.slice(0, spec.nodeArgs.length), [...spec.nodeArgs]);
  for (const [k, v] of Object.entries(spec.env)) assert.equal(seen.env[k], v);
});
