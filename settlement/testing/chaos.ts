// Chaos trials: settlement runs as real processes (one pump, several worker
// processes) against a private Redis and a private Postgres while a journal
// is written under load, and faults are injected: worker processes killed
// with SIGKILL (preferably while their transaction is open), the pump
// killed, Redis killed and restarted (AOF, appendfsync always), Postgres
// stopped for a while. After recovery and drain: reconciliation, and every
// ledger leg and trade counted against the journal (missing / duplicated).
// Used by settlement/test/faults.pg.test.ts and scripts/chaos-settlement.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Rng } from '../../engine/testing/command-generator';
import { createTestDatabase } from '../../sql';
import { formatReport, reconcile } from '../reconcile';
import { countAgainstJournal, waitSettled } from './drain';
import { generateJournal } from './journal-gen';
import { seedRequests, seedWorld } from './seed';
import { freePort, type PgCluster, type RedisServer } from './services';

export type Fault = 'kill-worker' | 'kill-pump' | 'restart-redis' | 'stop-postgres';
export const ALL_FAULTS: readonly Fault[] = [
  'kill-worker',
  'kill-pump',
  'restart-redis',
  'stop-postgres',
];

export interface TrialOptions {
  seed: number;
  commands: number;
  pg: PgCluster;
  redis: RedisServer;
  faults: readonly Fault[];
  /** Worker processes (default 2), each with SETTLEMENT_CONCURRENCY 3. */
  workers?: number;
  /** How long the journal is written for, in ms (default 6000). */
  writeMs?: number;
  /** Drain timeout (default 120 s). */
  drainMs?: number;
  log?: (line: string) => void;
}

export interface TrialResult {
  seed: number;
  commands: number;
  trades: number;
  missing: number;
  duplicated: number;
  reconcileOk: boolean;
  differences: string[];
  injected: Record<string, number>;
  /** Worker kills that hit an open settlement transaction. */
  killsMidTransaction: number;
  ms: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** How to start settlement/main: compiled JavaScript, or the TypeScript source under ts-node. */
function mainCommand(): string[] {
  const js = join(__dirname, '..', 'main.js');
  if (existsSync(js)) return [js];
  // Under tap: its TypeScript loader; otherwise ts-node (tap's fork of it).
  const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript'));
  if (loader.length > 0) return [...loader, join(__dirname, '..', 'main.ts')];
  return [
    '-r',
    require.resolve('@isaacs/ts-node-temp-fork-for-pr-2009/register/transpile-only'),
    join(__dirname, '..', 'main.ts'),
  ];
}

class Proc {
  child: ChildProcess | undefined;
  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
  ) {}
  start(): void {
    this.child = spawn(process.execPath, mainCommand(), {
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', ...this.env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  async kill9(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (c === undefined || c.exitCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGKILL');
    await exited;
  }
  async stop(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (c === undefined || c.exitCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }
}

export async function runTrial(o: TrialOptions): Promise<TrialResult> {
  const t0 = Date.now();
  const log = o.log ?? (() => {});
  const rng = new Rng(o.seed ^ 0xc4a05);
  const shard = 0;
  const db = await createTestDatabase(`chaos_${o.seed}`, { serverUrl: o.pg.url });
  const admin = new Redis(o.redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
  admin.on('error', () => {});
  const procs: Proc[] = [];
  const injected: Record<string, number> = {};
  let killsMidTransaction = 0;
  try {
    await admin.flushall();
    const j = generateJournal(o.seed, o.commands, { shard, startUs: Date.now() * 1000 });
    await seedWorld(db.sql, j.scenario, shard);
    await seedRequests(db.sql, j.scenario);

    const base: Record<string, string> = {
      DATABASE_URL: db.url,
      REDIS_URL: o.redis.url,
      LOG_LEVEL: 'error',
      SETTLEMENT_SHARDS: String(shard),
      SETTLEMENT_CONCURRENCY: '3',
      SETTLEMENT_JOB_MAX_COMMANDS: '1000',
      SETTLEMENT_LOCK_MS: '2000',
      SETTLEMENT_STALLED_INTERVAL_MS: '1000',
      SETTLEMENT_BACKOFF_MS: '100',
      SETTLEMENT_ATTEMPTS: '20',
      SETTLEMENT_MONITOR_MS: '200',
      SETTLEMENT_PUMP_BLOCK_MS: '200',
      SETTLEMENT_CLAIM_IDLE_MS: '3000',
      SETTLEMENT_CONSUMER: 'chaos-pump',
      SETTLEMENT_SHUTDOWN_MS: '3000',
    };
    const pump = new Proc('pump', {
      ...base,
      SETTLEMENT_ROLE: 'pump',
      METRICS_PORT: String(await freePort()),
    });
    procs.push(pump);
    const workers: Proc[] = [];
    for (let i = 0; i < (o.workers ?? 2); i++) {
      const w = new Proc(`worker${i}`, {
        ...base,
        SETTLEMENT_ROLE: 'worker',
        METRICS_PORT: String(await freePort()),
      });
      workers.push(w);
      procs.push(w);
    }
    for (const p of procs) p.start();

    // Write the journal in slices over writeMs (the load), injecting faults meanwhile. The
    // first slice goes in before: faults start once settlement is up and applying.
    const writeMs = o.writeMs ?? 6_000;
    const slices = 20;
    const per = Math.ceil(j.entries.length / slices);
    let written = 0;
    const writeSlice = async (i: number) => {
      const part = j.entries.slice(i * per, (i + 1) * per);
      for (;;) {
        try {
          const p = admin.pipeline();
          for (const e of part) p.xadd(`journal:{${shard}}`, e.id, 'e', e.bytes);
          const res = await p.exec();
          // An entry already appended before a Redis restart answers "ID ... equal or smaller": fine.
          for (const r of res ?? []) if (r[0] && !/equal or smaller/.test(r[0].message)) throw r[0];
          break;
        } catch {
          await sleep(200);
        }
      }
      written += part.length;
    };
    await writeSlice(0);
    await waitSettled(db.sql, shard, 1, 120_000);
    const until = Date.now() + writeMs;
    const writer = (async () => {
      for (let i = 1; i < slices; i++) {
        await writeSlice(i);
        await sleep(writeMs / slices);
      }
    })();

    const faultsDone = (async () => {
      // Every fault kind in turn (shuffled each round), until the writer is done.
      let round: Fault[] = [];
      // Until the writer's time is up, and at least one of every kind.
      while (Date.now() < until || o.faults.some((f) => (injected[f] ?? 0) === 0)) {
        if (round.length === 0) {
          // Worker kills twice per round: they are the fault most likely to land mid-transaction.
          round = [...o.faults, ...o.faults.filter((f) => f === 'kill-worker')];
          for (let i = round.length - 1; i > 0; i--) {
            const k = rng.int(0, i);
            [round[i], round[k]] = [round[k]!, round[i]!];
          }
        }
        const f = round.pop()!;
        injected[f] = (injected[f] ?? 0) + 1;
        if (f === 'kill-worker') {
          // Prefer the worker whose settlement transaction is open right now.
          let victim = workers[rng.int(0, workers.length - 1)]!;
          for (let k = 0; k < 150; k++) {
            const open = await db.sql<{ app: string }[]>`
              select application_name as app from pg_stat_activity
              where application_name like 'settlement-%' and xact_start is not null
                and state in ('active', 'idle in transaction')`.catch(() => []);
            const pids = new Set(open.map((r) => Number(r.app.slice('settlement-'.length))));
            const w = workers.find((x) => x.child?.pid !== undefined && pids.has(x.child.pid));
            if (w !== undefined) {
              victim = w;
              killsMidTransaction++;
              break;
            }
            await sleep(5);
          }
          log(`  fault: kill -9 ${victim.name}`);
          await victim.kill9();
          await sleep(rng.int(100, 800));
          victim.start();
        } else if (f === 'kill-pump') {
          log('  fault: kill -9 pump');
          await pump.kill9();
          await sleep(rng.int(100, 800));
          pump.start();
        } else if (f === 'restart-redis') {
          log('  fault: kill -9 redis, restart');
          await o.redis.restart(rng.int(100, 1_000));
        } else {
          const mode = rng.chance(0.5) ? 'fast' : 'immediate';
          log(`  fault: stop postgres (${mode})`);
          await o.pg.stop(mode);
          await sleep(rng.int(500, 2_500));
          await o.pg.start();
        }
        await sleep(rng.int(300, 1_200));
      }
    })();
    await Promise.all([writer, faultsDone]);
    log(`  journal written (${written} entries, seq ${j.lastSeq}); draining`);
    await waitSettled(db.sql, shard, j.lastSeq, o.drainMs ?? 120_000);
    for (const p of procs) await p.stop();

    const rep = await reconcile({ sql: db.sql, redis: admin, shards: [shard] });
    if (!rep.ok) log(formatReport(rep));
    const count = await countAgainstJournal(db.sql, shard, j);
    return {
      seed: o.seed,
      commands: j.lastSeq,
      trades: count.trades,
      missing: count.missing,
      duplicated: count.duplicated,
      reconcileOk: rep.ok,
      differences: rep.differences.slice(0, 5),
      injected,
      killsMidTransaction,
      ms: Date.now() - t0,
    };
  } finally {
    for (const p of procs) await p.kill9();
    admin.disconnect();
    await db.drop().catch(() => {});
  }
}
