// Runs the s3rver peer (npm `s3rver`, filesystem-backed, no fsync) as a child process of the bench.
// Usage: node run-s3rver.js <dir>  -> prints {"port":N} on stdout; SIGTERM stops it.
import { createRequire } from "node:module";

interface S3rverOptions {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
  vhostBuckets: boolean;
}
interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: S3rverOptions) => S3rverInstance;

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: run-s3rver <dir>");
const S3rver = createRequire(import.meta.url)("s3rver") as S3rverCtor;
const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: dir, vhostBuckets: false });
const address = await server.run();
process.stdout.write(JSON.stringify({ port: address.port }) + "\n");
process.on("SIGTERM", () => {
  // Exit whether or not the close succeeds: the bench is waiting for this process to end.
  void server.close().finally(() => process.exit(0));
});
