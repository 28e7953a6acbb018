import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createSqliteIdentityStore } from "../storage/identity/sqlite-identity-store.js";
import { OffsetClock, systemClock, type Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import { createSupervisor } from "../workers/supervisor.js";
import { createAdminHandler } from "./admin.js";
import type { Config } from "./config.js";
import { createDispatcher } from "./dispatch.js";
import { createListener } from "./listener.js";
import { createServices } from "./services.js";

export interface AppOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Defaults to the system clock, or to a movable one when config.clockControl is on. */
  readonly clock?: Clock;
  readonly version?: string;
}

export interface App {
  /** Starts services and listens; resolves with the bound port. */
  start(): Promise<number>;
  /** Graceful stop: no new requests, in-flight ones finish (up to `deadlineMs`), stores close. */
  stop(deadlineMs?: number): Promise<void>;
}

/** Builds the whole server from its parts: stores, services, dispatcher, one listener. */
export function createApp(options: AppOptions): App {
  const { config, logger } = options;
  mkdirSync(config.dataDir, { recursive: true });
  const offsetClock = config.clockControl ? new OffsetClock() : undefined;
  const clock = options.clock ?? offsetClock ?? systemClock;
  const identities = createSqliteIdentityStore(join(config.dataDir, "meta", "identity.db"));
  const rootArn = `arn:aws:iam::${config.accountId}:root`;
  // The configured root key is the only root key: one stored by an earlier run (the documented
  // defaults, say) must stop working once the operator sets STREAMLAKE_ROOT_* credentials.
  for (const key of identities.listAccessKeys(config.accountId)) {
    if (key.principalArn === rootArn && key.accessKeyId !== config.rootAccessKeyId) identities.deleteAccessKey(key.accessKeyId);
  }
  identities.putAccessKey({
    accessKeyId: config.rootAccessKeyId,
    secretAccessKey: config.rootSecretAccessKey,
    accountId: config.accountId,
    principalArn: rootArn,
    status: "Active",
    createdAt: identities.getAccessKey(config.rootAccessKeyId)?.createdAt ?? clock.now(),
  });
  const workers = createSupervisor(logger);
  const services = createServices({ config, clock, logger, accessKeys: identities, workers });
  const shutdown = new AbortController();
  let ready = false;
  const admin = createAdminHandler({
    version: options.version ?? "0.0.0",
    services: services.map((s) => s.name),
    clock: offsetClock,
    ready: () => ready,
    workers: () => workers.list(),
  });
  const dispatcher = createDispatcher({ config, clock, logger, services, identities, shutdown: shutdown.signal, admin });
  const listener = createListener(dispatcher.handle);
  let stopping: Promise<void> | undefined;

  return {
    async start() {
      for (const s of services) await s.start?.();
      const port = await listener.listen(config.port, config.host);
      ready = true;
      return port;
    },
    stop(deadlineMs = 10_000) {
      stopping ??= (async () => {
        ready = false;
        const closing = listener.close(deadlineMs);
        // Give in-flight requests the deadline, then abort what is left.
        const timer = setTimeout(() => shutdown.abort(), deadlineMs);
        await closing;
        clearTimeout(timer);
        shutdown.abort();
        // Connections are gone, but handlers may still be cleaning up (an aborted upload removing
        // its temp file, a commit in progress): let them finish before the stores close.
        let giveUp: NodeJS.Timeout | undefined;
        await Promise.race([dispatcher.idle(), new Promise<void>((r) => (giveUp = setTimeout(r, deadlineMs)))]);
        clearTimeout(giveUp);
        if (dispatcher.inFlight() > 0) logger.warn("stopping with requests still being handled", { inFlight: dispatcher.inFlight() });
        for (const s of [...services].reverse()) {
          try {
            await s.stop?.();
          } catch (err) {
            logger.error("service stop failed", { service: s.name, err: String(err) });
          }
        }
        // Services stop their own workers; this only catches one left registered.
        await workers.stop(deadlineMs);
        identities.close();
      })();
      return stopping;
    },
  };
}
