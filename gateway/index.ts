// The gateway server (uWebSockets.js): binary WebSocket protocol on /ws,
// public REST and /metrics on the same port. startGateway() is used by
// gateway/main.ts, the start script, tests and benchmarks.
import Redis from 'ioredis';
import postgres from 'postgres';
import { type Config, loadConfig } from '../common/config';
import { componentLogger, type Logger } from '../common/logger';
import { Gateway } from './gateway';
import { type GatewayConfig, loadGatewayConfig } from './gateway-config';

export { hashApiSecret, logonPayload } from './api-keys';
export { GatewayError, type GatewayErrorCode } from './errors';
export { type GatewayConfig, loadGatewayConfig, type ShardEndpoint } from './gateway-config';
export { CloseCode } from './protocol';
export { Gateway };

export interface StartGatewayOptions {
  /** Overrides of loadConfig(env) (e.g. gatewayPort: 0 for a free port). */
  readonly config?: Partial<Config>;
  /** Overrides of loadGatewayConfig(config, env). */
  readonly gateway?: Partial<GatewayConfig>;
  /** Environment to read settings from (default process.env). */
  readonly env?: Record<string, string | undefined>;
  readonly logger?: Logger;
  /** Resolve only once every engine shard is linked and synced (ms to wait; 0 = do not wait). */
  readonly waitForEngineMs?: number;
}

export interface GatewayHandle {
  /** The port actually listened on (useful with gatewayPort 0). */
  readonly port: number;
  readonly tls: boolean;
  /** http(s)://host:port */
  readonly url: string;
  /** ws(s)://host:port/ws */
  readonly wsUrl: string;
  readonly gateway: Gateway;
  /** Graceful shutdown (SessionClosing to clients, links closed); idempotent. */
  close(): Promise<void>;
}

export async function startGateway(options: StartGatewayOptions = {}): Promise<GatewayHandle> {
  const env = options.env ?? process.env;
  const config: Config = { ...loadConfig(env), ...options.config };
  const gw: GatewayConfig = { ...loadGatewayConfig(config, env), ...options.gateway };
  const log = options.logger ?? componentLogger('gateway');
  const sql = postgres(config.databaseUrl, { max: 4, onnotice: () => {}, connect_timeout: 5 });
  const redis = new Redis(config.redisUrl, {
    maxRetriesPerRequest: 2,
    enableAutoPipelining: false,
  });
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis error'));
  let gateway: Gateway;
  try {
    gateway = new Gateway({ config, gw, log, sql, redis });
    await gateway.start();
    if ((options.waitForEngineMs ?? 0) > 0) await gateway.waitForEngines(options.waitForEngineMs!);
  } catch (err) {
    await gatewayCleanup(undefined, sql, redis);
    throw err;
  }
  const scheme = gateway.tls ? 'https' : 'http';
  const host = config.gatewayHost.includes(':') ? `[${config.gatewayHost}]` : config.gatewayHost;
  let closed: Promise<void> | undefined;
  return {
    port: gateway.port,
    tls: gateway.tls,
    url: `${scheme}://${host}:${gateway.port}`,
    wsUrl: `${gateway.tls ? 'wss' : 'ws'}://${host}:${gateway.port}/ws`,
    gateway,
    close(): Promise<void> {
      closed ??= gatewayCleanup(gateway, sql, redis);
      return closed;
    },
  };
}

async function gatewayCleanup(
  gateway: Gateway | undefined,
  sql: postgres.Sql,
  redis: Redis,
): Promise<void> {
  try {
    await gateway?.close();
  } finally {
    await sql.end({ timeout: 2 });
    redis.disconnect();
  }
}
