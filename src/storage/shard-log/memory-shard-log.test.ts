import { createMemoryShardLogStore } from "./memory-shard-log.js";
import { runShardLogStoreSuite } from "./shard-log-suite.js";

runShardLogStoreSuite("memory", async () => {
  // One store for the whole run: its data outlives close(), which is how the suite "restarts".
  const store = createMemoryShardLogStore();
  return {
    openStore: () => store,
    cleanup: async () => store.close(),
  };
});
