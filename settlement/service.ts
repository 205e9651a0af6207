// startSettlement(): the pump(s), workers and monitor of one process, for
// settlement/main.ts and for the all-in-one `npm start` (scripts/start.ts).
import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import postgres, { type Sql } from 'postgres';
import { type Config, loadConfig } from '../common/config';
import { componentLogger, type Logger } from '../common/logger';
import type { MetricsRegistry } from '../common/metrics';
import type { ApplyContext } from './apply';
import { JournalCache } from './journal';
import { assertLimits } from './limits';
import { LocalSink, type MetricsSink, SettlementMetrics } from './metrics';
import { type MetricsServer, serveMetrics } from './metrics-server';
import { Monitor } from './monitor';
import { JournalPump } from './pump';
import { bullConnection, createQueue, type RangeJobData } from './queue';
import { ReferenceData } from './reference-data';
import { loadSettlementConfig, type SettlementConfig } from './settlement-config';
import { createSettlementWorker } from './worker';

export interface StartSettlementOptions {
  /** Shared settings (default loadConfig()). */
  readonly config?: Config;
  /** Settlement settings (default loadSettlementConfig()). */
  readonly settlement?: SettlementConfig;
  /** Run the journal pump(s) (default: SETTLEMENT_ROLE is all or pump). */
  readonly pump?: boolean;
  /** Run BullMQ workers (default: SETTLEMENT_ROLE is all or worker). */
  readonly workers?: boolean;
  /** Refresh lag and failed-job metrics, and copy the cursor to Redis (default: with the pump). */
  readonly monitor?: boolean;
  /** Jobs at once in this process (default SETTLEMENT_CONCURRENCY). */
  readonly concurrency?: number;
  /** Register metrics here (e.g. the registry `npm start` serves); default a new one. */
  readonly registry?: MetricsRegistry;
  /** Or use these already registered metrics (overrides registry). */
  readonly metrics?: SettlementMetrics;
  /** Where workers report (default: this process's metrics; main.ts children use an IPC sink). */
  readonly sink?: MetricsSink;
  /** Serve /metrics: a port (0 = any free one), true = METRICS_PORT; default false. */
  readonly serveMetrics?: boolean | number;
  readonly log?: Logger;
}

export interface SettlementHandle {
  readonly metrics: SettlementMetrics;
  readonly queue: Queue<RangeJobData>;
  readonly sql: Sql;
  /** The /metrics port when serving. */
  readonly metricsPort: number | undefined;
  /** Stops reading the journal, lets active jobs finish (up to SETTLEMENT_SHUTDOWN_MS, then releases them), closes connections. */
  close(): Promise<void>;
}

const noop = (): void => {};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits for p at most ms (shutdown never hangs on an unreachable Redis or Postgres). */
async function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.catch(noop),
    new Promise<void>((r) => {
      timer = setTimeout(r, ms);
    }),
  ]);
  clearTimeout(timer);
}

export async function startSettlement(
  options: StartSettlementOptions = {},
): Promise<SettlementHandle> {
  assertLimits();
  const config = options.config ?? loadConfig();
  const s = options.settlement ?? loadSettlementConfig();
  const log = options.log ?? componentLogger('settlement');
  const runPump = options.pump ?? s.role !== 'worker';
  const runWorkers = options.workers ?? s.role !== 'pump';
  const runMonitor = options.monitor ?? runPump;
  const concurrency = options.concurrency ?? config.settlementConcurrency;
  const metrics = options.metrics ?? new SettlementMetrics(options.registry);
  const sink = options.sink ?? new LocalSink(metrics);

  const sql = postgres(config.databaseUrl, {
    max: s.pgPool > 0 ? s.pgPool : concurrency + 2,
    onnotice: noop,
    connect_timeout: 10,
    idle_timeout: 60,
    connection: { application_name: `settlement-${process.pid}` },
  });
  const connections: Redis[] = [];
  const conn = (name: string) => {
    const c = bullConnection(config.redisUrl, name);
    c.on('error', noop); // reconnects; failures surface in the calls that wait on it
    connections.push(c);
    return c;
  };
  const journalRedis = conn('settlement-journal');
  const queue = createQueue(s, conn('settlement-queue'));
  queue.on('error', (err) => log.warn({ err: err.message }, 'settlement queue error'));
  const refs = new ReferenceData(sql);

  let closed = false;
  // Postgres may be starting: wait for it (the exchange's own accounts must exist first).
  for (let attempt = 1; ; attempt++) {
    try {
      await refs.ensureSystemAccounts(s.feeAccountId);
      break;
    } catch (err) {
      if (attempt >= 120) throw err;
      log.warn({ err: (err as Error).message, attempt }, 'settlement: waiting for Postgres');
      await sleep(1_000);
    }
  }

  const ctx: ApplyContext = {
    sql,
    redis: journalRedis,
    cache: new JournalCache(),
    refs,
    statementTimeoutMs: s.statementTimeoutMs,
  };

  const worker = runWorkers
    ? createSettlementWorker({
        connection: conn('settlement-worker'),
        settlement: s,
        concurrency,
        ctx,
        sink,
        log,
      })
    : undefined;
  if (worker !== undefined) void worker.run();

  const pumps = runPump
    ? s.shards.map(
        (shard) =>
          new JournalPump({
            redis: conn(`settlement-pump-${shard}`),
            queue,
            shard,
            consumer: s.consumerName,
            jobMaxCommands: s.jobMaxCommands,
            jobMaxEntries: s.jobMaxEntries,
            blockMs: s.pumpBlockMs,
            lingerMs: s.pumpLingerMs,
            claimIdleMs: s.claimIdleMs,
            log,
            metrics,
          }),
      )
    : [];
  for (const p of pumps) p.start();

  const monitor = runMonitor
    ? new Monitor({
        sql,
        redis: journalRedis,
        queue,
        shards: s.shards,
        metrics,
        intervalMs: s.monitorMs,
        log,
      })
    : undefined;
  monitor?.start();

  let server: MetricsServer | undefined;
  if (options.serveMetrics !== undefined && options.serveMetrics !== false) {
    const port = options.serveMetrics === true ? config.metricsPort : options.serveMetrics;
    server = await serveMetrics(metrics.registry, port, '0.0.0.0', () => !closed);
  }
  log.info(
    {
      shards: s.shards,
      pump: runPump,
      workers: runWorkers,
      concurrency,
      queue: s.queueName,
      metricsPort: server?.port,
    },
    'settlement started',
  );

  return {
    metrics,
    queue,
    sql,
    metricsPort: server?.port,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await bounded(Promise.all(pumps.map((p) => p.stop())), 5_000);
      if (worker !== undefined) {
        // Finish active jobs; past the deadline, release them (another worker retries them after the lock expires).
        const graceful = worker.close().then(
          () => false,
          () => false,
        );
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          graceful,
          new Promise<boolean>((r) => {
            timer = setTimeout(() => r(true), s.shutdownMs);
          }),
        ]);
        clearTimeout(timer);
        if (timedOut) {
          // Their transactions are rolled back when Postgres is disconnected below; their BullMQ
          // locks expire and another worker retries them (a range applies once whatever happens).
          log.warn(
            { ms: s.shutdownMs },
            'settlement: active jobs did not finish in time; releasing them',
          );
        }
      }
      await bounded(monitor?.stop() ?? Promise.resolve(), 5_000);
      await server?.close();
      await bounded(queue.close(), 2_000);
      for (const c of connections) c.disconnect();
      await bounded(sql.end({ timeout: 5 }), 6_000);
      log.info('settlement stopped');
    },
  };
}
