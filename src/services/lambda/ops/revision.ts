import { LambdaError } from "../errors.js";
import type { FunctionDoc } from "../functions.js";

/** A RevisionId in an update must be the current one (optimistic locking, UpdateFunctionCode API docs). */
export function checkRevision(doc: FunctionDoc, revisionId: string | undefined): void {
  if (revisionId !== undefined && revisionId !== doc.Configuration.RevisionId) {
    throw new LambdaError(
      "PreconditionFailedException",
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
    );
  }
}
