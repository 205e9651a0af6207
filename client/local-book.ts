// A local L2 order book kept in step with the gateway's book channel:
// a BookSnapshot (levels as of `seq`), then BookUpdates carrying absolute
// level quantities (0 deletes) over [first_seq, last_seq]. An update whose
// first_seq is not last applied + 1 is a gap: the book is marked unsynced,
// later updates are buffered, and the owner requests a fresh snapshot; the
// snapshot plus the buffered updates that follow it rebuild the book.
import type { exchange } from '../proto';

/** One price level. */
export interface BookLevel {
  priceTicks: number;
  qtyLots: number;
  orderCount: number;
}

/** One side of the book: levels by price plus a best-first sorted price array. */
export class BookSide {
  private readonly levels = new Map<number, BookLevel>();
  /** Prices best first (bids descending, asks ascending). */
  private readonly prices: number[] = [];

  constructor(readonly isBid: boolean) {}

  /** Number of levels. */
  get size(): number {
    return this.prices.length;
  }

  /** Best level, or undefined when the side is empty. */
  best(): BookLevel | undefined {
    return this.prices.length === 0 ? undefined : this.levels.get(this.prices[0]!);
  }

  /** The level at `priceTicks`, if any. */
  level(priceTicks: number): BookLevel | undefined {
    return this.levels.get(priceTicks);
  }

  /** The `n`-th best level (0 = best). */
  at(n: number): BookLevel | undefined {
    const p = this.prices[n];
    return p === undefined ? undefined : this.levels.get(p);
  }

  /** Up to `depth` levels, best first (copies). */
  top(depth = Number.POSITIVE_INFINITY): BookLevel[] {
    const n = Math.min(depth, this.prices.length);
    const out: BookLevel[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const l = this.levels.get(this.prices[i]!)!;
      out[i] = { priceTicks: l.priceTicks, qtyLots: l.qtyLots, orderCount: l.orderCount };
    }
    return out;
  }

  /** Sets a level's absolute quantity; 0 removes it. */
  set(priceTicks: number, qtyLots: number, orderCount: number): void {
    const existing = this.levels.get(priceTicks);
    if (qtyLots === 0) {
      if (existing === undefined) return;
      this.levels.delete(priceTicks);
      this.prices.splice(this.search(priceTicks), 1);
      return;
    }
    if (existing !== undefined) {
      existing.qtyLots = qtyLots;
      existing.orderCount = orderCount;
      return;
    }
    this.levels.set(priceTicks, { priceTicks, qtyLots, orderCount });
    this.prices.splice(this.search(priceTicks), 0, priceTicks);
  }

  /** Removes every level. */
  clear(): void {
    this.levels.clear();
    this.prices.length = 0;
  }

  /** Index of `price` in `prices`, or where it would be inserted. */
  private search(price: number): number {
    const a = this.prices;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = a[mid]!;
      // Bids: descending, so "before" means a higher price.
      if (this.isBid ? p > price : p < price) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** What happened to a message given to {@link LocalOrderBook}. */
export type BookApplyResult =
  /** Applied; the book is in sync at `seq`. */
  | 'applied'
  /** Already covered by the book's state (an update at or below `seq`); ignored. */
  | 'stale'
  /** The book is waiting for a snapshot; the update was buffered. */
  | 'buffered'
  /** A sequence gap: the book is now unsynced; request a snapshot (once: see `snapshotRequested`). */
  | 'gap';

/** Upper bound of updates buffered while waiting for a snapshot; beyond it the oldest go. */
const MAX_BUFFERED_UPDATES = 10_000;

/**
 * L2 book of one market with gap detection and resync.
 *
 * Feed it every BookSnapshot and BookUpdate of its market in arrival order.
 * When a result is `'gap'` (or `needsSnapshot` is true and
 * `snapshotRequested` false), send a BookSnapshotRequest and call
 * `markSnapshotRequested()`.
 */
export class LocalOrderBook {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);
  /** Sequence the book reflects (0 before the first snapshot). */
  seq = 0;
  /** False until a snapshot is applied, and again after a gap until the next one. */
  synced = false;
  /** A snapshot request is outstanding (reset when a snapshot arrives). */
  snapshotRequested = false;
  /** Gaps seen since creation. */
  gaps = 0;
  /** Snapshots applied since creation. */
  snapshots = 0;
  private buffered: exchange.v1.IBookUpdate[] = [];

  constructor(readonly marketId: number) {}

  /** True when the owner should request a snapshot now. */
  get needsSnapshot(): boolean {
    return !this.synced && !this.snapshotRequested;
  }

  /** Records that a snapshot was requested. */
  markSnapshotRequested(): void {
    this.snapshotRequested = true;
  }

  /** Forgets the state (e.g. after a reconnect): unsynced until the next snapshot. */
  reset(): void {
    this.bids.clear();
    this.asks.clear();
    this.seq = 0;
    this.synced = false;
    this.snapshotRequested = false;
    this.buffered = [];
  }

  /** Best bid price in ticks, 0 when none. */
  bestBid(): number {
    return this.bids.best()?.priceTicks ?? 0;
  }

  /** Best ask price in ticks, 0 when none. */
  bestAsk(): number {
    return this.asks.best()?.priceTicks ?? 0;
  }

  /** (best bid + best ask) / 2 in ticks (may be x.5), or undefined unless both sides exist. */
  mid(): number | undefined {
    const b = this.bestBid();
    const a = this.bestAsk();
    return b > 0 && a > 0 ? (a + b) / 2 : undefined;
  }

  /**
   * Applies a snapshot. An older snapshot than the live book is ignored
   * (`'stale'`). Buffered updates after it are applied; if they have a gap the
   * result is `'gap'` (request again).
   */
  applySnapshot(snap: exchange.v1.IBookSnapshot): BookApplyResult {
    const seq = snap.seq ?? 0;
    this.snapshotRequested = false;
    if (this.synced && seq < this.seq) return 'stale';
    this.bids.clear();
    this.asks.clear();
    const bids = snap.bids ?? [];
    for (let i = 0; i < bids.length; i++) {
      const l = bids[i]!;
      this.bids.set(l.priceTicks ?? 0, l.qtyLots ?? 0, l.orderCount ?? 0);
    }
    const asks = snap.asks ?? [];
    for (let i = 0; i < asks.length; i++) {
      const l = asks[i]!;
      this.asks.set(l.priceTicks ?? 0, l.qtyLots ?? 0, l.orderCount ?? 0);
    }
    this.seq = seq;
    this.synced = true;
    this.snapshots++;
    const pending = this.buffered;
    this.buffered = [];
    for (let i = 0; i < pending.length; i++) {
      if (this.applyUpdate(pending[i]!) === 'gap') {
        // Keep what followed the gap for the next snapshot.
        this.buffered = pending.slice(i + 1);
        return 'gap';
      }
    }
    return 'applied';
  }

  /**
   * Applies an incremental update, or buffers it while unsynced. Right after
   * a snapshot at S the first update may overlap it (first_seq <= S + 1 <=
   * last_seq: levels are absolute, so re-applying is safe); afterwards
   * first_seq must be exactly seq + 1.
   */
  applyUpdate(update: exchange.v1.IBookUpdate): BookApplyResult {
    const first = update.firstSeq ?? 0;
    const last = update.lastSeq ?? 0;
    if (!this.synced) {
      if (this.buffered.length >= MAX_BUFFERED_UPDATES) this.buffered.shift();
      this.buffered.push(update);
      return 'buffered';
    }
    if (last <= this.seq) return 'stale';
    if (first > this.seq + 1 || first > last) {
      this.synced = false;
      this.gaps++;
      this.buffered = [update];
      return 'gap';
    }
    const updates = update.updates ?? [];
    for (let i = 0; i < updates.length; i++) {
      const u = updates[i]!;
      // Side 1 = SIDE_BUY, 2 = SIDE_SELL (common.proto).
      const side = u.side === 1 ? this.bids : u.side === 2 ? this.asks : undefined;
      if (side !== undefined) side.set(u.priceTicks ?? 0, u.qtyLots ?? 0, u.orderCount ?? 0);
    }
    this.seq = last;
    return 'applied';
  }

  /** True when the best bid is at or above the best ask (never after a correct feed). */
  isCrossed(): boolean {
    const b = this.bestBid();
    const a = this.bestAsk();
    return b > 0 && a > 0 && b >= a;
  }
}
