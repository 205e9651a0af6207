// Orders execution reports by their per-account report_seq: delivers each
// exactly once and in increasing order, and drops duplicates (a replay
// overlapping live reports).
//
// Two numbering contracts exist: client.proto promises a gap-free sequence
// (`contiguous`: a report after a gap is held until the gap is filled by a
// replay, or given up on); the gateway as built numbers reports
// `engine seq * 4096 + ordinal` (monotonic, with gaps), where only "higher
// than the last one" can be checked. Either way, while a replay is in flight
// everything is held and released sorted when it ends, so live reports that
// overtake replayed ones are never lost.

/** What {@link ReportSequencer.push} did with a report. */
export type ReportPushResult = 'delivered' | 'duplicate' | 'buffered';

/** Bound on reports held; past it the gap is skipped (contiguous) or the hold released. */
const MAX_HELD_REPORTS = 200_000;

/** In-order, exactly-once delivery of execution reports by report_seq. */
export class ReportSequencer<
  R extends { reportSeq?: number | null } = { reportSeq?: number | null },
> {
  /** Highest report_seq delivered (everything at or below it is done). */
  lastSeq = 0;
  private readonly held = new Map<number, R>();
  private holding = false;

  /**
   * @param deliver receives each report once, in order
   * @param contiguous whether report_seq is gap-free (client.proto's contract)
   */
  constructor(
    private readonly deliver: (report: R) => void,
    readonly contiguous = false,
  ) {}

  /** Reports held (behind a gap, or during a replay). */
  get heldCount(): number {
    return this.held.size;
  }

  /** Contiguous mode: reports are waiting for missing ones before them. */
  get hasGap(): boolean {
    return this.contiguous && !this.holding && this.held.size > 0;
  }

  /** True between hold() and release(). */
  get isHolding(): boolean {
    return this.holding;
  }

  /** Lowest held report_seq, or 0. */
  firstHeldSeq(): number {
    let min = 0;
    for (const seq of this.held.keys()) if (min === 0 || seq < min) min = seq;
    return min;
  }

  /** Starts counting after `seq` (nothing held). */
  reset(seq: number): void {
    this.lastSeq = seq;
    this.held.clear();
  }

  /** Holds every report until release() (used while a replay is in flight). */
  hold(): void {
    this.holding = true;
  }

  /** Ends a hold: delivers what can be delivered, in order. */
  release(): void {
    this.holding = false;
    this.drain();
  }

  /** Takes one report (live or replayed). */
  push(report: R): ReportPushResult {
    const seq = report.reportSeq ?? 0;
    if (seq <= this.lastSeq || this.held.has(seq)) return 'duplicate';
    if (this.holding || (this.contiguous && seq !== this.lastSeq + 1)) {
      this.held.set(seq, report);
      if (this.held.size > MAX_HELD_REPORTS) {
        if (this.holding) this.release();
        else this.skipGap();
      }
      return 'buffered';
    }
    this.lastSeq = seq;
    this.deliver(report);
    if (this.held.size > 0) this.drain();
    return 'delivered';
  }

  /**
   * Contiguous mode: gives up on the missing reports before the lowest held
   * one and delivers what is held; returns the skipped range (or undefined).
   */
  skipGap(): { from: number; to: number } | undefined {
    const first = this.firstHeldSeq();
    if (first === 0) return undefined;
    const skipped = { from: this.lastSeq + 1, to: first - 1 };
    this.lastSeq = first - 1;
    this.drain();
    return skipped;
  }

  private drain(): void {
    if (this.holding || this.held.size === 0) return;
    if (this.contiguous) {
      for (;;) {
        const next = this.held.get(this.lastSeq + 1);
        if (next === undefined) return;
        this.held.delete(this.lastSeq + 1);
        this.lastSeq++;
        this.deliver(next);
      }
    }
    const seqs = [...this.held.keys()].sort((a, b) => a - b);
    for (const seq of seqs) {
      const r = this.held.get(seq)!;
      this.held.delete(seq);
      if (seq > this.lastSeq) {
        this.lastSeq = seq;
        this.deliver(r);
      }
    }
  }
}
