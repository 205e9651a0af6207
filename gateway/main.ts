// Entry point: `node dist/gateway/main.js`. Settings come from the
// environment (common/config.ts and gateway/gateway-config.ts); SIGINT or
// SIGTERM shuts down gracefully (stop accepting, SessionClosing to every
// client, links closed), a second signal exits at once.
import { loadConfig } from '../common/config';
import { holdConfiguredCpuLatency } from '../common/cpu-latency-qos';
import { componentLogger, rootLogger } from '../common/logger';
import { startGateway } from './index';

async function main(): Promise<void> {
  const config = loadConfig();
  rootLogger(config.logLevel);
  const log = componentLogger('gateway');
  holdConfiguredCpuLatency(config.cpuLatencyUs, log);
  const handle = await startGateway({ logger: log });
  log.info({ url: handle.url, ws: handle.wsUrl }, 'gateway ready');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    handle.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: (err as Error).message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  const e = err as Error & { code?: string };
  componentLogger('gateway').fatal({ code: e.code, err: e.message }, 'gateway failed to start');
  process.exit(1);
});
