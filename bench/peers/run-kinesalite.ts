// Runs the kinesalite peer (npm `kinesalite`, LevelDB on disk, no fsync) as a child process of
// the bench, with stream state changes made instant so rounds can create streams freely.
// Usage: node run-kinesalite.js <dir>  -> prints {"port":N} on stdout; SIGTERM stops it.
import type { Server } from "node:http";
import { createRequire } from "node:module";

interface KinesaliteOptions {
  path: string;
  createStreamMs: number;
  deleteStreamMs: number;
  updateStreamMs: number;
  shardLimit: number;
}
type Kinesalite = (options: KinesaliteOptions) => Server;

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: run-kinesalite <dir>");
const kinesalite = createRequire(import.meta.url)("kinesalite") as Kinesalite;
const server = kinesalite({ path: dir, createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 });
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  process.stdout.write(JSON.stringify({ port: address.port }) + "\n");
});
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
