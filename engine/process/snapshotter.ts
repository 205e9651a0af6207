// Decides when to snapshot (every N journal entries or T milliseconds, or on
// SIGUSR2) and asks the snapshot worker for one at the last confirmed seq;
// after each snapshot it runs the trimmer. A failed snapshot is logged and
// retried at the next trigger: it loses nothing (the journal is untouched).
// It also measures the matching thread's longest event-loop stall while a
// snapshot is being taken (the pause the snapshot causes, if any).
import { extname, join } from 'node:path';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../common/logger';
import type { JournalTrimmer } from './journal-trimmer';
import type { SnapshotReply, SnapshotWorkerData } from './snapshot-worker';

export interface SnapshotterOptions {
  everyEntries: number;
  everyMs: number;
  trimEveryMs: number;
  worker: SnapshotWorkerData;
}

export class Snapshotter {
  private worker: Worker | undefined;
  private busy = false;
  private entries = 0;
  private lastSeq = 0;
  private snapshotSeq = 0;
  private lastAt = performance.now();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 });
  /** Longest matching-thread stall seen during a snapshot, in ms (for benches and logs). */
  maxPauseMs = 0;
  snapshots = 0;

  constructor(
    private readonly opts: SnapshotterOptions,
    private readonly trimmer: JournalTrimmer,
    private readonly log: Logger,
    startSeq: number,
    snapshotSeq: number,
  ) {
    this.lastSeq = startSeq;
    this.snapshotSeq = snapshotSeq;
    if (opts.everyMs > 0) {
      const t = setInterval(
        () => {
          if (performance.now() - this.lastAt >= opts.everyMs) this.request();
        },
        Math.min(opts.everyMs, 1_000),
      );
      t.unref();
      this.timers.push(t);
    }
    if (opts.trimEveryMs > 0) {
      const t = setInterval(() => void this.trim(), opts.trimEveryMs);
      t.unref();
      this.timers.push(t);
    }
  }

  onReleased(lastSeq: number): void {
    this.lastSeq = lastSeq;
    this.entries++;
    if (this.opts.everyEntries > 0 && this.entries >= this.opts.everyEntries) this.request();
  }

  /** Takes a snapshot at the last confirmed seq unless one is running or nothing changed. */
  request(): boolean {
    if (this.busy || this.lastSeq === this.snapshotSeq) return false;
    this.busy = true;
    this.entries = 0;
    const target = this.lastSeq;
    this.loopDelay.reset();
    this.loopDelay.enable();
    const started = performance.now();
    const w = this.ensureWorker();
    w.once('message', (reply: SnapshotReply) => {
      this.busy = false;
      this.lastAt = performance.now();
      this.loopDelay.disable();
      if (reply.type === 'error') {
        this.log.error(
          { code: reply.code, err: reply.message, targetSeq: target },
          'snapshot failed',
        );
        return;
      }
      const pauseMs = this.loopDelay.max / 1e6;
      this.maxPauseMs = Math.max(this.maxPauseMs, pauseMs);
      this.snapshots++;
      this.snapshotSeq = reply.seq;
      this.log.info(
        {
          seq: reply.seq,
          bytes: reply.bytes,
          replayed: reply.replayed,
          serializeMs: Math.round(reply.serializeMs),
          totalMs: Math.round(performance.now() - started),
          matchingMaxStallMs: Math.round(pauseMs * 10) / 10,
        },
        'snapshot written',
      );
      void this.trim();
    });
    w.postMessage({ type: 'snapshot', targetSeq: target });
    return true;
  }

  async trim(): Promise<void> {
    try {
      const r = await this.trimmer.trim();
      if (r.removed > 0) this.log.info(r, 'journal trimmed');
    } catch (err) {
      this.log.warn({ err }, 'journal trim failed');
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    const w = this.worker;
    this.worker = undefined;
    if (w !== undefined) await w.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const file = join(__dirname, `snapshot-worker${extname(__filename)}`);
    const w = new Worker(file, { workerData: this.opts.worker });
    w.on('error', (err) => {
      this.log.error({ err }, 'snapshot worker crashed');
      this.busy = false;
      this.worker = undefined;
    });
    w.unref();
    this.worker = w;
    return w;
  }
}
