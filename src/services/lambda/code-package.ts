import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, normalize, sep } from "node:path";
import { unzip, type Unzipped } from "fflate";
import { LambdaError } from "./errors.js";

/** Lambda's quotas for a .zip package (Lambda quotas page): 250 MB unzipped. */
export const MAX_UNZIPPED_BYTES = 262_144_000;

/** A function's code as installed on disk. */
export interface InstalledCode {
  /** SHA-256 of the .zip, base64, as Lambda reports CodeSha256. */
  readonly sha256: string;
  /** The same digest in hex: the name of the code directory. */
  readonly sha256Hex: string;
  /** Size of the .zip in bytes (Lambda's CodeSize). */
  readonly size: number;
  /** Absolute directory the package was unpacked into (the function's LAMBDA_TASK_ROOT). */
  readonly dir: string;
}

const INVALID_ZIP = "Could not unzip uploaded file. Please check your file, then try to upload again.";

/** `<root>/<account>/<function>/<sha256-hex>`: content-addressed, so a retried upload reuses it. */
export function codeDir(root: string, accountId: string, functionName: string, sha256Hex: string): string {
  return join(root, accountId, functionName, sha256Hex);
}

function unzipAsync(zip: Uint8Array): Promise<Unzipped> {
  let total = 0;
  return new Promise((resolve, reject) => {
    unzip(
      zip,
      {
        filter(file) {
          total += file.originalSize;
          if (total > MAX_UNZIPPED_BYTES) throw new LambdaError("InvalidParameterValueException", `Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
          return true;
        },
      },
      (err, files) => (err === null ? resolve(files) : reject(err instanceof LambdaError ? err : new LambdaError("InvalidParameterValueException", INVALID_ZIP))),
    );
  });
}

/**
 * Unpacks a .zip deployment package under `root` and returns where it went. Paths that would
 * leave the directory ("../x", "/etc/x") make the package invalid. The tree is written to a
 * temporary directory first and renamed into place, so a crash never leaves half a package.
 */
export async function installCode(root: string, accountId: string, functionName: string, zip: Uint8Array): Promise<InstalledCode> {
  const digest = createHash("sha256").update(zip).digest();
  const sha256Hex = digest.toString("hex");
  const dir = codeDir(root, accountId, functionName, sha256Hex);
  const result = { sha256: digest.toString("base64"), sha256Hex, size: zip.byteLength, dir };
  // .js files are CommonJS unless the package says otherwise, as in Lambda's /var/task (no package.json above it).
  await mkdir(root, { recursive: true });
  await writeFile(join(root, "package.json"), '{ "type": "commonjs" }\n');
  if (await exists(dir)) return result;
  let files: Unzipped;
  try {
    files = await unzipAsync(zip);
  } catch (err) {
    if (err instanceof LambdaError) throw err;
    throw new LambdaError("InvalidParameterValueException", INVALID_ZIP);
  }
  const tmp = `${dir}.tmp-${randomBytes(6).toString("hex")}`;
  try {
    await mkdir(tmp, { recursive: true });
    for (const [name, data] of Object.entries(files)) {
      const rel = normalize(name.replace(/\\/g, "/"));
      if (rel.startsWith("..") || rel.startsWith(sep) || /^[A-Za-z]:/.test(rel) || rel.split(sep).includes("..")) {
        throw new LambdaError("InvalidParameterValueException", INVALID_ZIP);
      }
      const target = join(tmp, rel);
      if (name.endsWith("/")) {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, data);
    }
    await rename(tmp, dir).catch(async (err: unknown) => {
      // Another upload of the same package won the race: theirs is identical.
      if (!(await exists(dir))) throw err;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return result;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Removes one installed package, or every package of a function when `sha256Hex` is omitted. */
export async function removeCode(root: string, accountId: string, functionName: string, sha256Hex?: string): Promise<void> {
  const target = sha256Hex === undefined ? join(root, accountId, functionName) : codeDir(root, accountId, functionName, sha256Hex);
  await rm(target, { recursive: true, force: true });
}

/** Deletes code directories no function uses (left by a crash, or by updates made before a restart). */
export async function sweepCode(root: string, inUse: ReadonlySet<string>): Promise<number> {
  let removed = 0;
  const list = async (p: string): Promise<string[]> => readdir(p).catch(() => []);
  for (const account of await list(root)) {
    if (account === "package.json") continue;
    for (const fn of await list(join(root, account))) {
      for (const entry of await list(join(root, account, fn))) {
        const dir = join(root, account, fn, entry);
        if (!inUse.has(dir)) {
          await rm(dir, { recursive: true, force: true });
          removed++;
        }
      }
    }
  }
  return removed;
}
