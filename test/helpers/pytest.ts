import assert from "node:assert/strict";
import { join } from "node:path";
import { runCommand } from "./run-command.js";
import { PROJECT_ROOT, awsEnv, type RunningServer } from "./server.js";

export interface PytestOptions {
  /** Variables added to the AWS environment pointing boto3 and the CLI at `server`. */
  readonly env?: Record<string, string>;
  /** More pytest arguments (`-s` to let a test print timings). */
  readonly args?: readonly string[];
}

/**
 * Runs test/py/<file> with pytest against `server` (boto3 and the AWS CLI configured by
 * awsEnv) and asserts it passes; resolves with everything it printed.
 */
export async function runPytest(server: RunningServer, file: string, options: PytestOptions = {}): Promise<string> {
  const path = join(PROJECT_ROOT, "test", "py", file);
  const r = await runCommand("python3", ["-m", "pytest", "-q", ...(options.args ?? []), "-p", "no:cacheprovider", path], { env: { ...awsEnv(server), ...options.env } });
  assert.equal(r.code, 0, `pytest failed:\n${r.output}`);
  return r.output;
}
