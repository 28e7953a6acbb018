import { createS3Service } from "../services/s3/service.js";
import type { Service, ServiceDeps } from "./service.js";

/** Every service the server carries, in routing order (S3 last: it takes what no other claims). */
export function createServices(deps: ServiceDeps): Service[] {
  return [createS3Service(deps)];
}
