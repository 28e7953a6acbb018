import type { DeliveryRow, NewDelivery } from "../../../storage/firehose-metadata/firehose-metadata-store.js";
import { S3InternalError } from "../../s3/internal-api.js";
import type { PipelineConfig } from "../pipeline-config.js";
import type { FirehoseState } from "../state.js";
import { recordsOfBody, sendToEndpoint } from "./http-endpoint.js";
import { httpFailureObject, type S3Target, type StagedHttpTarget, type StreamFacts } from "./outputs.js";

/** What one attempt at a staged delivery came to. */
export type DeliveryOutcome =
  | { readonly done: true; readonly delivered: boolean; readonly followUps: readonly NewDelivery[] }
  | { readonly done: false; readonly error: string };

export interface DeliverEnv {
  readonly state: FirehoseState;
  readonly config: PipelineConfig;
  readonly facts: StreamFacts;
  readonly accountId: string;
}

/**
 * Attempts one staged delivery. S3 writes are If-None-Match, so a delivery repeated after a
 * crash finds its object already there and counts as done. An HTTP delivery keeps its request
 * id across attempts; once RetryDurationInSeconds has passed since it was staged, its records
 * go to the error prefix (http-endpoint-failed) in the same transaction that retires it.
 */
export async function deliverStaged(d: DeliveryRow, env: DeliverEnv, signal: AbortSignal): Promise<DeliveryOutcome> {
  if (d.kind === "s3") {
    const t = JSON.parse(d.target) as S3Target;
    try {
      await env.state.deps.s3.putObject({
        accountId: env.accountId,
        bucket: t.bucket,
        key: t.key,
        body: d.body,
        ...(t.contentEncoding === undefined ? {} : { contentEncoding: t.contentEncoding }),
        ifNoneMatch: true,
        signal,
      });
      return { done: true, delivered: true, followUps: [] };
    } catch (err) {
      if (err instanceof S3InternalError) return { done: false, error: `S3.${err.code}: ${err.message} (s3://${t.bucket}/${t.key})` };
      return { done: false, error: `S3 write of s3://${t.bucket}/${t.key} failed: ${String((err as Error)?.message ?? err)}` };
    }
  }
  const t = JSON.parse(d.target) as StagedHttpTarget;
  // Later attempts use the stream's current endpoint and key (the spec allows either to change).
  const target: StagedHttpTarget = env.config.http === undefined ? t : { ...t, url: env.config.http.url, accessKey: env.config.http.accessKey };
  const outcome = await sendToEndpoint(target, d.body, signal);
  if (outcome.ok) return { done: true, delivered: true, followUps: [] };
  const now = env.state.now();
  const retryMs = env.config.http?.retryMs ?? 300_000;
  if (outcome.permanent) {
    // A 413 is final and, per the spec, not sent to the error bucket.
    env.state.logger.error("firehose: HTTP endpoint refused a batch as too large", { stream: env.facts.name, requestId: t.requestId });
    return { done: true, delivered: false, followUps: [] };
  }
  if (now - d.createdAt < retryMs) return { done: false, error: `${outcome.errorCode}: ${outcome.errorMessage}` };
  const failure = httpFailureObject(env.config, env.facts, target, recordsOfBody(d.body), { ...outcome, attempts: d.attempts + 1 }, now);
  return { done: true, delivered: false, followUps: [failure] };
}
