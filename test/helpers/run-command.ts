import { spawn } from "node:child_process";

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** stdout and stderr as text, interleaved as they arrived. */
  readonly output: string;
}

/** Runs a command to completion (stdin is `input`, or closed), collecting what it writes. */
export function runCommand(cmd: string, args: readonly string[], options: { readonly env?: Record<string, string>; readonly input?: Buffer } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: options.env ?? (process.env as Record<string, string>), stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    let stderr = "";
    let output = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout.push(c);
      output += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      output += c.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr, output }));
    child.stdin.end(options.input);
  });
}
