// Settlement-only settings, validated like common/config.ts: every value comes
// from the environment with a working default, and loadSettlementConfig()
// names the first bad variable (ConfigError, code E_CONFIG). The shared
// settings (DATABASE_URL, REDIS_URL, SETTLEMENT_CONCURRENCY, METRICS_PORT)
// stay in common/config.ts.
import { hostname } from 'node:os';
import { ConfigError } from '../common/config';
import { MAX_ACCOUNTS } from '../engine/constants';
import { MAX_JOB_COMMANDS, MAX_JOB_ENTRIES } from './limits';

type Env = Record<string, string | undefined>;

export interface SettlementConfig {
  /** SETTLEMENT_SHARDS: engine shards whose journals this deployment settles ("0", "0,1"). */
  readonly shards: readonly number[];
  /** SETTLEMENT_PROCESSES: worker processes main.ts runs (each with SETTLEMENT_CONCURRENCY jobs). */
  readonly processes: number;
  /** SETTLEMENT_ROLE: what main.ts runs: pump and workers (all), or one of them. */
  readonly role: 'all' | 'pump' | 'worker';
  /** SETTLEMENT_QUEUE: BullMQ queue name. */
  readonly queueName: string;
  /** SETTLEMENT_QUEUE_PREFIX: BullMQ key prefix. */
  readonly queuePrefix: string;
  /** SETTLEMENT_JOB_MAX_COMMANDS: journaled commands per job (one transaction). */
  readonly jobMaxCommands: number;
  /** SETTLEMENT_JOB_MAX_ENTRIES: journal stream entries per job. */
  readonly jobMaxEntries: number;
  /** SETTLEMENT_ATTEMPTS: attempts of a job before it is failed (and alerted). */
  readonly attempts: number;
  /** SETTLEMENT_BACKOFF_MS: first retry delay; doubles per attempt. */
  readonly backoffMs: number;
  /** SETTLEMENT_LOCK_MS: BullMQ job lock; a crashed worker's job is retried after about this. */
  readonly lockMs: number;
  /** SETTLEMENT_STALLED_INTERVAL_MS: how often workers look for stalled jobs. */
  readonly stalledIntervalMs: number;
  /** SETTLEMENT_MAX_STALLED: a job whose worker died this many times is failed. */
  readonly maxStalled: number;
  /** SETTLEMENT_CLAIM_IDLE_MS: the pump takes over another consumer's unacknowledged entries after this. */
  readonly claimIdleMs: number;
  /** SETTLEMENT_PUMP_BLOCK_MS: XREADGROUP BLOCK timeout. */
  readonly pumpBlockMs: number;
  /** SETTLEMENT_PUMP_LINGER_MS: after a short read, wait this long for more entries so jobs are fewer and larger. */
  readonly pumpLingerMs: number;
  /** SETTLEMENT_CONSUMER: the pump's consumer name in the group (stable across restarts). */
  readonly consumerName: string;
  /** SETTLEMENT_SHUTDOWN_MS: graceful shutdown waits this long for active jobs. */
  readonly shutdownMs: number;
  /** SETTLEMENT_PG_POOL: Postgres connections per process (0 = concurrency + 2). */
  readonly pgPool: number;
  /** SETTLEMENT_MONITOR_MS: lag and failed-job metrics refresh interval. */
  readonly monitorMs: number;
  /** SETTLEMENT_FEE_ACCOUNT_ID (default ENGINE_FEE_ACCOUNT_ID, else 1): created as the fee account if Postgres has none. */
  readonly feeAccountId: number;
  /** SETTLEMENT_STATEMENT_TIMEOUT_MS: Postgres statement_timeout of a job's transaction. */
  readonly statementTimeoutMs: number;
  /** SETTLEMENT_KEEP_COMPLETED: completed jobs kept in Redis for inspection. */
  readonly keepCompleted: number;
}

function raw(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = raw(env, name);
  if (v === undefined) return fallback;
  if (!/^-?\d+$/.test(v))
    throw new ConfigError(name, `expected an integer, got ${JSON.stringify(v)}`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `expected an integer in [${min}, ${max}], got ${v}`);
  }
  return n;
}

function name(env: Env, key: string, fallback: string): string {
  const v = raw(env, key) ?? fallback;
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(v)) {
    throw new ConfigError(key, `expected 1-100 of [A-Za-z0-9_.-], got ${JSON.stringify(v)}`);
  }
  return v;
}

function shards(env: Env): number[] {
  const v = raw(env, 'SETTLEMENT_SHARDS') ?? '0';
  const parts = v.split(',').map((s) => s.trim());
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p) || Number(p) > 1023) {
      throw new ConfigError(
        'SETTLEMENT_SHARDS',
        `expected shard ids 0..1023 separated by commas, got ${JSON.stringify(v)}`,
      );
    }
    if (out.includes(Number(p)))
      throw new ConfigError('SETTLEMENT_SHARDS', `shard ${p} listed twice`);
    out.push(Number(p));
  }
  return out;
}

export function loadSettlementConfig(env: Env = process.env): SettlementConfig {
  const role = raw(env, 'SETTLEMENT_ROLE') ?? 'all';
  if (role !== 'all' && role !== 'pump' && role !== 'worker') {
    throw new ConfigError(
      'SETTLEMENT_ROLE',
      `expected all, pump or worker, got ${JSON.stringify(role)}`,
    );
  }
  const engineFee = int(env, 'ENGINE_FEE_ACCOUNT_ID', 1, 1, MAX_ACCOUNTS - 1);
  return {
    shards: shards(env),
    processes: int(env, 'SETTLEMENT_PROCESSES', 1, 1, 64),
    role,
    queueName: name(env, 'SETTLEMENT_QUEUE', 'settlement'),
    queuePrefix: name(env, 'SETTLEMENT_QUEUE_PREFIX', 'bull'),
    jobMaxCommands: int(env, 'SETTLEMENT_JOB_MAX_COMMANDS', 2_000, 1, MAX_JOB_COMMANDS),
    jobMaxEntries: int(env, 'SETTLEMENT_JOB_MAX_ENTRIES', 256, 1, MAX_JOB_ENTRIES),
    attempts: int(env, 'SETTLEMENT_ATTEMPTS', 8, 1, 1_000),
    backoffMs: int(env, 'SETTLEMENT_BACKOFF_MS', 1_000, 1, 3_600_000),
    lockMs: int(env, 'SETTLEMENT_LOCK_MS', 30_000, 1_000, 3_600_000),
    stalledIntervalMs: int(env, 'SETTLEMENT_STALLED_INTERVAL_MS', 30_000, 500, 3_600_000),
    maxStalled: int(env, 'SETTLEMENT_MAX_STALLED', 100, 1, 1_000_000),
    claimIdleMs: int(env, 'SETTLEMENT_CLAIM_IDLE_MS', 60_000, 100, 86_400_000),
    pumpBlockMs: int(env, 'SETTLEMENT_PUMP_BLOCK_MS', 1_000, 10, 60_000),
    pumpLingerMs: int(env, 'SETTLEMENT_PUMP_LINGER_MS', 20, 0, 10_000),
    consumerName: name(
      env,
      'SETTLEMENT_CONSUMER',
      `pump-${hostname()}`.replace(/[^A-Za-z0-9_.-]/g, '_'),
    ),
    shutdownMs: int(env, 'SETTLEMENT_SHUTDOWN_MS', 15_000, 0, 600_000),
    pgPool: int(env, 'SETTLEMENT_PG_POOL', 0, 0, 1_000),
    monitorMs: int(env, 'SETTLEMENT_MONITOR_MS', 1_000, 50, 3_600_000),
    feeAccountId: int(env, 'SETTLEMENT_FEE_ACCOUNT_ID', engineFee, 1, MAX_ACCOUNTS - 1),
    statementTimeoutMs: int(env, 'SETTLEMENT_STATEMENT_TIMEOUT_MS', 60_000, 100, 3_600_000),
    keepCompleted: int(env, 'SETTLEMENT_KEEP_COMPLETED', 1_000, 0, 1_000_000),
  };
}
