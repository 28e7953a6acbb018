/** What an internal invocation returns (the fields of Invoke's response that matter to a caller). */
export interface LambdaInvokeResult {
  /** 200: the function ran (it may still have failed: see functionError). */
  readonly statusCode: number;
  /** The function's response payload: its JSON result, or the error document when it failed. */
  readonly payload: Uint8Array;
  /**
   * "Unhandled" when the function threw, timed out, ran out of memory or exited (`payload` then
   * holds `{"errorType": ..., "errorMessage": ...}` as Invoke reports it); undefined on success.
   */
  readonly functionError: "Unhandled" | undefined;
}

/** Why an internal invocation could not run, in Lambda's error codes. */
export class LambdaInternalError extends Error {
  override readonly name = "LambdaInternalError";
  constructor(
    /** ResourceNotFoundException, InvalidRequestContentException, RequestTooLargeException, TooManyRequestsException, ServiceException. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What the Lambda service offers other services in the same process (Firehose's record
 * transformation calls functions here). Handed over by src/server/services.ts.
 */
export interface LambdaInternalApi {
  /**
   * Invokes a function synchronously (InvocationType RequestResponse) as account `accountId`.
   * `functionNameOrArn` is a name, a partial or full ARN, optionally with `:$LATEST`; `payload`
   * must be JSON. Resolves once the function has answered, failed or timed out; rejects with a
   * LambdaInternalError when it cannot run at all (no such function, payload not JSON or over
   * 6 MB, every runtime process busy for too long).
   */
  invoke(accountId: string, functionNameOrArn: string, payload: Uint8Array): Promise<LambdaInvokeResult>;
}
