// ioredis connections for the engine process. The journal connection never
// retries, never queues offline and never resends a command after a
// reconnect: an XADD whose fate is unknown must stop the process (fail-stop),
// not be written twice.
import Redis, { type RedisOptions } from 'ioredis';

export function journalConnection(url: string, commandTimeoutMs: number): Redis {
  const options: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: true,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 5_000,
    connectionName: 'engine-journal',
  };
  return new Redis(url, options);
}

/** For snapshots, trimming and recovery reads: also fails fast instead of queueing forever. */
export function utilityConnection(url: string, name: string, commandTimeoutMs = 60_000): Redis {
  return new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 5_000,
    connectionName: name,
  });
}
