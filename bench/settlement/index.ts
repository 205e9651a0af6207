// npm run bench:settlement [-- --trades N] [--steady-seconds S] [--rate TRADES_PER_S] [--json] [--quick]
//
// 1. Throughput: a journal of N trades (each with its orders' acceptance,
//    fills, fees and balance events, as the engine writes them) is put in
//    Redis, then settlement with the default worker setup (one process,
//    SETTLEMENT_CONCURRENCY jobs at once, default job size) drains it into a
//    fresh Postgres database: trades/s, ledger entries/s, p99 job duration.
// 2. Steady state: the journal grows at --rate trades/s (default 2,000) in
//    real time for --steady-seconds (default 15) while settlement runs; the
//    lag of every entry (appended -> covered by the settled cursor) is
//    measured: p99.
// Reconciliation must be clean at the end, or no figure is reported. Prints
// the machine and PASS/MISS per target; never fails the process on a miss.
// With --json the last line is one JSON object:
//   {"trades", "tradesPerSec", "ledgerEntriesPerSec", "jobMsP99", "steadyLagMsP99"}
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import Redis from 'ioredis';
import { loadConfig } from '../../common/config';
import { rootLogger } from '../../common/logger';
import { CommandKind, OrderType, Side, StpMode, TimeInForce } from '../../engine/enums';
import { journalKey, settledKey } from '../../engine/process';
import type { Command } from '../../engine/types';
import { LocalSink, type MetricsSink, SettlementMetrics } from '../../settlement/metrics';
import { formatReport, reconcile } from '../../settlement/reconcile';
import { startSettlement } from '../../settlement/service';
import { loadSettlementConfig } from '../../settlement/settlement-config';
import { JournalBuilder } from '../../settlement/testing/journal-builder';
import { MARKETS, Scenario } from '../../settlement/testing/scenario';
import { seedRequests, seedWorld } from '../../settlement/testing/seed';
import { createTestDatabase } from '../../sql';

interface Args {
  trades: number;
  steadySeconds: number;
  rate: number;
  json: boolean;
}

export function parseArgs(argv: readonly string[]): Args {
  const a: Args = { trades: 100_000, steadySeconds: 15, rate: 2_000, json: false };
  // --quick (as `npm run bench -- --quick` passes to every suite) first, so options given beside it win.
  if (argv.includes('--quick')) {
    a.trades = 20_000;
    a.steadySeconds = 5;
  }
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--json') {
      a.json = true;
      continue;
    }
    if (k === '--quick') continue;
    // Other options are ignored: `npm run bench` passes its arguments to every suite.
    if (k !== '--trades' && k !== '--steady-seconds' && k !== '--rate') continue;
    const raw = argv[i + 1];
    const v = Number(raw);
    // --steady-seconds 0 skips the steady phase; the others must be positive.
    const min = k === '--steady-seconds' ? 0 : 1;
    if (raw === undefined || raw.trim() === '' || !Number.isInteger(v) || v < min) {
      throw new UsageError(
        `${k} needs an integer >= ${min}, got ${raw === undefined ? 'nothing' : `'${raw}'`}`,
      );
    }
    if (k === '--trades') a.trades = v;
    else if (k === '--steady-seconds') a.steadySeconds = v;
    else a.rate = v;
    i++;
  }
  return a;
}

/** A bad command-line option: one line and exit code 2, no stack. */
export class UsageError extends Error {}

function pct(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.max(0, Math.min(s.length - 1, Math.ceil(s.length * q) - 1))]!;
}

const p99 = (xs: number[]) => pct(xs, 0.99);

const TICKS = 100; // USER_HZ

/** CPU seconds (user + system) of local processes, from /proc (Postgres backends run here). */
function procCpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      ticks += Number(rest[11]) + Number(rest[12]);
    } catch {
      // gone
    }
  }
  return ticks / TICKS;
}

/** Trades between the scenario's traders in BTC-USDT: a resting maker, an IOC taker that fills it. */
class TradeFlow {
  private i = 0;
  private readonly market = MARKETS[0]!;
  constructor(private readonly traders: number[]) {}
  /** The two commands of the next trade. */
  next(): [Command, Command] {
    const k = this.traders.length;
    const maker = this.traders[this.i % k]!;
    const taker = this.traders[(this.i * 7 + 1) % k]!;
    const makerSells = this.i % 2 === 0;
    const price = this.market.mid + ((this.i * 13) % 41) - 20;
    const qty = 1 + (this.i % 5);
    this.i++;
    const base = {
      kind: CommandKind.PLACE_ORDER,
      marketId: this.market.engineId,
      priceTicks: price,
      qtyLots: qty,
      quoteBudgetAtoms: 0,
      postOnly: false,
      stpMode: StpMode.EXPIRE_TAKER,
      orderType: OrderType.LIMIT,
    } as const;
    return [
      {
        ...base,
        accountId: maker,
        side: makerSells ? Side.SELL : Side.BUY,
        timeInForce: TimeInForce.GTC,
        clientOrderId: `m${this.i}`,
      },
      {
        ...base,
        accountId: taker === maker ? this.traders[(this.i + 2) % k]! : taker,
        side: makerSells ? Side.BUY : Side.SELL,
        timeInForce: TimeInForce.IOC,
        clientOrderId: '',
      },
    ];
  }
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  rootLogger('silent');
  const args = parseArgs(argv);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const cpu = cpus();
  const machine = {
    cpu: cpu[0]?.model ?? 'unknown CPU',
    cores: cpu.length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAvg1m: Number(loadavg()[0]!.toFixed(2)),
  };
  say(
    `settlement benchmark on ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, Node ${machine.node}, load average ${machine.loadAvg1m}`,
  );
  say(
    '(Postgres, Redis, the journal writer and settlement share this machine; other processes may load it)',
  );

  const config = loadConfig();
  const shard = 900 + (process.pid % 100);
  const db = await createTestDatabase('bench_settlement');
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const prefix = `bench${process.pid}`;
  const cleanup = async () => {
    const keys = await redis.keys(`${prefix}:*`);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    await redis.del(journalKey(shard), settledKey(shard));
    redis.disconnect();
    await db.drop();
  };
  try {
    await redis.del(journalKey(shard), settledKey(shard));
    // ---- the journal
    const scenario = new Scenario(1, { traders: 20, rejectRate: 0 });
    const builder = new JournalBuilder(shard, scenario.feeAccountId);
    let t = Date.now() * 1000;
    for (const c of scenario.setupCommands()) builder.submit(c, t++);
    builder.seal();
    const flow = new TradeFlow(scenario.accounts.map((a) => a.engineId));
    const g0 = performance.now();
    let trades = 0;
    let tradeEvents = 0;
    builder.onEvent((ev) => {
      if (ev.kind === 3) tradeEvents++;
    });
    while (trades < args.trades) {
      for (let k = 0; k < 128 && trades < args.trades; k++, trades++) {
        const [m, tk] = flow.next();
        builder.submit(m, t++);
        builder.submit(tk, t++);
      }
      builder.seal(builder.sealed.length % 100 === 0);
    }
    if (tradeEvents !== args.trades)
      throw new Error(`the flow made ${tradeEvents} trades, not ${args.trades}`);
    await seedWorld(db.sql, scenario, shard);
    await seedRequests(db.sql, scenario);
    await builder.flush(redis);
    const lastSeq = builder.engine.lastSeq;
    say(
      `journal: ${args.trades} trades in ${lastSeq} commands, ${builder.sealed.length} entries (built in ${((performance.now() - g0) / 1000).toFixed(1)} s)`,
    );

    // ---- phase 1: drain
    const env = {
      ...process.env,
      SETTLEMENT_SHARDS: String(shard),
      SETTLEMENT_QUEUE_PREFIX: prefix,
      SETTLEMENT_MONITOR_MS: '250',
    };
    const s = loadSettlementConfig(env);
    const cfg = loadConfig({ ...env, DATABASE_URL: db.url });
    const metrics = new SettlementMetrics();
    const local = new LocalSink(metrics);
    const jobMs: number[] = [];
    let entries = 0;
    const sink: MetricsSink = {
      jobDone(shardId, status, seconds, rows, window) {
        jobMs.push(seconds * 1000);
        entries += rows.ledger_entries ?? 0;
        local.jobDone(shardId, status, seconds, rows, window);
      },
      jobFailed: (...a) => local.jobFailed(...a),
      jobDelayed: (...a) => local.jobDelayed(...a),
      anomalies: (...a) => local.anomalies(...a),
    };
    const d0 = performance.now();
    const cpu0 = process.cpuUsage();
    const h = await startSettlement({ config: cfg, settlement: s, metrics, sink });
    try {
      const backends = new Set<number>();
      const pgCpuStart = new Map<number, number>();
      for (;;) {
        const v = Number((await redis.get(settledKey(shard))) ?? '0');
        for (const r of await db.sql<{ pid: number }[]>`
          select pid from pg_stat_activity where application_name = ${`settlement-${process.pid}`}`) {
          if (!backends.has(r.pid)) {
            backends.add(r.pid);
            pgCpuStart.set(r.pid, procCpuSeconds([r.pid]));
          }
        }
        if (v >= lastSeq) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const secs = (performance.now() - d0) / 1000;
      const cpu1 = process.cpuUsage(cpu0);
      const nodeCpu = (cpu1.user + cpu1.system) / 1e6;
      let pgCpu = 0;
      for (const pid of backends) pgCpu += procCpuSeconds([pid]) - (pgCpuStart.get(pid) ?? 0);
      const tradesPerSec = args.trades / secs;
      const ledgerEntriesPerSec = entries / secs;
      const jobMsP99 = p99(jobMs);
      say(
        `drain: ${args.trades} trades and ${entries} ledger entries in ${secs.toFixed(2)} s (${jobMs.length} jobs, concurrency ${cfg.settlementConcurrency}, up to ${s.jobMaxCommands} commands per job)`,
      );
      const cpuTotal = nodeCpu + pgCpu;
      say(
        `  CPU spent: settlement (node) ${nodeCpu.toFixed(1)} s + its Postgres backends ${pgCpu.toFixed(1)} s = ${cpuTotal.toFixed(1)} s over ${secs.toFixed(1)} s wall: ${(args.trades / cpuTotal).toFixed(0)} trades per CPU-second (${machine.cores} cores if the machine were otherwise idle: ~${((args.trades / cpuTotal) * machine.cores).toFixed(0)} trades/s at best)`,
      );

      // ---- phase 2: steady rate
      const lags: number[] = [];
      const pending: { seq: number; at: number }[] = [];
      let stop = false;
      const poller = (async () => {
        while (!stop || pending.length > 0) {
          const v = Number((await redis.get(settledKey(shard))) ?? '0');
          const now = performance.now();
          while (pending.length > 0 && pending[0]!.seq <= v) lags.push(now - pending.shift()!.at);
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const tickMs = 10;
      const perTick = Math.max(1, Math.round((args.rate * tickMs) / 1000));
      const s0 = performance.now();
      let tick = 0;
      let steadyTrades = 0;
      while (performance.now() - s0 < args.steadySeconds * 1000) {
        const due = s0 + tick * tickMs;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        tick++;
        const now = Date.now() * 1000;
        for (let k = 0; k < perTick; k++) {
          const [m, tk] = flow.next();
          builder.submit(m, now);
          builder.submit(tk, now);
        }
        steadyTrades += perTick;
        const e = builder.seal()!;
        await redis.xadd(journalKey(shard), e.id, 'e', e.bytes);
        pending.push({ seq: e.lastSeq, at: performance.now() });
      }
      const achieved = steadyTrades / ((performance.now() - s0) / 1000);
      stop = true;
      await Promise.race([poller, new Promise((r) => setTimeout(r, 30_000))]);
      const steadyLagMsP99 = p99(lags);
      say(
        `steady: ${steadyTrades} trades at ${achieved.toFixed(0)} trades/s for ${args.steadySeconds} s; settlement lag p50 ${pct(lags, 0.5).toFixed(0)} ms, p99 ${steadyLagMsP99.toFixed(0)} ms`,
      );

      const rep = await reconcile({ sql: db.sql, redis, shards: [shard], verifyHashes: false });
      if (!rep.ok) {
        say(formatReport(rep));
        throw new Error('reconciliation failed: no figures reported');
      }
      say('reconciliation: clean');
      const targets = [
        {
          label: 'drain >= 10,000 trades/s with all ledger entries',
          pass: tradesPerSec >= 10_000,
          value: `${tradesPerSec.toFixed(0)} trades/s, ${ledgerEntriesPerSec.toFixed(0)} entries/s`,
        },
        {
          label: `lag p99 < 1 s at a steady ${args.rate} trades/s`,
          pass: steadyLagMsP99 < 1_000,
          value: `${steadyLagMsP99.toFixed(0)} ms`,
        },
      ];
      say(`p99 job duration: ${jobMsP99.toFixed(1)} ms`);
      for (const x of targets)
        say(`  ${x.pass ? 'PASS' : 'MISS'}  ${x.label.padEnd(50)} ${x.value}`);
      if (args.json) {
        say(
          JSON.stringify({
            trades: args.trades,
            tradesPerSec: Math.round(tradesPerSec),
            ledgerEntriesPerSec: Math.round(ledgerEntriesPerSec),
            jobMsP99: Number(jobMsP99.toFixed(1)),
            steadyLagMsP99: Number(steadyLagMsP99.toFixed(1)),
          }),
        );
      }
    } finally {
      await h.close();
    }
  } finally {
    await cleanup();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(
        `bench:settlement: ${err instanceof UsageError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}
