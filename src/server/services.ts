import { createFirehoseService } from "../services/firehose/service.js";
import { createGlueService } from "../services/glue/service.js";
import { createKinesisService } from "../services/kinesis/service.js";
import { createLambdaService } from "../services/lambda/service.js";
import { createS3Service } from "../services/s3/service.js";
import { s3CodeSource } from "./lambda-code-source.js";
import type { Service, ServiceDeps } from "./service.js";

/**
 * Every service the server carries. Services that lean on others (Firehose on S3 and Kinesis,
 * Lambda on S3 for code) get the others' internal APIs here, never by importing each other, so
 * each can later move to its own node.
 */
export function createServices(deps: ServiceDeps): Service[] {
  const s3 = createS3Service(deps);
  const kinesis = createKinesisService(deps);
  const glue = createGlueService(deps);
  const lambda = createLambdaService(deps, { codeSource: s3CodeSource(s3.api) });
  const firehose = createFirehoseService(deps, {
    s3: s3.api,
    kinesis: kinesis.api,
    glue: glue.api,
    lambda: lambda.api,
  });
  // Started in this order and stopped in reverse: Firehose stops first and starts last.
  return [kinesis, glue, lambda, s3, firehose];
}
