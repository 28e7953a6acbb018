// Child process of the kill -9 crash test (segment-crash.test.ts): many concurrent appenders write
// to one log forever and print one line "seq writer counter length" per acknowledged record.
// Usage: node crash-writer.js <root> <log id> <segmentBytes> <run label>
import { createSegmentShardLogStore } from "./segment-shard-log.js";
import { crashLength, crashPayload } from "./crash-payload.js";
import type { AppendInput } from "./shard-log.js";
import { collectThreadWrites } from "./write-threads.js";

const [root, id, segmentBytes, label] = process.argv.slice(2);
if (root === undefined || id === undefined || segmentBytes === undefined || label === undefined) {
  process.stderr.write("usage: crash-writer <root> <id> <segmentBytes> <label>\n");
  process.exit(2);
}

const WRITERS = 16;
// Check for finished thread writes as often as polling readers would, so small group commits
// take the log's own write thread (write-threads.ts) and its completions are the ones killed too.
setInterval(collectThreadWrites, 1);
const store = createSegmentShardLogStore({ dir: root, segmentBytes: Number(segmentBytes), indexEveryBytes: 4096 });
const log = await store.open(id);
process.stdout.write(`ready ${log.nextSeq()}\n`);

async function writer(w: number): Promise<void> {
  const name = `${label}.${w}`;
  for (let counter = 0; ; ) {
    const size = 1 + ((w * 31 + counter) % 40);
    const batch: AppendInput[] = [];
    const meta: string[] = [];
    for (let k = 0; k < size; k++, counter++) {
      const len = crashLength(w, counter);
      batch.push({ timestamp: Date.now(), partitionKey: name, data: crashPayload(name, counter, len) });
      meta.push(`${name} ${counter} ${len}`);
    }
    const seqs = await log.append(batch);
    // Printed only after the append resolved, so every line the test reads was acknowledged.
    process.stdout.write(seqs.map((seq, k) => `${seq} ${meta[k]}\n`).join(""));
  }
}

await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
