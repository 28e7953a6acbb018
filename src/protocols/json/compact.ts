/**
 * Builds a shape value from fields that may be undefined, dropping those (generated shape types
 * mark optional members `?`, which exactOptionalPropertyTypes keeps apart from `undefined`).
 */
export function compact<T extends object>(fields: { [K in keyof T]: T[K] | undefined }): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out as T;
}
