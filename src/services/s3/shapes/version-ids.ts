import { randomBytes } from "node:crypto";

/** A new version id: 32 URL-safe characters, like S3's. */
export const newVersionId = (): string => randomBytes(24).toString("base64url");

/** Whether a versionId query value could name a version ("null" or one of ours). */
export const isValidVersionId = (v: string): boolean => v === "null" || /^[A-Za-z0-9_.-]{1,1024}$/.test(v);
