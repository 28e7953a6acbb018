/**
 * Storage of Lambda-style functions: one JSON document per (account, function name), whose
 * content the service defines (configuration, tags, where its code is). Listings are ordered by
 * name in byte order.
 */

/** A JSON object as stored. */
export type FunctionDocument = Readonly<Record<string, unknown>>;

/** One stored function. */
export interface StoredFunction {
  readonly accountId: string;
  readonly name: string;
  readonly document: FunctionDocument;
}

/** A function name already taken in the account. */
export class FunctionConflictError extends Error {
  override readonly name = "FunctionConflictError";
  constructor(readonly functionName: string) {
    super(`function ${functionName} already exists`);
  }
}

export interface FunctionStore {
  /** Adds a function; FunctionConflictError if the name is taken in that account. */
  create(fn: StoredFunction): void;
  get(accountId: string, name: string): StoredFunction | undefined;
  /** Functions of an account after `after` (exclusive), at most `limit`. */
  list(accountId: string, options: { readonly after?: string; readonly limit: number }): StoredFunction[];
  /** Every function of every account (start-up sweeps of code directories). */
  all(): StoredFunction[];
  /** Replaces a function's document; false if it does not exist. */
  update(accountId: string, name: string, document: FunctionDocument): boolean;
  /** Removes a function; false if it did not exist. */
  delete(accountId: string, name: string): boolean;
  close(): void;
}
