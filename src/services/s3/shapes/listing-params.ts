import { S3Error } from "../errors.js";

/** The most keys one listing page returns; a larger max-keys is echoed but served at this (ListObjectsV2 docs, MaxKeys). */
export const MAX_KEYS_CAP = 1000;
const INT32_MAX = 2_147_483_647;

/** max-keys as sent: the default (1000) when absent or empty, the integer otherwise (may be negative; callers decide). */
export function parseMaxKeys(query: URLSearchParams): number {
  const raw = query.get("max-keys");
  if (raw === null || raw === "") return MAX_KEYS_CAP;
  const n = /^[+-]?\d{1,12}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > INT32_MAX || n < -INT32_MAX - 1) {
    throw new S3Error("InvalidArgument", "Provided max-keys not an integer or within integer range", { ArgumentName: "max-keys", ArgumentValue: raw });
  }
  return n;
}

/** The message ListObjects and ListObjectsV2 answer a negative max-keys with. */
export function assertMaxKeysNotNegative(maxKeys: number): void {
  if (maxKeys < 0) {
    throw new S3Error("InvalidArgument", "Argument maxKeys must be an integer between 0 and 2147483647", {
      ArgumentName: "maxKeys",
      ArgumentValue: String(maxKeys),
    });
  }
}

/** Whether encoding-type=url was asked for; any other value (the empty one included) is InvalidArgument. */
export function parseEncodingType(query: URLSearchParams): boolean {
  const raw = query.get("encoding-type");
  if (raw === null) return false;
  if (raw.toLowerCase() !== "url") {
    throw new S3Error("InvalidArgument", "Invalid Encoding Method specified in Request", { ArgumentName: "encoding-type", ArgumentValue: raw });
  }
  return true;
}

// A parameter of the other listing version is refused, not ignored, with S3's own wording.
const V2_ONLY: ReadonlyArray<readonly [string, string]> = [
  ["continuation-token", "continuation-token only supported in REST.GET.BUCKET with list-type=2"],
  ["start-after", "startAfter only supported in REST.GET.BUCKET with list-type=2"],
];

/** Refuses ListObjectsV2's parameters on a ListObjects (v1) request, and v1's marker on a v2 one. */
export function assertListVersionParams(query: URLSearchParams, v2: boolean): void {
  if (v2) {
    if (query.has("marker")) throw new S3Error("InvalidArgument", "Marker unsupported with REST.GET.BUCKET in list-type=2", { ArgumentName: "marker" });
    return;
  }
  for (const [name, message] of V2_ONLY) {
    if (query.has(name)) throw new S3Error("InvalidArgument", message, { ArgumentName: name });
  }
}
