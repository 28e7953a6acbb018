import type { Readable } from "node:stream";
import { ArenaLease } from "../../protocols/json/blob-arena.js";
import { takeWholeBody, type WholeBody } from "../../protocols/sigv4/body-verifier.js";
import type { StreamRow } from "../../storage/kinesis-metadata/kinesis-metadata-store.js";
import { threadJob } from "../../threads/job.js";
import { sharedThreadPool } from "../../threads/pool.js";
import { putRecords } from "./ops/put-records.js";
import { appendPlanned, sameWords } from "./put-planned.js";
import { plannedAnswer } from "./put-records-answer.js";
import { giveFramesSlab, takeFramesSlab } from "./put-records-slabs.js";
import type { PlannedPutRecords, PutRecordsJobAnswer, PutRecordsJobArgs } from "./put-records-job.js";
import type { PutRecordsInput, PutRecordsOutput } from "./shapes/types.js";
import type { OpContext } from "./operation.js";
import { parseBody, validateInput } from "./wire.js";

const PUT_RECORDS_JOB = threadJob("kinesis-put-records", new URL("./put-records-job.js", import.meta.url));

/** Layouts of the streams written to lately, by the name or ARN requests give (at most `MAX_LAYOUTS`). */
const layouts = new Map<string, Uint32Array>();
const MAX_LAYOUTS = 8;

function noteLayout(key: string | undefined, layout: Uint32Array): void {
  if (key === undefined) return;
  const known = layouts.get(key);
  if (known !== undefined && sameWords(known, layout)) return;
  layouts.delete(key);
  layouts.set(key, layout);
  if (layouts.size > MAX_LAYOUTS) layouts.delete(layouts.keys().next().value!);
}

/**
 * PutRecords from a JSON body that the server holds whole in shared memory for its payload hash
 * (a large body read whole): a pool thread hashes it and parses, validates and encodes its records
 * (see put-records-job.ts), and this thread, once the hash is checked, checks the signature, looks the
 * stream up, numbers the frames and appends them. Undefined when the body is not held that way:
 * read it as usual. A body the thread does not take goes the usual way from the shared copy, so
 * answers and errors are exactly those of `putRecords`.
 */
export function putRecordsFromBody(body: Readable, ctx: OpContext): Promise<PutRecordsOutput> | undefined {
  const whole = takeWholeBody(
    body,
    async (buffer, length): Promise<Planned> => {
      const out = takeFramesSlab(length);
      const answer = await sharedThreadPool().run<PutRecordsJobAnswer>(PUT_RECORDS_JOB, { buffer, length, layouts, out, sha256: true } satisfies PutRecordsJobArgs, { weight: 5 });
      return { plan: answer.plan, slab: out, sha256Hex: answer.sha256Hex };
    },
    // The job hashes the body too: one message and one thread wake-up per call, not two.
    (planned) => planned.sha256Hex,
  );
  return whole?.then((w) => putWhole(w, ctx));
}

/** The job's answer, and the slab it was given for the frames (where they are when `plan.frames` is shared). */
interface Planned {
  readonly plan: PlannedPutRecords | undefined;
  readonly slab: SharedArrayBuffer;
  /** The body's payload hash, computed by the job (checked by the verifier before the plan counts). */
  readonly sha256Hex: string | undefined;
}

async function putWhole(whole: WholeBody<Planned>, ctx: OpContext): Promise<PutRecordsOutput> {
  const plan = whole.result?.plan;
  const slab = whole.result?.slab;
  // The frames are in the slab when they are in shared memory (the job's own buffer is not
  // shared; the message made `plan.frames` a second handle on the slab, not the same object).
  const inSlab = plan?.frames instanceof SharedArrayBuffer;
  // Not in it (none planned, or too large for it): the slab is free at once.
  if (slab !== undefined && !inSlab) giveFramesSlab(slab);
  const output = await putPlanned(whole, plan, ctx);
  // Every append of the frames has settled: the shard log keeps no view of them.
  if (slab !== undefined && inSlab) giveFramesSlab(slab);
  return output;
}

async function putPlanned(whole: WholeBody<Planned>, plan: PlannedPutRecords | undefined, ctx: OpContext): Promise<PutRecordsOutput> {
  const { state } = ctx;
  let stream: StreamRow;
  try {
    if (plan === undefined) return await putParsed(whole.bytes, ctx);
    const ref: { StreamName?: string; StreamARN?: string } = {};
    if (plan.StreamName !== undefined) ref.StreamName = plan.StreamName;
    if (plan.StreamARN !== undefined) ref.StreamARN = plan.StreamARN;
    stream = state.requireReadable(ref);
    // Too large for this stream: the usual path words the ValidationException.
    if (plan.maxData > stream.maxRecordSizeKiB * 1024) return await putParsed(whole.bytes, ctx);
  } finally {
    whole.release();
  }
  const outcomes = await appendPlanned(state, stream, plan, (layout) => noteLayout(plan.StreamName ?? plan.StreamARN, layout));
  return plannedAnswer(outcomes, stream);
}

/** The usual path, from the body's bytes: parse, validate, operation (what the router does). */
export async function putParsed(bytes: Buffer, ctx: OpContext): Promise<PutRecordsOutput> {
  const arenas = new ArenaLease();
  try {
    const input = parseBody(bytes, "PutRecordsInput", "json", arenas);
    validateInput(input, "PutRecordsInput");
    return await putRecords(input as PutRecordsInput, ctx);
  } finally {
    arenas.release();
  }
}

/** For tests: forgets the stream layouts. */
export function forgetLayouts(): void {
  layouts.clear();
}
