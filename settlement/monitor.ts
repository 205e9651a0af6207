// Periodic refresh of what Prometheus scrapes about the whole pipeline: lag
// per shard (in journaled commands and in seconds), the failed-job alert and
// queue depths, rows per second. It also copies the Postgres cursor to Redis
// `settled:{shard}` every tick, so the engine's trimmer sees it again after a
// Redis restart or a worker that died between COMMIT and its own copy.
import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import type { Sql } from 'postgres';
import type { Logger } from '../common/logger';
import { journalKey, seqOfEntryId } from '../engine/process';
import { publishSettled, readSettledSeq } from './apply';
import { decodeEntry, entryField } from './journal';
import type { SettlementMetrics } from './metrics';
import type { RangeJobData } from './queue';

export interface ShardLag {
  shard: number;
  settledSeq: number;
  headSeq: number;
  lagEntries: number;
  lagSeconds: number;
}

/** Lag of one shard now: head of the journal vs the settled cursor in Postgres. */
export async function measureLag(
  sql: Sql,
  redis: Redis,
  shard: number,
  nowMs = Date.now(),
): Promise<ShardLag> {
  const settledSeq = await readSettledSeq(sql, shard);
  const top = (await redis.xrevrange(journalKey(shard), '+', '-', 'COUNT', 1)) as [
    string,
    string[],
  ][];
  const headSeq = top.length === 0 ? 0 : seqOfEntryId(top[0]![0]);
  const lagEntries = Math.max(0, headSeq - settledSeq);
  let lagSeconds = 0;
  if (lagEntries > 0) {
    const rows = (await redis.xrangeBuffer(
      journalKey(shard),
      `${settledSeq + 1}-0`,
      '+',
      'COUNT',
      1,
    )) as unknown as [Buffer, Buffer[]][];
    if (rows.length > 0) {
      try {
        const e = decodeEntry(rows[0]![0].toString(), entryField(rows[0]![1]), shard);
        const c = e.commands.find((x) => x.seq === settledSeq + 1) ?? e.commands[0];
        if (c !== undefined && c.timeUs > 0)
          lagSeconds = Math.max(0, nowMs / 1000 - c.timeUs / 1e6);
      } catch {
        // An unreadable entry: its job fails and alerts; the lag in entries still shows.
      }
    }
  }
  return { shard, settledSeq, headSeq, lagEntries, lagSeconds };
}

export interface MonitorOptions {
  readonly sql: Sql;
  readonly redis: Redis;
  readonly queue?: Queue<RangeJobData>;
  readonly shards: readonly number[];
  readonly metrics: SettlementMetrics;
  readonly intervalMs: number;
  readonly log: Logger;
}

export class Monitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastRows = new Map<string, number>();
  private lastAt = 0;
  private lastFailed = 0;

  constructor(private readonly o: MonitorOptions) {}

  start(): void {
    const loop = () => {
      this.running = this.tick()
        .catch((err) => this.o.log.warn({ err: (err as Error).message }, 'settlement monitor'))
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(loop, this.o.intervalMs);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    const t = this.timer;
    this.timer = undefined;
    if (t !== undefined) clearTimeout(t);
    await this.running;
  }

  async tick(): Promise<void> {
    const m = this.o.metrics;
    for (const shard of this.o.shards) {
      const lag = await measureLag(this.o.sql, this.o.redis, shard);
      m.lagEntries.set(lag.lagEntries, { shard });
      m.lagSeconds.set(lag.lagSeconds, { shard });
      m.settledSeq.set(lag.settledSeq, { shard });
      m.headSeq.set(lag.headSeq, { shard });
      if (lag.settledSeq > 0) await publishSettled(this.o.redis, shard, lag.settledSeq);
    }
    if (this.o.queue !== undefined) {
      const c = await this.o.queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
      for (const state of ['waiting', 'active', 'delayed'] as const)
        m.queueJobs.set(c[state] ?? 0, { state });
      const failed = c.failed ?? 0;
      m.failedJobs.set(failed);
      if (failed > this.lastFailed) {
        this.o.log.error(
          { failed },
          'settlement has FAILED ranges: inspect with main.ts --failed, retry with --retry-failed',
        );
      }
      this.lastFailed = failed;
    }
    const now = Date.now();
    if (this.lastAt > 0) {
      const secs = (now - this.lastAt) / 1000;
      for (const table of ['trades', 'ledger_entries', 'orders', 'ledger_accounts']) {
        const total = m.rows.get({ table });
        const prev = this.lastRows.get(table) ?? total;
        m.rowsPerSecond.set(secs > 0 ? (total - prev) / secs : 0, { table });
        this.lastRows.set(table, total);
      }
    } else {
      for (const table of ['trades', 'ledger_entries', 'orders', 'ledger_accounts']) {
        this.lastRows.set(table, m.rows.get({ table }));
      }
    }
    this.lastAt = now;
  }
}
