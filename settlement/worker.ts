// BullMQ workers: each job applies one journal range (apply.ts). Failures
// are classified: a missing dependency or an unreachable Postgres/Redis waits
// (a delayed retry that does not use an attempt, so an outage never exhausts
// a range); decode errors and lost journal entries fail at once; everything
// else retries with exponential backoff and then fails. A failed range stays
// in the failed set with its error (job.failedReason), is logged at error
// level and counted in settlement_ranges_failed_total / settlement_failed_jobs.
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type Redis from 'ioredis';
import type { Logger } from '../common/logger';
import { type ApplyContext, applyRange } from './apply';
import { DependencyError, SettlementError } from './errors';
import { MAX_DELAY_MS, MAX_FREE_DELAYS } from './limits';
import type { MetricsSink } from './metrics';
import { JOB_NAME, parseJobData, type RangeJobData } from './queue';
import type { SettlementConfig } from './settlement-config';

export type FailureClass = 'wait' | 'race' | 'permanent' | 'retry';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '53300', // too_many_connections
]);

/** Transient conflicts between concurrent jobs: retried soon, a few times for free. */
const RACE_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '23P01', // exclusion_violation: an overlapping range was claimed concurrently
  '23505', // unique_violation: a concurrent claim or an open client order id (README)
  '55P03', // lock_not_available
]);

function codeOf(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (e !== null && typeof e === 'object' && typeof e.code === 'string') return e.code;
  return typeof e?.name === 'string' ? e.name : 'Error';
}

export function classify(err: unknown): FailureClass {
  if (err instanceof DependencyError) return 'wait';
  const code = codeOf(err);
  if (CONNECTION_CODES.has(code)) return 'wait';
  const msg = err instanceof Error ? err.message : String(err);
  if (
    /Connection is closed|connect ECONNREFUSED|Reached the max retries|Stream isn't writeable/i.test(
      msg,
    )
  ) {
    return 'wait';
  }
  if (RACE_CODES.has(code)) return 'race';
  if (err instanceof SettlementError) {
    if (
      err.code === 'E_SETTLEMENT_DECODE' ||
      err.code === 'E_SETTLEMENT_JOURNAL_MISSING' ||
      err.code === 'E_SETTLEMENT_JOURNAL_MISMATCH' ||
      err.code === 'E_SETTLEMENT_JOB'
    ) {
      return 'permanent';
    }
  }
  return 'retry';
}

/** Free delayed retries allowed per class before the failure counts as an attempt. */
const FREE_DELAYS: Record<FailureClass, number> = {
  wait: MAX_FREE_DELAYS,
  race: 20,
  permanent: 0,
  retry: 0,
};

export interface WorkerOptions {
  readonly connection: Redis;
  readonly settlement: SettlementConfig;
  readonly concurrency: number;
  readonly ctx: ApplyContext;
  readonly sink: MetricsSink;
  readonly log: Logger;
}

export interface JobSummary {
  status: string;
  commands: number;
  trades: number;
  entries: number;
  orders: number;
  balances: number;
  settledSeq: number;
  ms: number;
}

export function createSettlementWorker(o: WorkerOptions): Worker<RangeJobData, JobSummary> {
  const s = o.settlement;
  const processor = async (
    job: Job<RangeJobData, JobSummary>,
    token?: string,
  ): Promise<JobSummary> => {
    const data = parseJobData(job.data);
    const t0 = performance.now();
    try {
      const r = await applyRange(o.ctx, {
        shard: data.shard,
        firstSeq: data.firstSeq,
        lastSeq: data.lastSeq,
        jobId: job.id ?? '',
      });
      const ms = performance.now() - t0;
      o.sink.jobDone(
        data.shard,
        r.status,
        ms / 1000,
        {
          trades: r.trades,
          ledger_entries: r.entries,
          orders: r.orders,
          ledger_accounts: r.balances,
        },
        r.windowCommands,
      );
      if (r.anomalies.length > 0) {
        o.sink.anomalies(r.anomalies.length);
        o.log.warn(
          { job: job.id, anomalies: r.anomalies.slice(0, 20), count: r.anomalies.length },
          'journal anomalies',
        );
      }
      return {
        status: r.status,
        commands: r.commands,
        trades: r.trades,
        entries: r.entries,
        orders: r.orders,
        balances: r.balances,
        settledSeq: r.settledSeq,
        ms: Math.round(ms),
      };
    } catch (err) {
      const cls = classify(err);
      const code = codeOf(err);
      const delays = data.delays ?? 0;
      if (cls === 'permanent') {
        throw new UnrecoverableError(`${code}: ${(err as Error).message}`);
      }
      if (delays < FREE_DELAYS[cls] && token !== undefined) {
        const wait = Math.min(MAX_DELAY_MS, 50 * 2 ** Math.min(delays, 10));
        o.sink.jobDelayed(cls === 'wait' ? code : `race:${code}`);
        o.log.info(
          { job: job.id, code, delays: delays + 1, waitMs: wait, err: (err as Error).message },
          'range delayed',
        );
        await job.updateData({ ...job.data, delays: delays + 1 });
        await job.moveToDelayed(Date.now() + wait, token);
        throw new DelayedError();
      }
      throw err;
    }
  };
  const worker = new Worker<RangeJobData, JobSummary>(s.queueName, processor, {
    connection: o.connection,
    prefix: s.queuePrefix,
    concurrency: o.concurrency,
    lockDuration: s.lockMs,
    stalledInterval: s.stalledIntervalMs,
    maxStalledCount: s.maxStalled,
    autorun: false,
    name: JOB_NAME,
  });
  worker.on('failed', (job, err) => {
    if (job === undefined) return;
    const final = job.finishedOn !== undefined || err instanceof UnrecoverableError;
    const d = job.data;
    o.sink.jobFailed(d.shard, final, codeOf(err));
    if (final) {
      o.log.error(
        {
          job: job.id,
          shard: d.shard,
          firstSeq: d.firstSeq,
          lastSeq: d.lastSeq,
          attempts: job.attemptsMade,
          err: err.message,
        },
        'settlement range FAILED: the settled cursor stops here until it is retried',
      );
    } else {
      o.log.warn(
        { job: job.id, attempts: job.attemptsMade, err: err.message },
        'settlement range attempt failed',
      );
    }
  });
  worker.on('error', (err) => o.log.warn({ err: err.message }, 'settlement worker error'));
  return worker;
}
