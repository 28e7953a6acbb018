import { createMemoryKinesisMetadataStore } from "./memory-kinesis-metadata.js";
import { runKinesisMetadataStoreSuite } from "./kinesis-metadata-suite.js";

runKinesisMetadataStoreSuite({ name: "memory", create: () => ({ store: createMemoryKinesisMetadataStore() }) });
