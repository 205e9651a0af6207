// Settlement metrics (Prometheus via common/metrics.ts). Worker processes
// started by main.ts report through an IPC sink; the process that serves
// /metrics applies what they send, so one scrape sees every process.
import { type Counter, type Gauge, type Histogram, MetricsRegistry } from '../common/metrics';

const JOB_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class SettlementMetrics {
  readonly lagEntries: Gauge;
  readonly lagSeconds: Gauge;
  readonly settledSeq: Gauge;
  readonly headSeq: Gauge;
  readonly rangesApplied: Counter;
  readonly rangesFailed: Counter;
  readonly failedJobs: Gauge;
  readonly queueJobs: Gauge;
  readonly retries: Counter;
  readonly delays: Counter;
  readonly rows: Counter;
  readonly rowsPerSecond: Gauge;
  readonly jobSeconds: Histogram;
  readonly pumpEnqueued: Counter;
  readonly pumpBadEntries: Counter;
  readonly anomalies: Counter;
  readonly windowCommands: Counter;

  constructor(readonly registry: MetricsRegistry = new MetricsRegistry()) {
    const r = registry;
    this.lagEntries = r.gauge(
      'settlement_lag_entries',
      'Journaled commands (seqs) of a shard not yet settled: journal head seq minus the settled cursor.',
    );
    this.lagSeconds = r.gauge(
      'settlement_lag_seconds',
      'Age of the oldest journaled command of a shard not yet settled (0 when caught up).',
    );
    this.settledSeq = r.gauge(
      'settlement_settled_seq',
      'Contiguous settled journal seq per shard.',
    );
    this.headSeq = r.gauge('settlement_journal_head_seq', 'Last journal seq per shard.');
    this.rangesApplied = r.counter(
      'settlement_ranges_applied_total',
      'Journal ranges a worker committed (status: applied, partial, duplicate).',
    );
    this.rangesFailed = r.counter(
      'settlement_ranges_failed_total',
      'Journal ranges that exhausted their attempts or failed permanently (ALERT: the cursor stops there).',
    );
    this.failedJobs = r.gauge(
      'settlement_failed_jobs',
      'Jobs in the failed set now (ALERT when > 0; retry with main.ts --retry-failed).',
    );
    this.queueJobs = r.gauge(
      'settlement_queue_jobs',
      'Jobs per queue state (waiting, active, delayed).',
    );
    this.retries = r.counter(
      'settlement_job_retries_total',
      'Failed attempts that will be retried, by error code.',
    );
    this.delays = r.counter(
      'settlement_job_delays_total',
      'Delayed retries that do not consume an attempt (dependency waits, Postgres or Redis unreachable).',
    );
    this.rows = r.counter('settlement_rows_total', 'Rows written by settlement, by table.');
    this.rowsPerSecond = r.gauge(
      'settlement_rows_per_second',
      'Rows written per second, by table (last interval).',
    );
    this.jobSeconds = r.histogram(
      'settlement_job_duration_seconds',
      'Time to apply one range.',
      JOB_SECONDS_BUCKETS,
    );
    this.pumpEnqueued = r.counter(
      'settlement_pump_enqueued_total',
      'Jobs the pump enqueued, by shard.',
    );
    this.pumpBadEntries = r.counter(
      'settlement_pump_bad_entries_total',
      'Journal entries the pump could not read (enqueued anyway; their job fails visibly).',
    );
    this.anomalies = r.counter(
      'settlement_anomalies_total',
      'Journal facts that disagreed with Postgres request rows or the folded order state (logged).',
    );
    this.windowCommands = r.counter(
      'settlement_window_commands_total',
      'Journal commands read beyond a job to fold order history (out-of-order application).',
    );
  }
}

/** What workers report; applied locally or sent to the parent process. */
export interface MetricsSink {
  jobDone(
    shard: number,
    status: string,
    seconds: number,
    rows: Record<string, number>,
    windowCommands: number,
  ): void;
  jobFailed(shard: number, final: boolean, code: string): void;
  jobDelayed(reason: string): void;
  anomalies(n: number): void;
}

export class LocalSink implements MetricsSink {
  constructor(private readonly m: SettlementMetrics) {}
  jobDone(
    shard: number,
    status: string,
    seconds: number,
    rows: Record<string, number>,
    windowCommands: number,
  ): void {
    this.m.rangesApplied.inc({ shard, status });
    this.m.jobSeconds.observe(seconds);
    for (const [table, n] of Object.entries(rows)) if (n > 0) this.m.rows.inc({ table }, n);
    if (windowCommands > 0) this.m.windowCommands.inc(undefined, windowCommands);
  }
  jobFailed(shard: number, final: boolean, code: string): void {
    if (final) this.m.rangesFailed.inc({ shard });
    else this.m.retries.inc({ code });
  }
  jobDelayed(reason: string): void {
    this.m.delays.inc({ reason });
  }
  anomalies(n: number): void {
    this.m.anomalies.inc(undefined, n);
  }
}

export type SinkMessage = { type: 'settlement-metrics'; call: keyof MetricsSink; args: unknown[] };

/** Forwards every report to the parent process (child workers of main.ts). */
export class IpcSink implements MetricsSink {
  private send(call: keyof MetricsSink, args: unknown[]): void {
    if (process.send !== undefined && process.connected) {
      process.send({ type: 'settlement-metrics', call, args } satisfies SinkMessage);
    }
  }
  jobDone(...args: Parameters<MetricsSink['jobDone']>): void {
    this.send('jobDone', args);
  }
  jobFailed(...args: Parameters<MetricsSink['jobFailed']>): void {
    this.send('jobFailed', args);
  }
  jobDelayed(...args: Parameters<MetricsSink['jobDelayed']>): void {
    this.send('jobDelayed', args);
  }
  anomalies(...args: Parameters<MetricsSink['anomalies']>): void {
    this.send('anomalies', args);
  }
}

/** Applies a child's SinkMessage to a local sink; false when the message is something else. */
export function applySinkMessage(sink: MetricsSink, msg: unknown): boolean {
  const m = msg as SinkMessage | null;
  if (m === null || typeof m !== 'object' || m.type !== 'settlement-metrics') return false;
  const fn = (sink as unknown as Record<string, (...a: unknown[]) => void>)[m.call];
  if (typeof fn !== 'function' || !Array.isArray(m.args)) return false;
  fn.apply(sink, m.args);
  return true;
}
