// A mirror of one market's L2 book, fed by BOOK_LEVEL events (absolute
// quantity and order count per level after each command; 0 deletes), so
// snapshots and REST depth never ask the engine. Prices are kept in sorted
// arrays (best first) beside a map of levels: an update is a binary search
// plus, for a new or deleted level, one splice.
export interface Level {
  qtyLots: number;
  orderCount: number;
}

class SideBook {
  /** Best first: descending for bids, ascending for asks. */
  readonly prices: number[] = [];
  readonly levels = new Map<number, Level>();

  constructor(private readonly descending: boolean) {}

  set(price: number, qty: number, count: number): void {
    const existing = this.levels.get(price);
    if (qty === 0) {
      if (existing === undefined) return;
      this.levels.delete(price);
      const i = this.indexOf(price);
      if (i < this.prices.length && this.prices[i] === price) this.prices.splice(i, 1);
      return;
    }
    if (existing !== undefined) {
      existing.qtyLots = qty;
      existing.orderCount = count;
      return;
    }
    this.levels.set(price, { qtyLots: qty, orderCount: count });
    this.prices.splice(this.indexOf(price), 0, price);
  }

  /** Insertion index of `price` in best-first order. */
  private indexOf(price: number): number {
    const a = this.prices;
    let lo = 0;
    let hi = a.length;
    const desc = this.descending;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = a[mid]!;
      if (desc ? p > price : p < price) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  top(depth: number): Array<{ priceTicks: number; qtyLots: number; orderCount: number }> {
    const n = depth <= 0 ? this.prices.length : Math.min(depth, this.prices.length);
    const out = new Array<{ priceTicks: number; qtyLots: number; orderCount: number }>(n);
    for (let i = 0; i < n; i++) {
      const p = this.prices[i]!;
      const l = this.levels.get(p)!;
      out[i] = { priceTicks: p, qtyLots: l.qtyLots, orderCount: l.orderCount };
    }
    return out;
  }

  best(): { priceTicks: number; qtyLots: number } {
    if (this.prices.length === 0) return { priceTicks: 0, qtyLots: 0 };
    const p = this.prices[0]!;
    return { priceTicks: p, qtyLots: this.levels.get(p)!.qtyLots };
  }

  clear(): void {
    this.prices.length = 0;
    this.levels.clear();
  }
}

export class BookMirror {
  readonly bids = new SideBook(true);
  readonly asks = new SideBook(false);
  /**
   * Seq of the newest command reflected in this book AND published to its
   * subscribers: a snapshot carries it, the next BookUpdate starts after it.
   */
  seq = 0;

  constructor(readonly marketId: number) {}

  /** side: 1 buy (bids), 2 sell (asks). */
  setLevel(side: number, price: number, qty: number, count: number): void {
    (side === 1 ? this.bids : this.asks).set(price, qty, count);
  }

  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }
}
