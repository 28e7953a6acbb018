// The server's life as a process: the health endpoint, `streamlake serve` flags and STREAMLAKE_*
// variables, the refusal to expose default credentials, and SIGTERM with a large PUT in flight.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { CreateBucketCommand, GetBucketLocationCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { CLI, PROJECT_ROOT, clientConfig, startServer, type RunningServer } from "../helpers/server.js";
import { send, signRequest } from "../helpers/signed-requests.js";

const md5Hex = (b: Uint8Array): string => createHash("md5").update(b).digest("hex");

/** The environment without any STREAMLAKE_* setting inherited from the caller. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("STREAMLAKE_")) env[k] = v;
  return { ...env, ...extra };
}

/** Runs `streamlake <args>` to its end (for invocations that must not start a server). */
function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    // A refusal must come before listening; a server that starts instead is stopped by the timeout.
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const tmpFiles = (server: RunningServer): string[] => readdirSync(join(server.dataDir, "blobs", "tmp"));
const blobFiles = (dataDir: string): string[] =>
  readdirSync(join(dataDir, "blobs"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^[0-9a-f]{2}$/.test(d.name))
    .flatMap((d) => readdirSync(join(dataDir, "blobs", d.name)));

const cleanup: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

describe("server lifecycle", { concurrency: true }, () => {
  test("GET /_streamlake/health answers 200 with a small JSON body", async () => {
    const server = await startServer();
    cleanup.push(() => server.dispose());
    const res = await fetch(`${server.endpoint}/_streamlake/health`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    const body = (await res.json()) as { status: string; version: string; services: string[] };
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
    assert.equal(body.status, "ok");
    assert.equal(body.version, pkg.version);
    assert.ok(body.services.includes("s3"), JSON.stringify(body));
    const head = await fetch(`${server.endpoint}/_streamlake/health`, { method: "HEAD" });
    assert.equal(head.status, 200);
  });

  test("refuses a non-loopback address with the default credentials (flag or env), exit code 2", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "streamlake-refuse-"));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    for (const [args, env] of [
      [["serve", "--host", "0.0.0.0", "--port", "0", "--data-dir", dataDir], {}],
      [["serve", "--port", "0", "--data-dir", dataDir], { STREAMLAKE_HOST: "0.0.0.0" }],
    ] as const) {
      const r = await runCli([...args], cleanEnv(env));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /refusing to listen on non-loopback address 0\.0\.0\.0 with the default credentials/);
      assert.match(r.stderr, /STREAMLAKE_ROOT_ACCESS_KEY_ID/);
      assert.doesNotMatch(r.stderr, /streamlake listening/);
    }
    // Half a credential pair is refused too rather than silently falling back to the defaults.
    const half = await runCli(["serve", "--port", "0", "--data-dir", dataDir], cleanEnv({ STREAMLAKE_ROOT_ACCESS_KEY_ID: "AKIAHALFPAIR00000000" }));
    assert.equal(half.code, 2, half.stderr);
    assert.match(half.stderr, /set both STREAMLAKE_ROOT_ACCESS_KEY_ID and STREAMLAKE_ROOT_SECRET_ACCESS_KEY/);
  });

  test("bad flags exit 2 with a message; --help prints the usage", async () => {
    const unknown = await runCli(["serve", "--no-such-flag"], cleanEnv());
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^streamlake: .*no-such-flag/m);
    const port = await runCli(["serve", "--port", "http"], cleanEnv());
    assert.equal(port.code, 2);
    assert.match(port.stderr, /invalid port "http"/);
    const region = await runCli(["serve", "--region", "Mars"], cleanEnv());
    assert.equal(region.code, 2);
    assert.match(region.stderr, /invalid region "Mars"/);
    const help = await runCli(["serve", "--help"], cleanEnv());
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: streamlake serve/);
    assert.match(help.stdout, /STREAMLAKE_REGION/);
  });

  test("0.0.0.0 with STREAMLAKE_ROOT_* set: starts, and the default key stored by an earlier run stops working", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "streamlake-exposed-"));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // First run: loopback with the documented default credentials.
    const first = await startServer({ dataDir });
    cleanup.push(() => first.dispose());
    const firstClient = new S3Client({ ...clientConfig(first), forcePathStyle: true });
    await firstClient.send(new CreateBucketCommand({ Bucket: "exposed" }));
    await firstClient.send(new PutObjectCommand({ Bucket: "exposed", Key: "k", Body: "v" }));
    firstClient.destroy();
    assert.equal(await first.stop(), 0);

    // Second run on the same data: all interfaces, the operator's own root key.
    const creds = { accessKeyId: "AKIASTREAMLAKETEST01", secretAccessKey: "s3cr3t/for+the/lifecycle+test0000000000" };
    const server = await startServer({
      dataDir,
      args: ["--host", "0.0.0.0"],
      env: { STREAMLAKE_ROOT_ACCESS_KEY_ID: creds.accessKeyId, STREAMLAKE_ROOT_SECRET_ACCESS_KEY: creds.secretAccessKey },
    });
    cleanup.push(() => server.dispose());
    assert.match(server.log(), /"msg":"streamlake listening","host":"0\.0\.0\.0"/);
    assert.doesNotMatch(server.log(), /using the default root credentials/);
    const own = new S3Client({ ...clientConfig(server), credentials: creds, forcePathStyle: true });
    const defaults = new S3Client({ ...clientConfig(server), forcePathStyle: true, maxAttempts: 1 });
    try {
      // Same account: the new root key owns what the old one created.
      const got = await own.send(new GetObjectCommand({ Bucket: "exposed", Key: "k" }));
      assert.equal(await got.Body!.transformToString(), "v");
      const err = await defaults.send(new GetObjectCommand({ Bucket: "exposed", Key: "k" })).catch((e: unknown) => e);
      assert.ok(err instanceof S3ServiceException, String(err));
      assert.equal(err.name, "InvalidAccessKeyId");
    } finally {
      own.destroy();
      defaults.destroy();
    }
  });

  test("--region and STREAMLAKE_REGION set the region the server signs for (the flag wins)", async () => {
    const cases = [
      { args: ["--region", "eu-central-1"], env: {}, region: "eu-central-1" },
      { args: [], env: { STREAMLAKE_REGION: "ap-southeast-2" }, region: "ap-southeast-2" },
      { args: ["--region", "eu-west-3"], env: { STREAMLAKE_REGION: "ap-southeast-2" }, region: "eu-west-3" },
    ];
    await Promise.all(
      cases.map(async ({ args, env, region }) => {
        const server = await startServer({ args, env });
        cleanup.push(() => server.dispose());
        assert.match(server.log(), new RegExp(`"region":"${region}"`));
        const right = new S3Client({ ...clientConfig(server), region, forcePathStyle: true });
        const wrong = new S3Client({ ...clientConfig(server), region: "us-east-1", forcePathStyle: true, maxAttempts: 1 });
        try {
          await right.send(new CreateBucketCommand({ Bucket: "regional", CreateBucketConfiguration: { LocationConstraint: region as "eu-central-1" } }));
          const loc = await right.send(new GetBucketLocationCommand({ Bucket: "regional" }));
          assert.equal(loc.LocationConstraint, region);
          const err = await wrong.send(new HeadObjectCommand({ Bucket: "regional", Key: "x" })).catch((e: unknown) => e);
          assert.ok(err instanceof S3ServiceException);
          assert.equal(err.$metadata.httpStatusCode, 400);
          const res = await fetchSigned(server, "us-east-1");
          assert.equal(res.status, 400);
          assert.match(res.body, /<Code>AuthorizationHeaderMalformed<\/Code>/);
          assert.ok(res.body.includes(`expecting &apos;${region}&apos;`) || res.body.includes(`expecting '${region}'`), res.body);
        } finally {
          right.destroy();
          wrong.destroy();
        }
      }),
    );
  });

  test("STREAMLAKE_PORT, STREAMLAKE_HOST and STREAMLAKE_DATA_DIR work without flags; a taken port is an error; SIGINT stops", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "streamlake-env-"));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const child = spawn(process.execPath, [CLI, "serve"], {
      env: cleanEnv({ STREAMLAKE_PORT: "0", STREAMLAKE_HOST: "127.0.0.1", STREAMLAKE_DATA_DIR: dataDir }),
      stdio: ["ignore", "ignore", "pipe"],
    });
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    cleanup.push(async () => {
      child.kill("SIGKILL");
      await exited;
    });
    let log = "";
    child.stderr.on("data", (c: Buffer) => (log += c.toString()));
    await waitFor("the listening line", () => /"msg":"streamlake listening"/.test(log) || child.exitCode !== null);
    const m = /"msg":"streamlake listening","host":"127\.0\.0\.1","port":(\d+),"dataDir":"([^"]+)"/.exec(log);
    assert.ok(m !== null, log);
    assert.equal(m[2], dataDir);
    const res = await fetch(`http://127.0.0.1:${m[1]}/_streamlake/health`);
    assert.equal(res.status, 200);
    assert.ok(existsSync(join(dataDir, "meta")), "metadata lives in STREAMLAKE_DATA_DIR");

    // A second server on the same port fails to start, saying why, instead of hanging.
    const clash = await runCli(["serve", "--port", m[1]!, "--data-dir", join(dataDir, "other")], cleanEnv());
    assert.equal(clash.code, 1, clash.stderr);
    assert.match(clash.stderr, /EADDRINUSE/);

    // Ctrl-C is a graceful stop too.
    child.kill("SIGINT");
    assert.equal(await exited, 0);
    assert.match(log, /"msg":"shutting down","signal":"SIGINT"/);
  });

  describe("SIGTERM with a large PUT in flight", { concurrency: true }, () => {
    const SIZE = 24 * 1024 * 1024;
    const FIRST = 2 * 1024 * 1024;

    interface InFlight {
      readonly server: RunningServer;
      readonly payload: Buffer;
      readonly request: http.ClientRequest;
      readonly response: Promise<{ status: number; body: string } | Error>;
      readonly exitCode: Promise<number | null>;
    }

    /** Starts a PUT of SIZE bytes, sends the first part, waits until the server is writing it, then SIGTERMs it. */
    async function putThenSigterm(key: string): Promise<InFlight> {
      const server = await startServer();
      cleanup.push(() => server.dispose());
      const client = new S3Client({ ...clientConfig(server), forcePathStyle: true });
      await client.send(new CreateBucketCommand({ Bucket: "graceful" }));
      client.destroy();
      const payload = randomBytes(SIZE);
      const signed = await signRequest(server, {
        method: "PUT",
        path: `/graceful/${key}`,
        headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "content-length": String(SIZE) },
      });
      const request = http.request({ method: "PUT", host: "127.0.0.1", port: server.port, path: signed.path, headers: signed.headers, agent: false });
      const response = new Promise<{ status: number; body: string } | Error>((resolve) => {
        request.on("response", (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          res.on("error", resolve);
        });
        request.on("error", resolve);
      });
      request.write(payload.subarray(0, FIRST));
      // The body is streaming into its (not yet referenced) blob file: the request is in flight inside the server.
      await waitFor("the upload's blob file", () => blobFiles(server.dataDir).length > 0);
      const exitCode = server.stop();
      await waitFor("the shutdown to begin", () => server.log().includes('"msg":"shutting down"'));
      return { server, payload, request, response, exitCode };
    }

    async function restartAndRead(dataDir: string, key: string): Promise<{ md5: string | undefined; server: RunningServer }> {
      const server = await startServer({ dataDir });
      cleanup.push(() => server.dispose());
      const client = new S3Client({ ...clientConfig(server), forcePathStyle: true });
      try {
        const got = await client.send(new GetObjectCommand({ Bucket: "graceful", Key: key })).catch((e: unknown) => e);
        if (got instanceof S3ServiceException && got.name === "NoSuchKey") return { md5: undefined, server };
        if (got instanceof Error) throw got;
        return { md5: md5Hex(Buffer.from(await (got as { Body: { transformToByteArray(): Promise<Uint8Array> } }).Body.transformToByteArray())), server };
      } finally {
        client.destroy();
      }
    }

    test("the client keeps sending: the PUT completes, the server exits 0, the object is whole after restart", async () => {
      const f = await putThenSigterm("completed");
      // New connections are no longer accepted while the in-flight request finishes.
      const refused = await fetch(`${f.server.endpoint}/_streamlake/health`).then(
        () => false,
        () => true,
      );
      assert.ok(refused, "a new connection was accepted during shutdown");
      f.request.end(f.payload.subarray(FIRST));
      const res = await f.response;
      assert.ok(!(res instanceof Error), String(res));
      assert.equal(res.status, 200, res.body);
      assert.equal(await f.exitCode, 0);
      assert.deepEqual(tmpFiles(f.server), []);
      const after = await restartAndRead(f.server.dataDir, "completed");
      assert.equal(after.md5, md5Hex(f.payload));
      assert.equal(blobFiles(f.server.dataDir).length, 1);
    });

    test("the client goes away mid-body: the server exits 0 and nothing of the object is visible or left behind", async () => {
      const f = await putThenSigterm("abandoned");
      f.request.destroy();
      assert.ok((await f.response) instanceof Error);
      assert.equal(await f.exitCode, 0);
      assert.deepEqual(tmpFiles(f.server), [], "the aborted upload's temp file was left behind");
      assert.deepEqual(blobFiles(f.server.dataDir), []);
      const after = await restartAndRead(f.server.dataDir, "abandoned");
      assert.equal(after.md5, undefined);
    });

    test("the client stalls past the shutdown deadline: the request is cut, the server exits 0, nothing is visible", async () => {
      const f = await putThenSigterm("stalled");
      const res = await f.response;
      // Cut by the deadline: either no answer at all, or an error answer.
      if (!(res instanceof Error)) assert.ok(res.status >= 400, `stalled PUT answered ${res.status}`);
      assert.equal(await f.exitCode, 0);
      assert.deepEqual(tmpFiles(f.server), [], "the cut upload's temp file was left behind");
      const after = await restartAndRead(f.server.dataDir, "stalled");
      assert.equal(after.md5, undefined);
      assert.deepEqual(blobFiles(f.server.dataDir), []);
    });
  });
});

/** A GET signed for `region`, sent as is. */
async function fetchSigned(server: RunningServer, region: string): Promise<{ status: number; body: string }> {
  const res = await send(await signRequest(server, { method: "GET", path: "/regional/x" }, { region }));
  return { status: res.status, body: res.body.toString() };
}
