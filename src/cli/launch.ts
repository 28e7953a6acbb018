import { readFileSync } from "node:fs";

/**
 * How `streamlake` starts node. The one source of truth is the first line of the entry point
 * (src/cli/main.ts, kept by tsc in dist/src/cli/main.js): `#!/usr/bin/env -S [NAME=value...] node
 * [flags...]`, which the installed `streamlake` command runs (GNU env's -S splits the line and
 * sets the variables). `npm start` spells the same command (a test keeps them equal) and the bench
 * reads it from here, so both run the server as a user does.
 */
export interface LaunchSpec {
  /** Environment variables set before node starts (for the C library, read only at start). */
  readonly env: Readonly<Record<string, string>>;
  /** Flags given to node before the script (V8 sizes that can only be set at start). */
  readonly nodeArgs: readonly string[];
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/** Splits `NAME=value` words (environment) from the others (node flags); `node` itself is dropped. */
export function parseLaunchWords(words: readonly string[]): LaunchSpec {
  const env: Record<string, string> = {};
  const nodeArgs: string[] = [];
  for (const word of words) {
    const m = nodeArgs.length === 0 ? ASSIGNMENT.exec(word) : null;
    if (m !== null) env[m[1]!] = m[2]!;
    else if (word !== "node" || nodeArgs.length > 0) nodeArgs.push(word);
  }
  return { env, nodeArgs };
}

/** The launch spec of a `#!/usr/bin/env -S ... node ...` line; throws on any other first line. */
export function parseShebang(line: string): LaunchSpec {
  const words = line.trim().split(/\s+/);
  if (words[0] !== "#!/usr/bin/env") throw new Error(`not an env shebang: ${line}`);
  const rest = words[1] === "-S" ? words.slice(2) : words.slice(1);
  if (!rest.includes("node")) throw new Error(`the shebang does not run node: ${line}`);
  return parseLaunchWords(rest);
}

/** The launch spec of an entry point file (its shebang). */
export function readLaunchSpec(entryFile: string): LaunchSpec {
  const text = readFileSync(entryFile, "utf8");
  const end = text.indexOf("\n");
  return parseShebang(end < 0 ? text : text.slice(0, end));
}
