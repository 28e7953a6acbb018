import type { ObjectVersion } from "./object-store.js";

/**
 * A version for tests of the object store and listings: what names it, plus whatever the test
 * cares about; the rest is a plain STANDARD object with no data, metadata, checksum or tags.
 */
export function testVersion(fields: Pick<ObjectVersion, "bucket" | "key" | "ownerAccountId"> & Partial<ObjectVersion>): ObjectVersion {
  return {
    versionId: "null",
    isDeleteMarker: false,
    size: 0,
    etag: `"${"0".repeat(32)}"`,
    lastModified: 0,
    storageClass: "STANDARD",
    headers: {},
    userMetadata: {},
    checksum: undefined,
    tags: [],
    data: { kind: "none" },
    ...fields,
  };
}
