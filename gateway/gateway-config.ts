// Gateway-only settings, beyond common/config.ts (which holds the listener
// address, TLS files, Postgres and Redis URLs and the default engine address).
// Validated the same way: the first bad variable is named in a ConfigError.
import { hostname } from 'node:os';
import { type Config, ConfigError } from '../common/config';

type Env = Record<string, string | undefined>;

/** Where one engine shard's link listens. */
export type ShardEndpoint =
  | { readonly shardId: number; readonly host: string; readonly port: number }
  | { readonly shardId: number; readonly socketPath: string };

export type DeadManSwitchMode = 'auto' | 'engine' | 'gateway';

export interface GatewayConfig {
  /** GATEWAY_ID: names this gateway in links, logs, session ids and audit rows. */
  readonly gatewayId: string;
  /**
   * GATEWAY_ENGINE_SHARDS: `shard=host:port` or `shard=unix:/path`, comma
   * separated; default one shard 0 at ENGINE_SOCKET or ENGINE_HOST:ENGINE_PORT.
   */
  readonly shards: readonly ShardEndpoint[];
  /** GATEWAY_ENGINE_TIMEOUT_MS: an engine request unanswered this long gets ENGINE_TIMEOUT. */
  readonly engineTimeoutMs: number;
  /** GATEWAY_LINK_RECONNECT_MS: delay between engine link connection attempts. */
  readonly linkReconnectMs: number;
  /**
   * GATEWAY_DEAD_MAN_SWITCH: where dead-man's switches run. `engine` (the
   * default: the LinkDeadManSwitch request; journaled by the engine, survives
   * gateway and engine restarts), `gateway` (an interim timer in this
   * process), `auto` (engine, falling back to gateway only for an engine that
   * answers UNSUPPORTED_MESSAGE, i.e. one built before it had switches).
   */
  readonly deadManSwitch: DeadManSwitchMode;
  /** GATEWAY_REFERENCE_REFRESH_MS: how often markets and assets are re-read from Postgres. */
  readonly referenceRefreshMs: number;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) {
    throw new ConfigError(name, `expected a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  const n = Number(raw.trim());
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `expected an integer in [${min}, ${max}], got ${raw}`);
  }
  return n;
}

function parseShards(env: Env, base: Config): ShardEndpoint[] {
  const name = 'GATEWAY_ENGINE_SHARDS';
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') {
    return base.engineSocketPath !== undefined
      ? [{ shardId: 0, socketPath: base.engineSocketPath }]
      : [{ shardId: 0, host: base.engineHost, port: base.enginePort }];
  }
  const out: ShardEndpoint[] = [];
  for (const part of raw.split(',')) {
    const m = /^\s*(\d{1,4})\s*=\s*(.+?)\s*$/.exec(part);
    if (m === null) {
      throw new ConfigError(
        name,
        `expected shard=host:port or shard=unix:/path, got ${JSON.stringify(part)}`,
      );
    }
    const shardId = Number(m[1]);
    if (shardId > 1023) throw new ConfigError(name, `shard id ${shardId} above 1023`);
    if (out.some((s) => s.shardId === shardId))
      throw new ConfigError(name, `shard ${shardId} listed twice`);
    const target = m[2]!;
    if (target.startsWith('unix:')) {
      const socketPath = target.slice(5);
      if (socketPath === '') throw new ConfigError(name, `shard ${shardId}: empty socket path`);
      out.push({ shardId, socketPath });
      continue;
    }
    const hp = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(target);
    const port = hp === null ? Number.NaN : Number(hp[2]);
    if (hp === null || !(port >= 1 && port <= 65535)) {
      throw new ConfigError(
        name,
        `shard ${shardId}: expected host:port, got ${JSON.stringify(target)}`,
      );
    }
    out.push({ shardId, host: hp[1]!.replace(/^\[|\]$/g, ''), port });
  }
  return out.sort((a, b) => a.shardId - b.shardId);
}

/** Reads and validates the gateway's own settings; throws ConfigError naming the bad variable. */
export function loadGatewayConfig(base: Config, env: Env = process.env): GatewayConfig {
  const gatewayId =
    env.GATEWAY_ID === undefined || env.GATEWAY_ID === ''
      ? `gw-${hostname()}-${process.pid}`
      : env.GATEWAY_ID;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(gatewayId)) {
    throw new ConfigError(
      'GATEWAY_ID',
      `expected 1-64 of [A-Za-z0-9_.-], got ${JSON.stringify(gatewayId)}`,
    );
  }
  const dms =
    env.GATEWAY_DEAD_MAN_SWITCH === undefined || env.GATEWAY_DEAD_MAN_SWITCH === ''
      ? 'engine'
      : env.GATEWAY_DEAD_MAN_SWITCH;
  if (dms !== 'auto' && dms !== 'engine' && dms !== 'gateway') {
    throw new ConfigError(
      'GATEWAY_DEAD_MAN_SWITCH',
      `expected one of auto, engine, gateway, got ${JSON.stringify(dms)}`,
    );
  }
  return {
    gatewayId,
    shards: parseShards(env, base),
    engineTimeoutMs: int(env, 'GATEWAY_ENGINE_TIMEOUT_MS', 2_000, 10, 600_000),
    linkReconnectMs: int(env, 'GATEWAY_LINK_RECONNECT_MS', 500, 10, 600_000),
    deadManSwitch: dms,
    referenceRefreshMs: int(env, 'GATEWAY_REFERENCE_REFRESH_MS', 5_000, 100, 3_600_000),
  };
}
