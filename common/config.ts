// One place for every setting. Each comes from the environment with a default
// that works on a development machine; loadConfig() validates all of them at
// startup and names the first bad variable, so a typo never becomes a runtime
// surprise deep inside a hot path.

export class ConfigError extends Error {
  readonly code = 'E_CONFIG';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`config: ${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

import { CPU_LATENCY_MAX_US } from './cpu-latency-qos';

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  return v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new ConfigError(name, `expected an integer, got ${JSON.stringify(raw)}`);
  }
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `expected an integer in [${min}, ${max}], got ${raw}`);
  }
  return n;
}

function optionalInt(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  return int(env, name, min, min, max);
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const v = str(env, name, fallback);
  if (!(allowed as readonly string[]).includes(v)) {
    throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

function url(env: Env, name: string, fallback: string, protocols: readonly string[]): string {
  const v = str(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    throw new ConfigError(name, `not a URL: ${JSON.stringify(v)}`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `expected a ${protocols.join(' or ')} URL, got ${parsed.protocol}`);
  }
  return v;
}

function optionalPath(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly nodeEnv: 'development' | 'test' | 'production';
  readonly logLevel: LogLevel;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Engine shard this process owns (engine process only). */
  readonly shardId: number;
  readonly engineHost: string;
  readonly enginePort: number;
  readonly engineSocketPath: string | undefined;
  readonly gatewayHost: string;
  readonly gatewayPort: number;
  readonly tlsCertFile: string | undefined;
  readonly tlsKeyFile: string | undefined;
  readonly metricsPort: number;
  readonly settlementConcurrency: number;
  /**
   * EXCHANGE_CPU_LATENCY_US: while the engine or the gateway runs, no CPU
   * sleeps in an idle state slower than this to leave (Linux PM QoS; 0 = idle
   * CPUs poll). Unset = the machine's own idle policy. Needs root; startup
   * fails if it cannot be held. See common/cpu-latency-qos.ts.
   */
  readonly cpuLatencyUs: number | undefined;
}

/** Reads and validates every setting; throws ConfigError naming the bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const tlsCertFile = optionalPath(env, 'TLS_CERT_FILE');
  const tlsKeyFile = optionalPath(env, 'TLS_KEY_FILE');
  if ((tlsCertFile === undefined) !== (tlsKeyFile === undefined)) {
    throw new ConfigError(
      tlsCertFile === undefined ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE',
      'TLS_CERT_FILE and TLS_KEY_FILE must be set together',
    );
  }
  return {
    nodeEnv: oneOf(env, 'NODE_ENV', 'development', ['development', 'test', 'production'] as const),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', LOG_LEVELS),
    databaseUrl: url(env, 'DATABASE_URL', 'postgres://root@127.0.0.1:5432/test', [
      'postgres:',
      'postgresql:',
    ]),
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    shardId: int(env, 'SHARD_ID', 0, 0, 1023),
    engineHost: str(env, 'ENGINE_HOST', '127.0.0.1'),
    enginePort: int(env, 'ENGINE_PORT', 7100, 0, 65535),
    engineSocketPath: optionalPath(env, 'ENGINE_SOCKET'),
    gatewayHost: str(env, 'GATEWAY_HOST', '127.0.0.1'),
    gatewayPort: int(env, 'GATEWAY_PORT', 8080, 0, 65535),
    tlsCertFile,
    tlsKeyFile,
    metricsPort: int(env, 'METRICS_PORT', 9464, 0, 65535),
    settlementConcurrency: int(env, 'SETTLEMENT_CONCURRENCY', 4, 1, 256),
    cpuLatencyUs: optionalInt(env, 'EXCHANGE_CPU_LATENCY_US', 0, CPU_LATENCY_MAX_US),
  };
}
