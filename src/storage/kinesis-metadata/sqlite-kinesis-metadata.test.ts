import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runKinesisMetadataStoreSuite } from "./kinesis-metadata-suite.js";
import { createSqliteKinesisMetadataStore } from "./sqlite-kinesis-metadata.js";

runKinesisMetadataStoreSuite({
  name: "sqlite",
  create: () => {
    const dir = mkdtempSync(join(tmpdir(), "kinesis-meta-"));
    const path = join(dir, "kinesis.db");
    return {
      store: createSqliteKinesisMetadataStore(path),
      reopen: () => createSqliteKinesisMetadataStore(path),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});
