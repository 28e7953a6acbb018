// URI encoding exactly as SigV4 canonicalization wants it: every byte except the RFC 3986
// unreserved characters (A-Z a-z 0-9 - . _ ~) becomes %XX with upper-case hex; '/' is kept in
// paths. Works on bytes so malformed UTF-8 or stray '%' never throw.

const HEX = "0123456789ABCDEF";

/** ENCODED[b] is the canonical form of byte b. */
const ENCODED: readonly string[] = Array.from({ length: 256 }, (_, b) => {
  const unreserved =
    (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e;
  return unreserved ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`;
});

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Percent-decodes `s` into bytes. A '%' not followed by two hex digits stays literal; '+' stays '+'. */
export function percentDecode(s: string): Buffer {
  const bytes = Buffer.from(s, "utf8");
  if (!bytes.includes(0x25)) return bytes;
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x25 && i + 2 < bytes.length) {
      const hi = hexValue(bytes[i + 1]!);
      const lo = hexValue(bytes[i + 2]!);
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b;
  }
  return out.subarray(0, n);
}

/** Percent-decodes `s` to a string (invalid UTF-8 becomes U+FFFD). */
export function percentDecodeString(s: string): string {
  return percentDecode(s).toString("utf8");
}

/** AWS UriEncode of raw bytes; '/' is left alone when `keepSlash`. */
export function uriEncodeBytes(bytes: Uint8Array, keepSlash: boolean): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out += keepSlash && b === 0x2f ? "/" : ENCODED[b]!;
  }
  return out;
}

/** AWS UriEncode of the UTF-8 bytes of `s`. */
export function uriEncode(s: string, keepSlash: boolean): string {
  return uriEncodeBytes(Buffer.from(s, "utf8"), keepSlash);
}

/** Removes empty, '.' and '..' segments the way the AWS SDKs do before signing (non-S3 services). */
export function normalizePath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment.length === 0 || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const lead = path.startsWith("/") ? "/" : "";
  const trail = segments.length > 0 && path.endsWith("/") ? "/" : "";
  return `${lead}${segments.join("/")}${trail}`;
}

/**
 * The canonical URIs a client may have signed for `rawPath`, most likely first.
 * S3 signs the path as sent (no second encoding, no normalization); every other service
 * normalizes it and URI-encodes the already-encoded path again (SigV4 "Create a canonical
 * request": "Each path segment must be URI-encoded twice ... except for Amazon S3").
 * The second candidate is the decoded path re-encoded the AWS way, for clients that escape
 * a different set of characters than they signed.
 */
export function canonicalUriCandidates(rawPath: string, doubleEncode: boolean): string[] {
  const path = rawPath === "" ? "/" : rawPath;
  const reencoded = uriEncodeBytes(percentDecode(path), true);
  const candidates = doubleEncode
    ? [uriEncode(normalizePath(path), true), uriEncode(normalizePath(reencoded), true)]
    : [path, reencoded];
  return candidates[0] === candidates[1] ? [candidates[0]!] : candidates;
}

/** One query parameter in canonical (encoded) form. */
interface EncodedParam {
  key: string;
  value: string;
}

/**
 * The canonical query string: each name and value decoded then AWS-encoded, sorted by name then
 * value, `name=` for empty values, joined with '&'. `exclude` drops a parameter (X-Amz-Signature).
 * With `plusAsSpace`, a literal '+' is read as a space (form encoding) instead of as '+'.
 */
export function canonicalQuery(rawQuery: string, exclude?: string, plusAsSpace = false): string {
  if (rawQuery === "") return "";
  const params: EncodedParam[] = [];
  for (const piece of rawQuery.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    let rawKey = eq < 0 ? piece : piece.slice(0, eq);
    let rawValue = eq < 0 ? "" : piece.slice(eq + 1);
    if (plusAsSpace) {
      rawKey = rawKey.replaceAll("+", "%20");
      rawValue = rawValue.replaceAll("+", "%20");
    }
    const key = uriEncodeBytes(percentDecode(rawKey), false);
    if (exclude !== undefined && key === exclude) continue;
    params.push({ key, value: uriEncodeBytes(percentDecode(rawValue), false) });
  }
  params.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  let out = "";
  for (const p of params) out += `${out === "" ? "" : "&"}${p.key}=${p.value}`;
  return out;
}

/** Decoded query parameters, first value wins; names are case-sensitive. '+' stays '+'. */
export function parseQuery(rawQuery: string): Map<string, string> {
  const params = new Map<string, string>();
  if (rawQuery === "") return params;
  for (const piece of rawQuery.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const key = percentDecodeString(eq < 0 ? piece : piece.slice(0, eq));
    if (params.has(key)) continue;
    params.set(key, eq < 0 ? "" : percentDecodeString(piece.slice(eq + 1)));
  }
  return params;
}

/** Like parseQuery but also tells whether a parameter had an '=' (SigV2 signs `acl` and `acl=` differently). */
export function parseQueryPieces(rawQuery: string): Array<{ key: string; value: string | undefined }> {
  const out: Array<{ key: string; value: string | undefined }> = [];
  if (rawQuery === "") return out;
  for (const piece of rawQuery.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    out.push({
      key: percentDecodeString(eq < 0 ? piece : piece.slice(0, eq)),
      value: eq < 0 ? undefined : percentDecodeString(piece.slice(eq + 1)),
    });
  }
  return out;
}
