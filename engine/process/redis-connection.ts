// ioredis connections for the engine process's utility work (recovery reads,
// snapshots, trimming). The journal has its own bare connection
// (resp-connection.ts): it never retries, never queues offline and never
// resends, because an XADD whose fate is unknown must stop the process
// (fail-stop), not be written twice.
import Redis from 'ioredis';

/** For snapshots, trimming and recovery reads: also fails fast instead of queueing forever. */
export function utilityConnection(
  url: string,
  name: string,
  commandTimeoutMs = 60_000,
  socketPath?: string,
): Redis {
  return new Redis(url, {
    ...(socketPath === undefined ? {} : { path: socketPath }),
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 5_000,
    connectionName: name,
  });
}
