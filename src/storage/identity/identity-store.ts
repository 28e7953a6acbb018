/** An access key and the principal it belongs to. */
export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** 12-digit account id. */
  readonly accountId: string;
  /** ARN of the principal (arn:aws:iam::<account>:root for the root user). */
  readonly principalArn: string;
  /** Active or Inactive, as IAM names it; inactive keys do not authenticate. */
  readonly status: "Active" | "Inactive";
  /** Creation time, ms since epoch. */
  readonly createdAt: number;
}

/** Where access keys live (root now, IAM users later). */
export interface IdentityStore {
  /** The key with this id, or undefined. Synchronous: it sits on every request's path. */
  getAccessKey(accessKeyId: string): AccessKey | undefined;
  /** Creates or replaces a key. */
  putAccessKey(key: AccessKey): void;
  /** Deletes a key; no error when absent. */
  deleteAccessKey(accessKeyId: string): void;
  /** Every key of an account, oldest first. */
  listAccessKeys(accountId: string): AccessKey[];
  close(): void;
}
