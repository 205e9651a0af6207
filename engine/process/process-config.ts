// Settings of the engine process beyond common/config.ts (which holds the
// shard id, listener addresses, Redis URL and log level). Validated the same
// way: the first bad variable is named in a ConfigError.
import { ConfigError } from '../../common/config';
import { MAX_ACCOUNTS, MAX_MARKETS } from '../constants';
import { MAX_BATCH_COMMANDS, MAX_IDEMPOTENCY_WINDOW, MAX_PENDING_COMMANDS } from './limits';

type Env = Record<string, string | undefined>;

export interface ProcessConfig {
  /** ENGINE_MARKETS: market ids this shard owns (ADD_MARKET of any other is refused); empty = any. */
  readonly marketIds: readonly number[];
  /** ENGINE_FEE_ACCOUNT_ID: the exchange's fee account, created with the engine. */
  readonly feeAccountId: number;
  /** ENGINE_BATCH_MAX_COMMANDS: commands per group commit at most. */
  readonly batchMaxCommands: number;
  /** ENGINE_MAX_PENDING_COMMANDS: applied but unconfirmed commands before new ones are refused. */
  readonly maxPendingCommands: number;
  /** ENGINE_APPEND_TIMEOUT_MS: an XADD not confirmed within this is a fail-stop. */
  readonly appendTimeoutMs: number;
  /**
   * ENGINE_APPENDS_IN_FLIGHT: appends sent but not yet confirmed before the
   * next batch waits (keeps collecting commands) instead of being sent; a full
   * batch is always sent. 0 = no bound (seal every turn of the event loop).
   */
  readonly appendsInFlight: number;
  /**
   * ENGINE_HASH_EVERY_ENTRIES / ENGINE_HASH_MIN_INTERVAL_MS: a journal entry
   * carries the state hash once both this many entries and this long have
   * passed since the last one (entries 0 = never). Hashing walks the whole
   * state on the matching thread (~1 s with 1M resting orders), hence the
   * time floor.
   */
  readonly hashEveryEntries: number;
  readonly hashMinIntervalMs: number;
  /** ENGINE_SNAPSHOT_EVERY_ENTRIES / _MS: take a snapshot after this many entries or this long (0 = off). */
  readonly snapshotEveryEntries: number;
  readonly snapshotEveryMs: number;
  /** ENGINE_TRIM_EVERY_MS: how often the journal trimmer runs (0 = never). */
  readonly trimEveryMs: number;
  /** ENGINE_IDEMPOTENCY_WINDOW: accepted place orders with a client order id remembered. */
  readonly idempotencyWindow: number;
  /** ENGINE_VERIFY_ALL_HASHES: recovery checks every state hash in the tail, not only the last. */
  readonly verifyAllHashes: boolean;
  /**
   * ENGINE_REDIS_SOCKET: a Unix socket path of the same Redis as REDIS_URL
   * (whose user, password and db still apply). The engine's own connections
   * (journal, recovery, snapshots, trimming) use it: with Redis on the same
   * host a Unix socket write costs about half a loopback TCP one, and the
   * journal pays one per group commit.
   */
  readonly redisSocketPath: string | undefined;
  /** ENGINE_LOG_READY_HASH: log the state hash once recovery is done (tests, chaos). */
  readonly logReadyHash: boolean;
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

function path(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!raw.startsWith('/'))
    throw new ConfigError(name, `expected an absolute path, got ${JSON.stringify(raw)}`);
  return raw;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw new ConfigError(name, `expected 1, 0, true or false, got ${JSON.stringify(raw)}`);
}

function idList(env: Env, name: string, limit: number): number[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  const out: number[] = [];
  for (const part of raw.split(',')) {
    const p = part.trim();
    const n = Number(p);
    if (!/^\d+$/.test(p) || !Number.isSafeInteger(n) || n < 1 || n >= limit) {
      throw new ConfigError(
        name,
        `expected comma-separated ids in [1, ${limit - 1}], got ${JSON.stringify(part)}`,
      );
    }
    if (out.includes(n)) throw new ConfigError(name, `market ${n} listed twice`);
    out.push(n);
  }
  return out.sort((a, b) => a - b);
}

/** Reads and validates the engine process's own settings; throws ConfigError naming the bad variable. */
export function loadProcessConfig(env: Env = process.env): ProcessConfig {
  return {
    marketIds: idList(env, 'ENGINE_MARKETS', MAX_MARKETS),
    feeAccountId: int(env, 'ENGINE_FEE_ACCOUNT_ID', 1, 1, MAX_ACCOUNTS - 1),
    batchMaxCommands: int(env, 'ENGINE_BATCH_MAX_COMMANDS', 4_096, 1, MAX_BATCH_COMMANDS),
    maxPendingCommands: int(env, 'ENGINE_MAX_PENDING_COMMANDS', 131_072, 1, MAX_PENDING_COMMANDS),
    appendTimeoutMs: int(env, 'ENGINE_APPEND_TIMEOUT_MS', 2_000, 10, 600_000),
    redisSocketPath: path(env, 'ENGINE_REDIS_SOCKET'),
    appendsInFlight: int(env, 'ENGINE_APPENDS_IN_FLIGHT', 1, 0, 1_024),
    hashEveryEntries: int(env, 'ENGINE_HASH_EVERY_ENTRIES', 10_000, 0, 1e9),
    hashMinIntervalMs: int(env, 'ENGINE_HASH_MIN_INTERVAL_MS', 60_000, 0, 1e12),
    snapshotEveryEntries: int(env, 'ENGINE_SNAPSHOT_EVERY_ENTRIES', 200_000, 0, 1e12),
    snapshotEveryMs: int(env, 'ENGINE_SNAPSHOT_EVERY_MS', 600_000, 0, 1e12),
    trimEveryMs: int(env, 'ENGINE_TRIM_EVERY_MS', 60_000, 0, 1e12),
    idempotencyWindow: int(env, 'ENGINE_IDEMPOTENCY_WINDOW', 100_000, 0, MAX_IDEMPOTENCY_WINDOW),
    verifyAllHashes: bool(env, 'ENGINE_VERIFY_ALL_HASHES', false),
    logReadyHash: bool(env, 'ENGINE_LOG_READY_HASH', false),
  };
}
