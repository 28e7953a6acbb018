// Authentication end to end: real clients (JS SDK v3 with its default checksum trailers, the
// presigner, boto3 SigV4/SigV2, the AWS CLI) and hand-made requests that are wrong in exactly one
// way, each answered with S3's code, status and XML fields.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import type { LookupFunction } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { crc32 } from "node:zlib";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { HttpRequest } from "@smithy/core/protocols";
import { NodeHttp2Handler, NodeHttpHandler } from "@smithy/node-http-handler";
import { ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, awsEnv, clientConfig, startServer, type RunningServer } from "../helpers/server.js";
import { buildRequest, presignUrl, send, sha256Hex, signRequest, type RawResponse } from "../helpers/signed-requests.js";
import { runPytest } from "../helpers/pytest.js";
import { runCommand } from "../helpers/run-command.js";
import { assertS3Error, chunkedLength, signedChunkedBody, signedTrailerBody, unsignedTrailerBody, signingKey } from "./auth-requests.js";

const BUCKET = "auth-tests";
const md5Hex = (b: Uint8Array): string => createHash("md5").update(b).digest("hex");
const crc32Base64 = (b: Uint8Array): string => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b) >>> 0);
  return out.toString("base64");
};

/** Resolves `<anything>.localhost` to 127.0.0.1, as RFC 6761 says it should (glibc does not). */
const localhostLookup: LookupFunction = (hostname, options, callback) => {
  if (hostname === "localhost" || hostname.endsWith(".localhost")) {
    if ((options as { all?: boolean }).all === true) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: "127.0.0.1", family: 4 }]);
    else callback(null, "127.0.0.1", 4);
    return;
  }
  callback(Object.assign(new Error(`unexpected lookup of ${hostname}`), { code: "ENOTFOUND" }), "", 4);
};

describe("S3 authentication", () => {
  let server: RunningServer;
  let s3: S3Client;

  before(async () => {
    server = await startServer();
    s3 = new S3Client({ ...clientConfig(server), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "sdk/small.txt", Body: "hello, header checksum" }));
  });
  after(async () => {
    s3?.destroy();
    await server?.dispose();
  });

  const head = async (key: string): Promise<number> => (await send(await signRequest(server, { method: "HEAD", path: `/${BUCKET}/${key}` }))).status;

  // Independent of each other; the slow ones (pytest, the AWS CLI) overlap the rest.
  describe("real clients", { concurrency: true }, () => {
    test("JS SDK PutObject streams aws-chunked with STREAMING-UNSIGNED-PAYLOAD-TRAILER and a verified CRC32 trailer", async () => {
      const sent: HttpRequest[] = [];
      const inner = new NodeHttpHandler();
      const client = new S3Client({
        ...clientConfig(server),
        forcePathStyle: true,
        requestHandler: {
          handle: (req: HttpRequest, opts?: object) => {
            sent.push(req);
            return inner.handle(req, opts);
          },
          updateHttpClientConfig: () => undefined,
          httpHandlerConfigs: () => ({}),
        } as unknown as NodeHttpHandler,
      });
      try {
        const payload = randomBytes(3 * 1024 * 1024 + 123);
        const body = Readable.from(
          (function* () {
            for (let off = 0; off < payload.length; off += 100_000) yield payload.subarray(off, off + 100_000);
          })(),
        );
        const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "sdk/chunked.bin", Body: body, ContentLength: payload.length }));
        const h = sent.at(-1)!.headers;
        assert.equal(h["x-amz-content-sha256"], "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
        assert.match(h["content-encoding"] ?? "", /aws-chunked/);
        assert.equal(h["x-amz-trailer"], "x-amz-checksum-crc32");
        assert.equal(h["x-amz-decoded-content-length"], String(payload.length));
        assert.equal(put.ETag, `"${md5Hex(payload)}"`);
        assert.equal(put.ChecksumCRC32, crc32Base64(payload));

        const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "sdk/chunked.bin", ChecksumMode: "ENABLED" }));
        const bytes = Buffer.from(await got.Body!.transformToByteArray());
        assert.ok(bytes.equals(payload), "body reads back byte-identical");
        assert.equal(got.ChecksumCRC32, crc32Base64(payload));
      } finally {
        client.destroy();
      }
    });

    test("JS SDK small PutObject (checksum in a header) and GetObject", async () => {
      const payload = Buffer.from("hello, header checksum");
      const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "sdk/small-put.txt", Body: payload }));
      assert.equal(put.ETag, `"${md5Hex(payload)}"`);
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "sdk/small-put.txt" }));
      assert.equal(await got.Body!.transformToString(), payload.toString());
    });

    test("presigned GET and PUT URLs from @aws-sdk/s3-request-presigner work with plain fetch", async () => {
      const payload = randomBytes(200_000);
      const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: BUCKET, Key: "presigned/obj bin+1" }), { expiresIn: 300 });
      assert.match(putUrl, /X-Amz-Signature=/);
      const put = await fetch(putUrl, { method: "PUT", body: payload });
      assert.equal(put.status, 200, await put.clone().text());
      assert.equal(put.headers.get("etag"), `"${md5Hex(payload)}"`);

      const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: "presigned/obj bin+1" }), { expiresIn: 300 });
      const get = await fetch(getUrl);
      assert.equal(get.status, 200);
      assert.ok(Buffer.from(await get.arrayBuffer()).equals(payload));
    });

    test("JS SDK with a clock 20 minutes off: RequestTimeTooSkewed, then it re-syncs from the server's Date header", async () => {
      const client = new S3Client({ ...clientConfig(server), forcePathStyle: true, systemClockOffset: -20 * 60 * 1000, maxAttempts: 1 });
      try {
        const err = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "sdk/small.txt" })).catch((e: unknown) => e);
        assert.ok(err instanceof S3ServiceException, String(err));
        assert.equal(err.name, "RequestTimeTooSkewed");
        assert.equal(err.$metadata.httpStatusCode, 403);
        assert.ok(Math.abs(client.config.systemClockOffset) < 60_000, "offset corrected from the Date header");
        const ok = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "sdk/small.txt" }));
        assert.equal(ok.$metadata.httpStatusCode, 200);
      } finally {
        client.destroy();
      }
    });

    test("virtual-hosted-style (<bucket>.localhost:<port>) and path-style addressing both work", async () => {
      const vhostSeen: string[] = [];
      const handler = new NodeHttpHandler({ httpAgent: new http.Agent({ lookup: localhostLookup }) });
      const vhost = new S3Client({
        ...clientConfig(server),
        endpoint: `http://localhost:${server.port}`,
        forcePathStyle: false,
        requestHandler: {
          handle: (req: HttpRequest, opts?: object) => {
            vhostSeen.push(`${req.hostname} ${req.path}`);
            return handler.handle(req, opts);
          },
          updateHttpClientConfig: () => undefined,
          httpHandlerConfigs: () => ({}),
        } as unknown as NodeHttpHandler,
      });
      try {
        await vhost.send(new PutObjectCommand({ Bucket: BUCKET, Key: "vhost/a b.txt", Body: "virtual" }));
        assert.ok(vhostSeen.includes(`${BUCKET}.localhost /vhost/a%20b.txt`), vhostSeen.join("\n"));
        const viaPath = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "vhost/a b.txt" }));
        assert.equal(await viaPath.Body!.transformToString(), "virtual");
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "vhost/path.txt", Body: "path" }));
        const viaHost = await vhost.send(new GetObjectCommand({ Bucket: BUCKET, Key: "vhost/path.txt" }));
        assert.equal(await viaHost.Body!.transformToString(), "path");
        const list = await vhost.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "vhost/" }));
        assert.deepEqual(list.Contents?.map((c) => c.Key), ["vhost/a b.txt", "vhost/path.txt"]);
      } finally {
        vhost.destroy();
      }
    });

    test("HTTP/2 with prior knowledge on the same port: health, a raw signed GET and the SDK's HTTP/2 handler", async () => {
      const session = http2.connect(`http://127.0.0.1:${server.port}`);
      try {
        const h2 = (headers: http2.OutgoingHttpHeaders): Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: Buffer }> =>
          new Promise((resolve, reject) => {
            const stream = session.request(headers);
            const chunks: Buffer[] = [];
            let resHeaders: http2.IncomingHttpHeaders = {};
            stream.on("response", (h) => (resHeaders = h));
            stream.on("data", (c: Buffer) => chunks.push(c));
            stream.on("end", () => resolve({ status: Number(resHeaders[":status"]), headers: resHeaders, body: Buffer.concat(chunks) }));
            stream.on("error", reject);
            stream.end();
          });
        const health = await h2({ ":method": "GET", ":path": "/_streamlake/health" });
        assert.equal(health.status, 200);
        assert.equal((JSON.parse(health.body.toString()) as { status: string }).status, "ok");

        const signed = await signRequest(server, { method: "GET", path: `/${BUCKET}/sdk/small.txt` });
        const { host, ...rest } = signed.headers;
        const got = await h2({ ":method": "GET", ":path": signed.path, ":authority": host!, ...rest });
        assert.equal(got.status, 200, got.body.toString());
        assert.equal(got.body.toString(), "hello, header checksum");
        assert.match(String(got.headers["x-amz-request-id"]), /^[0-9A-F]{16}$/);

        const anonymous = await h2({ ":method": "GET", ":path": `/${BUCKET}/sdk/small.txt` });
        assertS3Error({ status: anonymous.status, headers: anonymous.headers as http.IncomingHttpHeaders, body: anonymous.body }, { status: 403, code: "AccessDenied", message: "Access Denied" });
      } finally {
        session.close();
      }

      const client = new S3Client({ ...clientConfig(server), forcePathStyle: true, requestHandler: new NodeHttp2Handler() });
      try {
        const payload = randomBytes(300_000);
        // A Buffer body: for a stream the SDK adds Transfer-Encoding, which its own HTTP/2 handler refuses.
        await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "h2/obj", Body: payload }));
        const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "h2/obj" }));
        assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(payload));
      } finally {
        client.destroy();
      }
    });

    test("boto3 SigV4 and SigV2 (header and presigned query forms): pytest test/py/test_s3_auth.py", async () => {
      await runPytest(server, "test_s3_auth.py", { env: { STREAMLAKE_TEST_BUCKET: BUCKET } });
    });

    test("AWS CLI: aws s3 cp up and down, aws s3 presign fetched with plain fetch", async () => {
      const dir = mkdtempSync(join(tmpdir(), "streamlake-cli-"));
      try {
        const env = awsEnv(server);
        const payload = randomBytes(2 * 1024 * 1024 + 7);
        writeFileSync(join(dir, "up.bin"), payload);
        const up = await runCommand("aws", ["s3", "cp", join(dir, "up.bin"), `s3://${BUCKET}/cli/up.bin`], { env: env });
        assert.equal(up.code, 0, up.stderr);
        const down = await runCommand("aws", ["s3", "cp", `s3://${BUCKET}/cli/up.bin`, join(dir, "down.bin")], { env: env });
        assert.equal(down.code, 0, down.stderr);
        assert.ok(readFileSync(join(dir, "down.bin")).equals(payload));
        const presign = await runCommand("aws", ["s3", "presign", `s3://${BUCKET}/cli/up.bin`, "--expires-in", "120"], { env: env });
        assert.equal(presign.code, 0, presign.stderr);
        const url = presign.stdout.toString().trim();
        assert.ok(url.startsWith(server.endpoint), url);
        const res = await fetch(url);
        assert.equal(res.status, 200, await res.clone().text());
        assert.ok(Buffer.from(await res.arrayBuffer()).equals(payload));
        const bad = await runCommand("aws", ["s3", "cp", `s3://${BUCKET}/cli/up.bin`, "-"], { env: { ...env, AWS_SECRET_ACCESS_KEY: "not-the-secret" } });
        assert.notEqual(bad.code, 0);
        assert.match(bad.stderr, /403|Forbidden|SignatureDoesNotMatch/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("refusals", () => {
    const key = "sdk/small.txt";
    const resource = `/${BUCKET}/${key}`;

    test("wrong secret: 403 SignatureDoesNotMatch with the canonical request and string to sign", async () => {
      const res = await send(await signRequest(server, { method: "GET", path: resource }, { secretAccessKey: "wrong-secret" }));
      const e = assertS3Error(res, {
        status: 403,
        code: "SignatureDoesNotMatch",
        message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        resource,
        fields: { AWSAccessKeyId: ACCESS_KEY_ID, StringToSign: /^AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/, SignatureProvided: /^[0-9a-f]{64}$/, CanonicalRequest: true, CanonicalRequestBytes: true, StringToSignBytes: true },
      });
      assert.match(e["CanonicalRequest"]!, new RegExp(`^GET\n${resource}\n\n`));
    });

    test("unknown access key: 403 InvalidAccessKeyId", async () => {
      const res = await send(await signRequest(server, { method: "GET", path: resource }, { accessKeyId: "AKIANOSUCHKEY0000000" }));
      assertS3Error(res, {
        status: 403,
        code: "InvalidAccessKeyId",
        message: "The AWS Access Key Id you provided does not exist in our records.",
        resource,
        fields: { AWSAccessKeyId: "AKIANOSUCHKEY0000000" },
      });
    });

    test("clock skewed by 20 minutes: 403 RequestTimeTooSkewed", async () => {
      const signingDate = new Date(Date.now() - 20 * 60 * 1000);
      const res = await send(await signRequest(server, { method: "GET", path: resource }, { signingDate }));
      const e = assertS3Error(res, {
        status: 403,
        code: "RequestTimeTooSkewed",
        message: "The difference between the request time and the current time is too large.",
        resource,
        fields: { RequestTime: /^\d{8}T\d{6}Z$/, ServerTime: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, MaxAllowedSkewMilliseconds: "900000" },
      });
      assert.equal(e["RequestTime"], signingDate.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, ""));
      assert.ok(Math.abs(Date.parse(e["ServerTime"]!) - Date.now()) < 60_000);
    });

    test("expired presigned URL: 403 AccessDenied 'Request has expired'", async () => {
      const signingDate = new Date(Date.now() - 2 * 3600 * 1000);
      const url = await presignUrl(server, { method: "GET", path: resource }, 3600, { signingDate });
      const res = await fetchRaw(url);
      const e = assertS3Error(res, {
        status: 403,
        code: "AccessDenied",
        message: "Request has expired",
        fields: { "X-Amz-Expires": "3600", Expires: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, ServerTime: /Z$/ },
      });
      assert.equal(Date.parse(e["Expires"]!), Math.floor(signingDate.getTime() / 1000) * 1000 + 3600_000);
    });

    test("X-Amz-Expires over 604800: 400 AuthorizationQueryParametersError", async () => {
      const url = await presignUrl(server, { method: "GET", path: resource }, 604_800);
      const res = await fetchRaw(url.replace("X-Amz-Expires=604800", "X-Amz-Expires=604801"));
      assertS3Error(res, { status: 400, code: "AuthorizationQueryParametersError", message: /X-Amz-Expires must be less than a week \(in seconds\)/ });
      // A week exactly is fine.
      assert.equal((await fetchRaw(url)).status, 200);
    });

    test("tampered body under a signed sha256: 400 XAmzContentSHA256Mismatch and nothing stored", async () => {
      const original = randomBytes(100_000);
      const tampered = Buffer.from(original);
      tampered.writeUInt8(tampered.readUInt8(50_000) ^ 0xff, 50_000);
      const req = await signRequest(server, { method: "PUT", path: `/${BUCKET}/tampered.bin`, body: original, headers: { "content-length": String(original.length) } });
      const res = await send(req, tampered);
      assertS3Error(res, {
        status: 400,
        code: "XAmzContentSHA256Mismatch",
        message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
        resource: `/${BUCKET}/tampered.bin`,
        fields: { ClientComputedContentSHA256: sha256Hex(original), S3ComputedContentSHA256: sha256Hex(tampered) },
      });
      assert.equal(await head("tampered.bin"), 404);
      // The same request with the body it signed goes through.
      assert.equal((await send(req, original)).status, 200);
    });

    test("aws-chunked with chunk signatures: a good body is stored, a broken chunk signature is 403 SignatureDoesNotMatch", async () => {
      // Large enough that a refusal at the first chunk comes while most of the body is unsent.
      const payload = randomBytes(4 * 1024 * 1024 + 1000);
      const chunk = 64 * 1024;
      const put = async (objKey: string, corrupt?: number): Promise<RawResponse> => {
        const req = await signRequest(server, {
          method: "PUT",
          path: `/${BUCKET}/${objKey}`,
          headers: {
            "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            "content-encoding": "aws-chunked",
            "x-amz-decoded-content-length": String(payload.length),
            "content-length": String(chunkedLength(payload.length, chunk)),
          },
        });
        const auth = req.headers["authorization"]!;
        const amzDate = req.headers["x-amz-date"]!;
        const scope = `${amzDate.slice(0, 8)}/${REGION}/s3/aws4_request`;
        const seed = { signature: /Signature=([0-9a-f]{64})/.exec(auth)![1]!, amzDate, scope, key: signingKey(SECRET_ACCESS_KEY, amzDate.slice(0, 8), REGION, "s3") };
        const body = signedChunkedBody(payload, chunk, seed, corrupt);
        assert.equal(body.length, chunkedLength(payload.length, chunk));
        return send(req, body);
      };
      const ok = await put("chunked/good.bin");
      assert.equal(ok.status, 200, ok.body.toString());
      assert.equal(ok.headers["etag"], `"${md5Hex(payload)}"`);
      const back = await send(await signRequest(server, { method: "GET", path: `/${BUCKET}/chunked/good.bin` }));
      assert.ok(back.body.equals(payload));

      for (const corrupt of [1, 3]) {
        const bad = await put(`chunked/bad-${corrupt}.bin`, corrupt);
        assertS3Error(bad, {
          status: 403,
          code: "SignatureDoesNotMatch",
          message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        });
        assert.equal(await head(`chunked/bad-${corrupt}.bin`), 404);
      }
    });

    test("trailing checksums: signed trailer verified (and its signature), unsigned trailer with a wrong CRC32 is BadDigest", async () => {
      const payload = randomBytes(100_000);
      const crc = crc32Base64(payload);
      const wrongCrc = crc32Base64(Buffer.from("not the payload"));
      const signedPut = async (objKey: string, trailerCrc: string, corruptTrailerSignature: boolean): Promise<RawResponse> => {
        const sample = signedTrailerBody(payload, { signature: "0".repeat(64), amzDate: "", key: Buffer.alloc(32), scope: "" }, { "x-amz-checksum-crc32": trailerCrc });
        const req = await signRequest(server, {
          method: "PUT",
          path: `/${BUCKET}/${objKey}`,
          headers: {
            "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            "content-encoding": "aws-chunked",
            "x-amz-decoded-content-length": String(payload.length),
            "x-amz-trailer": "x-amz-checksum-crc32",
            "content-length": String(sample.length),
          },
        });
        const amzDate = req.headers["x-amz-date"]!;
        const seed = {
          signature: /Signature=([0-9a-f]{64})/.exec(req.headers["authorization"]!)![1]!,
          amzDate,
          scope: `${amzDate.slice(0, 8)}/${REGION}/s3/aws4_request`,
          key: signingKey(SECRET_ACCESS_KEY, amzDate.slice(0, 8), REGION, "s3"),
        };
        return send(req, signedTrailerBody(payload, seed, { "x-amz-checksum-crc32": trailerCrc }, corruptTrailerSignature));
      };
      const ok = await signedPut("trailer/signed.bin", crc, false);
      assert.equal(ok.status, 200, ok.body.toString());
      assert.equal(ok.headers["x-amz-checksum-crc32"], crc);
      assertS3Error(await signedPut("trailer/bad-signature.bin", crc, true), {
        status: 403,
        code: "SignatureDoesNotMatch",
        message: /^The request signature we calculated does not match/,
      });
      assert.equal(await head("trailer/bad-signature.bin"), 404);
      assertS3Error(await signedPut("trailer/bad-crc-signed.bin", wrongCrc, false), { status: 400, code: "BadDigest", message: /CRC32/ });
      assert.equal(await head("trailer/bad-crc-signed.bin"), 404);

      const body = unsignedTrailerBody(payload, { "x-amz-checksum-crc32": wrongCrc });
      const res = await send(
        await signRequest(server, {
          method: "PUT",
          path: `/${BUCKET}/trailer/unsigned-bad.bin`,
          headers: {
            "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            "content-encoding": "aws-chunked",
            "x-amz-decoded-content-length": String(payload.length),
            "x-amz-trailer": "x-amz-checksum-crc32",
            "content-length": String(body.length),
          },
        }),
        body,
      );
      assertS3Error(res, { status: 400, code: "BadDigest", message: /CRC32/, resource: `/${BUCKET}/trailer/unsigned-bad.bin` });
      assert.equal(await head("trailer/unsigned-bad.bin"), 404);
    });

    test("wrong Content-MD5: 400 BadDigest and nothing stored", async () => {
      for (const size of [1000, 200_000]) {
        const body = randomBytes(size);
        const wrong = createHash("md5").update("something else").digest();
        const res = await send(
          await signRequest(server, { method: "PUT", path: `/${BUCKET}/md5-${size}`, body, headers: { "content-md5": wrong.toString("base64"), "content-length": String(size) } }),
        );
        const e = assertS3Error(res, {
          status: 400,
          code: "BadDigest",
          message: "The Content-MD5 you specified did not match what we received.",
          resource: `/${BUCKET}/md5-${size}`,
          fields: { ExpectedDigest: true, CalculatedDigest: true },
        });
        assert.ok([wrong.toString("hex"), wrong.toString("base64")].includes(e["ExpectedDigest"]!), e["ExpectedDigest"]);
        assert.ok([md5Hex(body), Buffer.from(md5Hex(body), "hex").toString("base64")].includes(e["CalculatedDigest"]!), e["CalculatedDigest"]);
        assert.equal(await head(`md5-${size}`), 404);
      }
    });

    test("malformed Authorization header: 400 AuthorizationHeaderMalformed", async () => {
      const req = await signRequest(server, { method: "GET", path: resource });
      const auth = req.headers["authorization"]!;
      for (const broken of [auth.replace(/, ?Signature=[0-9a-f]+/, ""), auth.replace(/\/s3\/aws4_request/, "/s3"), auth.replace(/Credential=[^/]+\//, "Credential=")]) {
        req.headers["authorization"] = broken;
        assertS3Error(await send(req), { status: 400, code: "AuthorizationHeaderMalformed", message: /^The authorization header is malformed; / });
      }
    });

    test("a scope for another region: 400 AuthorizationHeaderMalformed / AuthorizationQueryParametersError naming the right one", async () => {
      const res = await send(await signRequest(server, { method: "GET", path: resource }, { region: "eu-west-1" }));
      assertS3Error(res, {
        status: 400,
        code: "AuthorizationHeaderMalformed",
        message: "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
        fields: { Region: "us-east-1" },
      });
      const url = await presignUrl(server, { method: "GET", path: resource }, 60, { region: "eu-west-1" });
      assertS3Error(await fetchRaw(url), {
        status: 400,
        code: "AuthorizationQueryParametersError",
        message: "Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
        fields: { Region: "us-east-1" },
      });
    });

    test("anonymous requests: 403 AccessDenied for reads, writes and the service", async () => {
      const body = Buffer.from("anon");
      for (const r of [
        { method: "GET", path: resource },
        { method: "PUT", path: `/${BUCKET}/anon.txt`, body, headers: { "content-length": "4" } },
        { method: "GET", path: "/" },
      ]) {
        const res = await send(buildRequest(server, r));
        assertS3Error(res, { status: 403, code: "AccessDenied", message: "Access Denied" });
      }
      assert.equal(await head("anon.txt"), 404);
    });

    test("a presigned URL only allows what it signed: another key or method is SignatureDoesNotMatch", async () => {
      const url = await presignUrl(server, { method: "GET", path: resource }, 60);
      assert.equal((await fetchRaw(url)).status, 200);
      assertS3Error(await fetchRaw(url.replace("/sdk/small.txt", "/sdk/chunked.bin")), {
        status: 403,
        code: "SignatureDoesNotMatch",
        message: /^The request signature we calculated does not match/,
      });
      const del = await fetch(url, { method: "DELETE" });
      assert.equal(del.status, 403);
      assert.equal(await head(key), 200);
    });

    test("an unsigned x-amz-* header is refused", async () => {
      const req = await signRequest(server, { method: "GET", path: resource });
      req.headers["x-amz-meta-extra"] = "sneaky";
      assertS3Error(await send(req), {
        status: 403,
        code: "AccessDenied",
        message: "There were headers present in the request which were not signed",
        fields: { HeadersNotSigned: "x-amz-meta-extra" },
      });
    });

    test("UNSIGNED-PAYLOAD with header auth is accepted", async () => {
      const body = Buffer.from("unsigned payload body");
      const res = await send(
        await signRequest(server, { method: "PUT", path: `/${BUCKET}/unsigned.txt`, body, headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "content-length": String(body.length) } }),
      );
      assert.equal(res.status, 200, res.body.toString());
      assert.equal(res.headers["etag"], `"${md5Hex(body)}"`);
    });
  });

  /** GETs a URL without any client-side processing of the answer. */
  async function fetchRaw(url: string): Promise<RawResponse> {
    const res = await fetch(url);
    const headers: http.IncomingHttpHeaders = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    return { status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) };
  }
});
