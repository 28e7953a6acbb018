// A job module for the thread pool's tests (pool.test.ts): echoes, counts, fails, transfers, exits.
import { Transfer } from "./job.js";

/** What a test run asks the thread to do. */
export type TestJobArgs =
  | { readonly op: "echo"; readonly value: unknown }
  | { readonly op: "count" }
  | { readonly op: "fail"; readonly message: string }
  | { readonly op: "later"; readonly value: unknown }
  | { readonly op: "bytes"; readonly length: number }
  | { readonly op: "exit" };

let counter = 0;

/** Runs on a pool thread. */
export function run(args: TestJobArgs): unknown {
  switch (args.op) {
    case "echo":
      return args.value;
    case "count":
      return ++counter;
    case "fail":
      throw new Error(args.message);
    case "later":
      return new Promise((resolve) => setImmediate(() => resolve(args.value)));
    case "bytes": {
      const buf = new Uint8Array(args.length).fill(7);
      return new Transfer(buf, [buf.buffer]);
    }
    case "exit":
      process.exit(3);
  }
}
