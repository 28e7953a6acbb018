import { DescribeDeliveryStreamCommand, FirehoseClient } from "@aws-sdk/client-firehose";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { clientConfig, startServer, type RunningServer, type StartOptions } from "../helpers/server.js";

/** Server settings that let tests use one-second buffers and a plain-HTTP endpoint. */
export const FIREHOSE_TEST_ENV = { STREAMLAKE_FIREHOSE_MIN_INTERVAL_SECONDS: "1", STREAMLAKE_FIREHOSE_ALLOW_HTTP_ENDPOINTS: "1" };

export const ROLE = "arn:aws:iam::000000000000:role/firehose";

export function startFirehoseServer(options: StartOptions = {}): Promise<RunningServer> {
  return startServer({ ...options, env: { ...FIREHOSE_TEST_ENV, ...options.env } });
}

export function clients(server: RunningServer): { firehose: FirehoseClient; s3: S3Client } {
  return { firehose: new FirehoseClient(clientConfig(server)), s3: new S3Client({ ...clientConfig(server), forcePathStyle: true }) };
}

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function waitActive(firehose: FirehoseClient, name: string): Promise<void> {
  await eventually(`${name} ACTIVE`, async () => {
    const d = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }));
    return d.DeliveryStreamDescription?.DeliveryStreamStatus === "ACTIVE" ? true : undefined;
  });
}

/** Every key in a bucket (under a prefix), in key order. */
export async function listKeys(s3: S3Client, bucket: string, prefix = ""): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token === undefined ? {} : { ContinuationToken: token }) }));
    for (const o of page.Contents ?? []) keys.push(o.Key!);
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return keys;
}

export async function getBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const o = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await o.Body!.transformToByteArray());
}

/** The JSON lines of a text body. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export const s3Destination = (bucket: string, extra: Record<string, unknown> = {}) => ({
  RoleARN: ROLE,
  BucketARN: `arn:aws:s3:::${bucket}`,
  BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 1 },
  ...extra,
});
