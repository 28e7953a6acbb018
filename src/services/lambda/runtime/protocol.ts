/** Messages between the server and a function's runtime process (child_process IPC, JSON). */

/** What the runtime needs to know about the function it hosts; sent once, first. */
export interface RuntimeInit {
  readonly type: "init";
  /** LAMBDA_TASK_ROOT: the unpacked package. */
  readonly taskRoot: string;
  /** `file.export` (the Handler setting). */
  readonly handler: string;
}

/** One invocation. */
export interface RuntimeInvoke {
  readonly type: "invoke";
  readonly requestId: string;
  /** The event as JSON text (already checked to parse). */
  readonly event: string;
  /** Epoch ms at which the invocation times out (context.getRemainingTimeInMillis). */
  readonly deadlineMs: number;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** The decoded X-Amz-Client-Context, if any. */
  readonly clientContext?: unknown;
}

export type ToRuntime = RuntimeInit | RuntimeInvoke;

/** A handler failure as Lambda reports it in the response payload. */
export interface RuntimeErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

export type FromRuntime =
  /** Log text the function wrote (console.*, process.stdout/stderr). */
  | { readonly type: "log"; readonly text: string }
  /** The handler answered: its result as JSON text. */
  | { readonly type: "result"; readonly requestId: string; readonly payload: string }
  /**
   * The handler failed. `fatal` means the runtime cannot go on (init failed): the server
   * retires the process so the next invocation initializes afresh.
   */
  | { readonly type: "error"; readonly requestId: string; readonly error: RuntimeErrorPayload; readonly fatal: boolean };
