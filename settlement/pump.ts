// The pump: reads a shard's journal through the Redis consumer group
// `settlement` and turns consecutive entries into range jobs. After a restart
// it first re-reads its own pending entries (delivered, not acknowledged),
// and now and then takes over entries another consumer left pending for
// longer than SETTLEMENT_CLAIM_IDLE_MS (a pump that died). An entry is
// acknowledged only after the job holding it exists; job ids derive from the
// range, so enqueueing twice (a crash between add and XACK, two pumps
// claiming the same entries) is a no-op, and a range enqueued with other
// boundaries is sorted out by the workers' range claims.
import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import type { Logger } from '../common/logger';
import { journalKey, parseSettledCursor, seqOfEntryId, settledKey } from '../engine/process';
import { entryField, entryHeader } from './journal';
import { PUMP_MAX_WAITING_JOBS, PUMP_READ_COUNT } from './limits';
import type { SettlementMetrics } from './metrics';
import { JOB_NAME, type RangeJobData, rangeJobId } from './queue';

export const CONSUMER_GROUP = 'settlement';

export interface PumpOptions {
  /** A dedicated connection (XREADGROUP BLOCK holds it). */
  readonly redis: Redis;
  readonly queue: Queue<RangeJobData>;
  readonly shard: number;
  readonly consumer: string;
  readonly jobMaxCommands: number;
  readonly jobMaxEntries: number;
  readonly blockMs: number;
  /** After a read shorter than PUMP_READ_COUNT, wait this long and read again before enqueueing. */
  readonly lingerMs?: number;
  readonly claimIdleMs: number;
  readonly log: Logger;
  readonly metrics?: SettlementMetrics;
}

type Rows = [Buffer, Buffer[]][];

interface Item {
  id: string;
  firstSeq: number;
  lastSeq: number;
  commands: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class JournalPump {
  private running = false;
  private loop: Promise<void> | undefined;
  private lastClaim = 0;
  private claimCursor = '0-0';
  private lastBackpressureCheck = 0;
  /** Jobs enqueued since start (tests and logs). */
  enqueued = 0;

  constructor(private readonly o: PumpOptions) {}

  get key(): string {
    return journalKey(this.o.shard);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    const log = this.o.log;
    let pendingFrom: string | undefined = '0';
    while (this.running) {
      try {
        await this.ensureGroup();
        if (pendingFrom !== undefined) {
          // Own pending entries first (a restart): each read returns those after pendingFrom.
          const rows = await this.readGroup(pendingFrom, false);
          if (rows.length === 0) pendingFrom = undefined;
          else {
            await this.process(rows);
            pendingFrom = rows[rows.length - 1]![0].toString();
          }
          continue;
        }
        if (Date.now() - this.lastClaim >= this.o.claimIdleMs / 2) await this.claimStale();
        await this.backpressure();
        let rows = await this.readGroup('>', true);
        const linger = this.o.lingerMs ?? 0;
        if (rows.length > 0 && rows.length < PUMP_READ_COUNT && linger > 0) {
          // A trickle: gather a little more so jobs are fewer and larger (bounded added latency).
          await sleep(linger);
          const more = await this.readGroup('>', false);
          if (more.length > 0) rows = rows.concat(more);
        }
        if (rows.length > 0) await this.process(rows);
      } catch (err) {
        if (!this.running) break;
        log.warn({ shard: this.o.shard, err: (err as Error).message }, 'settlement pump: retrying');
        await sleep(500);
      }
    }
  }

  private async ensureGroup(): Promise<void> {
    try {
      await this.o.redis.xgroup('CREATE', this.key, CONSUMER_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
  }

  private async readGroup(from: string, block: boolean): Promise<Rows> {
    const args: (string | number)[] = [
      'GROUP',
      CONSUMER_GROUP,
      this.o.consumer,
      'COUNT',
      PUMP_READ_COUNT,
    ];
    if (block) args.push('BLOCK', this.o.blockMs);
    args.push('STREAMS', this.key, from);
    const res = (await (
      this.o.redis as unknown as { xreadgroupBuffer(...a: (string | number)[]): Promise<unknown> }
    ).xreadgroupBuffer(...args)) as [Buffer, Rows][] | null;
    if (res === null || res.length === 0) return [];
    return res[0]![1];
  }

  /** Takes over entries other consumers left unacknowledged for claimIdleMs (a dead pump). */
  private async claimStale(): Promise<void> {
    this.lastClaim = Date.now();
    for (let i = 0; i < 100 && this.running; i++) {
      const res = (await (
        this.o.redis as unknown as { xautoclaimBuffer(...a: (string | number)[]): Promise<unknown> }
      ).xautoclaimBuffer(
        this.key,
        CONSUMER_GROUP,
        this.o.consumer,
        this.o.claimIdleMs,
        this.claimCursor,
        'COUNT',
        PUMP_READ_COUNT,
      )) as [Buffer, Rows, ...unknown[]];
      const next = res[0].toString();
      const rows = (res[1] ?? []).filter((r) => Array.isArray(r));
      if (rows.length > 0) {
        this.o.log.info(
          { shard: this.o.shard, entries: rows.length },
          'settlement pump: took over stale entries',
        );
        await this.process(rows);
      }
      this.claimCursor = next;
      if (next === '0-0') break;
    }
  }

  private async backpressure(): Promise<void> {
    if (Date.now() - this.lastBackpressureCheck < 1_000) return;
    this.lastBackpressureCheck = Date.now();
    while (this.running && (await this.o.queue.getWaitingCount()) > PUMP_MAX_WAITING_JOBS)
      await sleep(200);
  }

  private async settledSeq(): Promise<number> {
    const raw = await this.o.redis.get(settledKey(this.o.shard));
    if (raw === null) return 0;
    const n = parseSettledCursor(raw);
    return Number.isNaN(n) ? 0 : n;
  }

  /** Turns stream entries into jobs (in stream order), then acknowledges them. */
  async process(rows: Rows): Promise<void> {
    const shard = this.o.shard;
    const settled = await this.settledSeq();
    const items: Item[] = [];
    for (const [idBuf, fields] of rows) {
      const id = idBuf.toString();
      // A pending entry that is gone from the stream was trimmed, which happens only below
      // the settled cursor: nothing to do but acknowledge it.
      if (fields === null || fields === undefined) continue;
      try {
        const h = entryHeader(id, entryField(fields), shard);
        items.push({ id, firstSeq: h.firstSeq, lastSeq: h.lastSeq, commands: h.commands });
      } catch (err) {
        // Unreadable: still enqueued (as the seq its id names), so its job fails visibly.
        const seq = seqOfEntryId(id);
        this.o.metrics?.pumpBadEntries.inc({ shard });
        this.o.log.error(
          { shard, id, err: (err as Error).message },
          'settlement pump: unreadable journal entry',
        );
        if (!Number.isNaN(seq) && seq > 0)
          items.push({ id, firstSeq: seq, lastSeq: seq, commands: 1 });
      }
    }
    const jobs: { name: string; data: RangeJobData; opts: { jobId: string } }[] = [];
    let cur: Item[] = [];
    let commands = 0;
    const flush = () => {
      if (cur.length === 0) return;
      const first = cur[0]!;
      const last = cur[cur.length - 1]!;
      const data: RangeJobData = {
        shard,
        firstSeq: first.firstSeq,
        lastSeq: last.lastSeq,
        entries: cur.length,
        commands,
        enqueuedAt: Date.now(),
      };
      jobs.push({
        name: JOB_NAME,
        data,
        opts: { jobId: rangeJobId(shard, data.firstSeq, data.lastSeq) },
      });
      cur = [];
      commands = 0;
    };
    for (const it of items) {
      if (it.lastSeq <= settled) continue;
      const prev = cur[cur.length - 1];
      if (
        prev !== undefined &&
        (it.firstSeq !== prev.lastSeq + 1 ||
          cur.length >= this.o.jobMaxEntries ||
          commands + it.commands > this.o.jobMaxCommands)
      ) {
        flush();
      }
      cur.push(it);
      commands += it.commands;
    }
    flush();
    if (jobs.length > 0) {
      await this.o.queue.addBulk(jobs);
      this.enqueued += jobs.length;
      this.o.metrics?.pumpEnqueued.inc({ shard }, jobs.length);
    }
    const ids = rows.map((r) => r[0].toString());
    await this.o.redis.xack(this.key, CONSUMER_GROUP, ...ids);
  }
}
