// Runs the kinesalite peer (npm `kinesalite`, LevelDB on disk, no fsync) as a child process of
// the bench, with stream state changes made instant so rounds can create streams freely.
// Usage: node run-kinesalite.js <dir>  -> prints {"port":N} on stdout; SIGTERM stops it.
import type { Server } from "node:http";
import { createRequire } from "node:module";
import { serveOnLoopback } from "../reference/serve.js";

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
serveOnLoopback(server);
