// One shard's commands, applied exactly once and in seq order, whatever path
// they come by: CommandResults of this gateway's own requests and EventBatches
// of everyone else's arrive on the engine link (possibly interleaved out of
// order between the two), and anything missing is read from the journal.
//
// On start (and after a link reconnect) the feed first reads the journal
// itself: from its beginning when the gateway has nothing yet, so the book
// mirrors, open-order state and report sequences are rebuilt exactly (or,
// when the engine has trimmed the journal, from the engine's snapshot plus
// the journal after it: snapshot-seed.ts), then from where it stopped. Live
// messages wait in a reorder buffer meanwhile; a hole in it that the link
// does not close within GAP_FILL_DELAY_MS is filled
// from the journal (the engine replies only after its journal append, so the
// journal always holds what the link announced).
import type { Logger } from '../common/logger';
import type { exchange } from '../proto';
import { nowUs } from './clock';
import type { JournalReader } from './journal-reader';
import { GAP_FILL_DELAY_MS } from './limits';
import type { FeedCommand } from './reports';

export interface FeedConsumer {
  /**
   * Contiguous commands in seq order. live = false while the journal is being
   * caught up at start (no subscriber has seen this shard yet: nothing is published).
   * The array is only valid during the call (the feed reuses it).
   */
  applyChunk(shardId: number, cmds: readonly FeedCommand[], live: boolean): void;
}

/** Commands applied per consumer call while reading the journal. */
const JOURNAL_CHUNK = 512;

export class ShardFeed {
  /** Seq of the last command applied. */
  appliedSeq = 0;
  /** The initial journal read is done; live messages are being applied. */
  synced = false;
  /** The journal did not start at seq 1 when the gateway first read it (state before it is unknown). */
  trimmedAt = 0;
  private readonly pending = new Map<number, FeedCommand>();
  /** The chunk of one handed to the consumer on the in-order path (it does not keep it). */
  private readonly one: FeedCommand[] = [];
  private filling = false;
  private gapTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Highest seq the engine is known to have (HelloAck, results, batches). */
  private knownSeq = 0;

  constructor(
    readonly shardId: number,
    private readonly journal: JournalReader,
    private readonly consumer: FeedConsumer,
    private readonly log: Logger,
    private readonly onGapFill: () => void,
    /** Seeds state from the engine's snapshot; resolves with its last seq (undefined: none). */
    private readonly seed: (shardId: number) => Promise<number | undefined> = async () => undefined,
  ) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  /** A CommandResult of this gateway's request. */
  onResult(res: exchange.v1.ICommandResult): void {
    const seq = res.seq ?? 0;
    if (seq === 0) return; // refused before sequencing: nothing happened
    const cmd: FeedCommand = { seq, timeUs: res.engineTimeUs ?? nowUs(), events: res.events ?? [] };
    if (
      seq === this.appliedSeq + 1 &&
      this.pending.size === 0 &&
      this.synced &&
      !this.filling &&
      !this.closed
    ) {
      // In order with nothing waiting (the common case): applied at once,
      // without passing through the reorder map.
      if (seq > this.knownSeq) this.knownSeq = seq;
      this.appliedSeq = seq;
      const one = this.one;
      one[0] = cmd;
      this.consumer.applyChunk(this.shardId, one, true);
      one.length = 0;
      return;
    }
    this.insert(cmd);
    this.pump();
  }

  /** An EventBatch: other links' commands, grouped here by Event.seq. */
  onEventBatch(batch: exchange.v1.IEventBatch): void {
    const events = batch.events ?? [];
    const times = batch.commandTimeUs ?? [];
    const fallbackUs = nowUs();
    let t = 0;
    let i = 0;
    while (i < events.length) {
      const seq = events[i]!.seq ?? 0;
      let j = i + 1;
      while (j < events.length && (events[j]!.seq ?? 0) === seq) j++;
      const timeUs = t < times.length ? times[t]! : fallbackUs;
      t++;
      if (seq > 0) this.insert({ seq, timeUs, events: events.slice(i, j) });
      i = j;
    }
    if ((batch.lastSeq ?? 0) > this.knownSeq) this.knownSeq = batch.lastSeq ?? 0;
    this.pump();
  }

  /** The link is up; the engine's journal reaches `lastSeq`. Catches up from the journal. */
  onLinkUp(lastSeq: number): void {
    if (lastSeq > this.knownSeq) this.knownSeq = lastSeq;
    if (lastSeq < this.appliedSeq) {
      this.log.error(
        { shard: this.shardId, engineLastSeq: lastSeq, appliedSeq: this.appliedSeq },
        'engine is behind what this gateway applied (a different journal?); state may be stale',
      );
    }
    if (!this.synced) {
      void this.initialSync();
      return;
    }
    if (this.knownSeq > this.appliedSeq) void this.fill(this.knownSeq);
  }

  close(): void {
    this.closed = true;
    if (this.gapTimer !== undefined) clearTimeout(this.gapTimer);
  }

  private insert(cmd: FeedCommand): void {
    if (cmd.seq <= this.appliedSeq) return;
    if (cmd.seq > this.knownSeq) this.knownSeq = cmd.seq;
    this.pending.set(cmd.seq, cmd);
  }

  private async initialSync(): Promise<void> {
    if (this.filling) return;
    this.filling = true;
    try {
      const first = await this.journal.firstSeq();
      if (first > 1 && this.appliedSeq === 0) {
        // Trimmed: start from the engine's snapshot instead of seq 1.
        const seeded = await this.seed(this.shardId);
        if (seeded !== undefined && seeded >= first - 1) {
          this.appliedSeq = seeded;
          this.log.info(
            { shard: this.shardId, snapshotSeq: seeded, journalFirstSeq: first },
            'seeded from the engine snapshot',
          );
        } else {
          this.trimmedAt = first;
          this.log.error(
            { shard: this.shardId, firstSeq: first, snapshotSeq: seeded },
            'journal is trimmed and no usable snapshot: books and open orders before it are unknown',
          );
        }
      }
      await this.readJournal(this.appliedSeq + 1, Number.POSITIVE_INFINITY, false);
      this.synced = true;
      this.log.info(
        { shard: this.shardId, appliedSeq: this.appliedSeq },
        'shard feed synced from the journal',
      );
    } catch (err) {
      this.log.error(
        { shard: this.shardId, err: (err as Error).message },
        'journal read failed; retrying',
      );
      this.filling = false;
      if (!this.closed) setTimeout(() => void this.initialSync(), 500).unref();
      return;
    }
    this.filling = false;
    this.pump();
  }

  /** Applies whatever is contiguous; schedules a journal fill for a hole. */
  private pump(): void {
    if (!this.synced || this.filling || this.closed) return;
    let chunk: FeedCommand[] | undefined;
    for (;;) {
      const next = this.pending.get(this.appliedSeq + 1);
      if (next === undefined) break;
      this.pending.delete(next.seq);
      this.appliedSeq = next.seq;
      if (chunk === undefined) chunk = [];
      chunk.push(next);
    }
    if (chunk !== undefined) this.consumer.applyChunk(this.shardId, chunk, true);
    if (this.pending.size > 0 && this.gapTimer === undefined) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        if (this.pending.size === 0 || this.pending.has(this.appliedSeq + 1)) {
          this.pump();
          return;
        }
        let min = Number.POSITIVE_INFINITY;
        for (const s of this.pending.keys()) if (s < min) min = s;
        void this.fill(min - 1);
      }, GAP_FILL_DELAY_MS);
    }
  }

  /** Reads appliedSeq+1..toSeq from the journal, then resumes live application. */
  private async fill(toSeq: number): Promise<void> {
    if (this.filling || this.closed || toSeq <= this.appliedSeq) return;
    this.filling = true;
    this.onGapFill();
    const from = this.appliedSeq + 1;
    try {
      await this.readJournal(from, toSeq, true);
      if (this.appliedSeq < toSeq) {
        this.log.warn(
          { shard: this.shardId, from, toSeq, appliedSeq: this.appliedSeq },
          'journal does not hold the gap yet',
        );
      }
    } catch (err) {
      this.log.error(
        { shard: this.shardId, err: (err as Error).message },
        'journal gap fill failed',
      );
    }
    this.filling = false;
    for (const s of this.pending.keys()) if (s <= this.appliedSeq) this.pending.delete(s);
    this.pump();
    if (
      this.pending.size > 0 &&
      !this.pending.has(this.appliedSeq + 1) &&
      this.gapTimer === undefined
    ) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        this.pump();
        if (this.pending.size > 0 && !this.pending.has(this.appliedSeq + 1)) {
          let min = Number.POSITIVE_INFINITY;
          for (const s of this.pending.keys()) if (s < min) min = s;
          void this.fill(min - 1);
        }
      }, GAP_FILL_DELAY_MS * 5);
    }
  }

  private async readJournal(from: number, to: number, live: boolean): Promise<void> {
    let chunk: FeedCommand[] = [];
    const flush = (): void => {
      if (chunk.length === 0) return;
      this.consumer.applyChunk(this.shardId, chunk, live);
      chunk = [];
    };
    await this.journal.read(from, to, (cmd) => {
      if (cmd.seq !== this.appliedSeq + 1 && this.appliedSeq !== 0) {
        if (cmd.seq <= this.appliedSeq) return true;
        this.log.error(
          { shard: this.shardId, expected: this.appliedSeq + 1, got: cmd.seq },
          'journal has a seq gap',
        );
      }
      this.appliedSeq = cmd.seq;
      chunk.push(cmd);
      if (chunk.length >= JOURNAL_CHUNK) flush();
      return !this.closed;
    });
    flush();
  }
}
