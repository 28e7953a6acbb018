// S3 listings end to end with @aws-sdk/client-s3 (its paginators, delimiters, url encoding), the
// wire XML they parse, ListObjectVersions and bucket versioning; then boto3 paginators and the AWS
// CLI (`aws s3 ls`, `aws s3api list-object-versions`) through pytest test/py/test_s3_listing.py.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { after, before, describe, test } from "node:test";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  ListObjectsCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  paginateListObjectsV2,
  type BucketVersioningStatus,
  type ListObjectVersionsCommandOutput,
  type ListObjectsV2CommandInput,
} from "@aws-sdk/client-s3";
import type { DeserializeMiddleware, MetadataBearer, MiddlewareStack } from "@smithy/types";
import { runPytest } from "../helpers/pytest.js";
import { clientConfig, startServer, type RunningServer } from "../helpers/server.js";

let server: RunningServer;
let s3: S3Client;

const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

const BUCKET = "listing-js";
const TREE = [
  "photos/2024/a.jpg",
  "photos/2024/b.jpg",
  "photos/2025/c.jpg",
  "photos/readme",
  "docs/x.txt",
  "docs/y/z.txt",
  "docs::a::b",
  "docs::c",
  "top",
  "a\u00e9",
  "a\uffff",
  "a\u{1F600}",
  "sp ace/k",
  "plus+key",
  "pct%25",
  "ctl\u0001key",
  "xml&<>\"'",
  "q?#k",
];
const BULK = Array.from({ length: 60 }, (_, i) => `bulk/${String(i).padStart(4, "0")}`);
const ALL = [...TREE, ...BULK].sort(byBytes);

/** Runs `fn` over `items`, `width` at a time. */
async function inParallel<T>(items: readonly T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** Asserts a call fails with this S3 error code, status and (optionally) message. */
async function rejects(p: Promise<unknown>, code: string, status: number, message?: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof S3ServiceException, String(err));
    assert.equal(err.name, code, err.message);
    assert.equal(err.$metadata.httpStatusCode, status);
    if (message !== undefined) assert.equal(err.message, message);
    return;
  }
  assert.fail(`expected ${code}`);
}

type Command = ListObjectsV2Command | ListObjectsCommand | ListObjectVersionsCommand;
/** The part of a command's middleware stack these tests use, typed once for all three commands. */
type Stack = MiddlewareStack<object, MetadataBearer>;
const stackOf = (command: Command): Stack => command.middlewareStack as unknown as Stack;

/** Replaces query parameters before signing, to send what no SDK input can express. */
function withQuery<C extends Command>(command: C, params: Record<string, string>): C {
  stackOf(command).add(
    (next) => async (args) => {
      Object.assign((args.request as { query: Record<string, string> }).query, params);
      return next(args);
    },
    { step: "build", name: "overrideQuery" },
  );
  return command;
}

/** Sends a command and returns the XML the server answered with, as the SDK received it. */
async function wireXml(command: Command): Promise<string> {
  let raw = "";
  const capture: DeserializeMiddleware<object, MetadataBearer> = (next) => async (args) => {
    const out = await next(args);
    const res = out.response as { body: Readable };
    const chunks: Buffer[] = [];
    for await (const c of res.body) chunks.push(Buffer.from(c as Uint8Array));
    raw = Buffer.concat(chunks).toString("utf8");
    res.body = Readable.from([Buffer.from(raw, "utf8")]);
    return out;
  };
  stackOf(command).addRelativeTo(capture, { relation: "after", toMiddleware: "deserializerMiddleware", name: "captureWireXml" });
  await s3.send(command as ListObjectsV2Command);
  return raw;
}

/** The names of the root's child elements, in order. */
const childNames = (xml: string): string[] => {
  const body = xml.replace(/^<\?xml[^>]*>\s*<(\w+)[^>]*>/, "").replace(/<\/\w+>$/, "");
  const names: string[] = [];
  let depth = 0;
  for (const m of body.matchAll(/<(\/?)(\w+)>/g)) {
    if (m[1] === "/") depth--;
    else {
      if (depth === 0) names.push(m[2]!);
      depth++;
    }
  }
  return names;
};

/** Decodes an encoding-type=url value (space arrives as '+'). */
const urlDecode = (v: string): string => decodeURIComponent(v.replace(/\+/g, " "));

before(async () => {
  server = await startServer();
  s3 = new S3Client({ ...clientConfig(server), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await inParallel([...TREE, ...BULK], 16, (Key) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: Key })));
});
after(async () => {
  s3?.destroy();
  await server?.dispose();
});

describe("ListObjectsV2", () => {
  const listAll = async (input: Omit<ListObjectsV2CommandInput, "Bucket">, pageSize: number) => {
    const keys: string[] = [];
    const prefixes: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize }, { Bucket: BUCKET, ...input })) {
      pages++;
      assert.ok((page.KeyCount ?? 0) <= pageSize);
      assert.equal(page.KeyCount, (page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0));
      if (page.IsTruncated) assert.notEqual(page.NextContinuationToken, undefined);
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      prefixes.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
    }
    return { keys, prefixes, pages };
  };

  test("paginateListObjectsV2 walks every key once, in UTF-8 byte order", async () => {
    const { keys, pages } = await listAll({}, 7);
    assert.deepEqual(keys, ALL);
    assert.equal(pages, Math.ceil(ALL.length / 7));
    // S3 orders by bytes: U+FFFF (EF BF BF) before an emoji (F0 ...), unlike JS string order.
    assert.ok(keys.indexOf("a\uffff") < keys.indexOf("a\u{1F600}"));
  });

  test("a delimiter rolls folders up into CommonPrefixes, across pages too", async () => {
    const one = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: "/" }));
    assert.deepEqual(
      (one.CommonPrefixes ?? []).map((p) => p.Prefix),
      ["bulk/", "docs/", "photos/", "sp ace/"],
    );
    assert.deepEqual(
      (one.Contents ?? []).map((o) => o.Key),
      ALL.filter((k) => !k.includes("/")),
    );
    assert.equal(one.Delimiter, "/");
    assert.equal(one.KeyCount, 4 + ALL.filter((k) => !k.includes("/")).length);
    const paged = await listAll({ Delimiter: "/" }, 2);
    assert.deepEqual(paged.prefixes, ["bulk/", "docs/", "photos/", "sp ace/"]);
    assert.deepEqual(paged.keys, (one.Contents ?? []).map((o) => o.Key));

    const photos = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "photos/", Delimiter: "/" }));
    assert.deepEqual((photos.Contents ?? []).map((o) => o.Key), ["photos/readme"]);
    assert.deepEqual((photos.CommonPrefixes ?? []).map((p) => p.Prefix), ["photos/2024/", "photos/2025/"]);
    assert.equal(photos.Prefix, "photos/");

    const multi = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "docs", Delimiter: "::" }));
    assert.deepEqual((multi.CommonPrefixes ?? []).map((p) => p.Prefix), ["docs::"]);
    assert.deepEqual((multi.Contents ?? []).map((o) => o.Key), ["docs/x.txt", "docs/y/z.txt"]);
  });

  test("start-after, continuation tokens (echoed; a forged one refused), fetch-owner", async () => {
    const after = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, StartAfter: "photos/2025/", MaxKeys: 2 }));
    assert.deepEqual((after.Contents ?? []).map((o) => o.Key), ["photos/2025/c.jpg", "photos/readme"]);
    assert.equal(after.StartAfter, "photos/2025/");
    assert.equal(after.IsTruncated, true);
    const token = after.NextContinuationToken!;
    assert.ok(!token.includes("photos"), "the token is opaque");
    const next = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, StartAfter: "photos/2025/", ContinuationToken: token, MaxKeys: 2 }));
    assert.equal(next.ContinuationToken, token);
    assert.equal(next.StartAfter, "photos/2025/");
    assert.deepEqual((next.Contents ?? []).map((o) => o.Key), ALL.slice(ALL.indexOf("photos/readme") + 1, ALL.indexOf("photos/readme") + 3));

    await rejects(
      s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: "bm90LWEtdG9rZW4=" })),
      "InvalidArgument",
      400,
      "The continuation token provided is incorrect",
    );

    const plain = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 1 }));
    assert.equal(plain.Contents![0]!.Owner, undefined);
    const owned = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 1, FetchOwner: true }));
    assert.match(owned.Contents![0]!.Owner!.ID!, /^[0-9a-f]{64}$/);
  });

  test("encoding-type=url encodes keys, prefixes, delimiter and start-after as S3 does", async () => {
    const res = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, EncodingType: "url", Delimiter: "/", StartAfter: "a b" }));
    assert.equal(res.EncodingType, "url");
    const keys = (res.Contents ?? []).map((o) => o.Key!);
    for (const [raw, encoded] of [
      ["plus+key", "plus%2Bkey"],
      ["pct%25", "pct%2525"],
      ["ctl\u0001key", "ctl%01key"],
      ["a\u00e9", "a%C3%A9"],
      ["xml&<>\"'", "xml%26%3C%3E%22%27"],
      ["q?#k", "q%3F%23k"],
    ] as const) {
      assert.ok(keys.includes(encoded), `${JSON.stringify(raw)} comes back as ${encoded}: ${keys.join(" ")}`);
    }
    assert.deepEqual(keys.map(urlDecode), ALL.filter((k) => !k.includes("/") && byBytes(k, "a b") > 0));
    assert.ok((res.CommonPrefixes ?? []).some((p) => p.Prefix === "sp+ace/"));
    assert.equal(res.StartAfter, "a+b");
    assert.equal(res.Delimiter, "/");
    await rejects(
      s3.send(withQuery(new ListObjectsV2Command({ Bucket: BUCKET }), { "encoding-type": "base64" })),
      "InvalidArgument",
      400,
      "Invalid Encoding Method specified in Request",
    );
  });

  test("max-keys: 0 is an empty untruncated page, over 1000 is served at 1000, and junk is refused", async () => {
    const zero = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 0 }));
    assert.equal(zero.KeyCount, 0);
    assert.equal(zero.IsTruncated, false);
    const big = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 5000 }));
    assert.equal(big.MaxKeys, 5000);
    assert.equal(big.KeyCount, ALL.length);
    await rejects(
      s3.send(withQuery(new ListObjectsV2Command({ Bucket: BUCKET }), { "max-keys": "blah" })),
      "InvalidArgument",
      400,
      "Provided max-keys not an integer or within integer range",
    );
    await rejects(s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: -1 })), "InvalidArgument", 400, "Argument maxKeys must be an integer between 0 and 2147483647");
    await rejects(s3.send(withQuery(new ListObjectsV2Command({ Bucket: BUCKET }), { marker: "a" })), "InvalidArgument", 400);
    await rejects(s3.send(new ListObjectsV2Command({ Bucket: "no-such-listing-bucket" })), "NoSuchBucket", 404);
  });

  test("the wire XML has S3's element order, Contents before CommonPrefixes", async () => {
    const xml = await wireXml(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "docs", Delimiter: "/", MaxKeys: 2, EncodingType: "url" }));
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<ListBucketResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/">/);
    assert.deepEqual(childNames(xml), ["Name", "Prefix", "NextContinuationToken", "KeyCount", "MaxKeys", "Delimiter", "EncodingType", "IsTruncated", "Contents", "CommonPrefixes"]);
    const contents = /<Contents>(.*?)<\/Contents>/.exec(xml)![1]!;
    assert.deepEqual(childNames(`<?xml?><R>${contents}</R>`), ["Key", "LastModified", "ETag", "ChecksumAlgorithm", "ChecksumType", "Size", "StorageClass"]);
  });
});

describe("ListObjects (v1)", () => {
  test("marker, NextMarker only with a delimiter, Owner on every entry", async () => {
    const first = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, MaxKeys: 3, Delimiter: "/" }));
    assert.equal(first.IsTruncated, true);
    assert.equal(first.Marker, "");
    const names = [...(first.Contents ?? []).map((o) => o.Key!), ...(first.CommonPrefixes ?? []).map((p) => p.Prefix!)].sort(byBytes);
    assert.equal(first.NextMarker, names[names.length - 1]);
    for (const o of first.Contents ?? []) assert.match(o.Owner!.ID!, /^[0-9a-f]{64}$/);

    const flat = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, MaxKeys: 3 }));
    assert.equal(flat.IsTruncated, true);
    assert.equal(flat.NextMarker, undefined);

    // Page v1 the way clients do: NextMarker, or the last key when there is none.
    const seen: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, MaxKeys: 11, Marker: marker }));
      const keys = (page.Contents ?? []).map((o) => o.Key!);
      seen.push(...keys);
      if (!page.IsTruncated) break;
      marker = page.NextMarker ?? keys[keys.length - 1];
    }
    assert.deepEqual(seen, ALL);

    const inside = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, Delimiter: "/", Marker: "photos/2024/a.jpg" }));
    assert.equal(inside.Marker, "photos/2024/a.jpg");
    assert.ok(!(inside.CommonPrefixes ?? []).some((p) => p.Prefix === "photos/"), "a marker inside a common prefix skips it");
    assert.deepEqual((inside.CommonPrefixes ?? []).map((p) => p.Prefix), ["sp ace/"]);
  });

  test("encoding-type=url covers Marker and NextMarker; the wire order is S3's", async () => {
    const res = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, EncodingType: "url", Delimiter: "/", Marker: "plus+key", MaxKeys: 1 }));
    assert.equal(res.Marker, "plus%2Bkey");
    assert.equal(res.NextMarker, "q%3F%23k");
    const xml = await wireXml(new ListObjectsCommand({ Bucket: BUCKET, Delimiter: "/", MaxKeys: 1 }));
    assert.deepEqual(childNames(xml), ["Name", "Prefix", "Marker", "NextMarker", "MaxKeys", "Delimiter", "IsTruncated", "Contents"]);
    await rejects(s3.send(withQuery(new ListObjectsCommand({ Bucket: BUCKET }), { "start-after": "a" })), "InvalidArgument", 400, "startAfter only supported in REST.GET.BUCKET with list-type=2");
    const zero = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, MaxKeys: 0 }));
    assert.equal(zero.IsTruncated, false);
    assert.equal(zero.Contents, undefined);
  });
});

describe("bucket versioning and ListObjectVersions", () => {
  const VB = "listing-versions";

  const versionsOf = async (input: { Prefix?: string; Delimiter?: string; MaxKeys?: number } = {}) => {
    const entries: string[] = [];
    const prefixes: string[] = [];
    let KeyMarker: string | undefined;
    let VersionIdMarker: string | undefined;
    for (let i = 0; ; i++) {
      assert.ok(i < 500, "listing never ended");
      const xml = await wireXml(new ListObjectVersionsCommand({ Bucket: VB, ...input, KeyMarker, VersionIdMarker }));
      for (const m of xml.matchAll(/<(Version|DeleteMarker)><Key>([^<]*)<\/Key><VersionId>([^<]*)<\/VersionId><IsLatest>(true|false)<\/IsLatest>/g)) {
        entries.push(`${m[1] === "Version" ? "V" : "D"}:${m[2]}${m[4] === "true" ? "*" : ""}`);
      }
      for (const m of xml.matchAll(/<CommonPrefixes><Prefix>([^<]*)<\/Prefix><\/CommonPrefixes>/g)) prefixes.push(m[1]!);
      if (!xml.includes("<IsTruncated>true</IsTruncated>")) break;
      KeyMarker = /<NextKeyMarker>([^<]*)</.exec(xml)![1]!;
      VersionIdMarker = /<NextVersionIdMarker>([^<]*)</.exec(xml)?.[1];
    }
    return { entries, prefixes };
  };

  test("versioning states: none, Enabled, Suspended; a bad configuration is MalformedXML", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: VB }));
    const none = await s3.send(new GetBucketVersioningCommand({ Bucket: VB }));
    assert.equal(none.Status, undefined);
    // An unversioned bucket lists each object once, version id null.
    await s3.send(new PutObjectCommand({ Bucket: VB, Key: "k/old", Body: "0" }));
    const nulls = await s3.send(new ListObjectVersionsCommand({ Bucket: VB }));
    assert.deepEqual(nulls.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest]), [["k/old", "null", true]]);

    await rejects(
      s3.send(new PutBucketVersioningCommand({ Bucket: VB, VersioningConfiguration: { Status: "On" as BucketVersioningStatus } })),
      "MalformedXML",
      400,
    );
    for (const Status of ["Suspended", "Enabled"] as const) {
      await s3.send(new PutBucketVersioningCommand({ Bucket: VB, VersioningConfiguration: { Status } }));
      assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: VB }))).Status, Status);
    }
    await rejects(s3.send(new GetBucketVersioningCommand({ Bucket: "no-such-listing-bucket" })), "NoSuchBucket", 404);
  });

  test("versions newest first, delete markers interleaved in order, paged to the same answer", async () => {
    for (const body of ["1", "2", "3"]) await s3.send(new PutObjectCommand({ Bucket: VB, Key: "a", Body: body }));
    await s3.send(new DeleteObjectCommand({ Bucket: VB, Key: "a" }));
    await s3.send(new PutObjectCommand({ Bucket: VB, Key: "b", Body: "b" }));
    await s3.send(new PutObjectCommand({ Bucket: VB, Key: "k/new", Body: "n" }));
    await s3.send(new DeleteObjectCommand({ Bucket: VB, Key: "k/old" }));

    const want = ["D:a*", "V:a", "V:a", "V:a", "V:b*", "V:k/new*", "D:k/old*", "V:k/old"];
    const full = await versionsOf();
    assert.deepEqual(full.entries, want);
    for (const MaxKeys of [1, 2, 3]) assert.deepEqual((await versionsOf({ MaxKeys })).entries, want, `MaxKeys=${MaxKeys}`);
    const folders = await versionsOf({ Delimiter: "/", MaxKeys: 2 });
    assert.deepEqual(folders.entries, ["D:a*", "V:a", "V:a", "V:a", "V:b*"]);
    assert.deepEqual(folders.prefixes, ["k/"]);

    const sdk: ListObjectVersionsCommandOutput = await s3.send(new ListObjectVersionsCommand({ Bucket: VB, Prefix: "a" }));
    assert.equal(sdk.DeleteMarkers?.length, 1);
    assert.equal(sdk.Versions?.length, 3);
    assert.ok(sdk.Versions!.every((v) => v.VersionId !== "null" && v.IsLatest === false && v.Size === 1));
    assert.match(sdk.DeleteMarkers![0]!.Owner!.ID!, /^[0-9a-f]{64}$/);

    // ListObjectsV2 shows only keys whose latest version is not a delete marker.
    const live = await s3.send(new ListObjectsV2Command({ Bucket: VB }));
    assert.deepEqual((live.Contents ?? []).map((o) => o.Key), ["b", "k/new"]);
  });

  test("ListObjectVersions refuses markers as S3 does", async () => {
    await rejects(
      s3.send(new ListObjectVersionsCommand({ Bucket: VB, VersionIdMarker: "abc" })),
      "InvalidArgument",
      400,
      "A version-id marker cannot be specified without a key marker.",
    );
    await rejects(
      s3.send(withQuery(new ListObjectVersionsCommand({ Bucket: VB, KeyMarker: "a" }), { "version-id-marker": "" })),
      "InvalidArgument",
      400,
      "A version-id marker cannot be empty.",
    );
    await rejects(s3.send(new ListObjectVersionsCommand({ Bucket: VB, MaxKeys: -1 })), "InvalidArgument", 400, "max-keys cannot be negative");
    const xml = await wireXml(new ListObjectVersionsCommand({ Bucket: VB, MaxKeys: 1, EncodingType: "url" }));
    assert.deepEqual(childNames(xml).slice(0, 9), ["Name", "Prefix", "KeyMarker", "VersionIdMarker", "NextKeyMarker", "NextVersionIdMarker", "MaxKeys", "EncodingType", "IsTruncated"]);
  });
});

test("boto3 paginators and the AWS CLI: pytest test/py/test_s3_listing.py", async () => {
  await runPytest(server, "test_s3_listing.py");
});
