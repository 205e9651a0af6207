// One side of one market's book: its price levels sorted with the BEST AT THE
// END, so the touch is O(1) and inserting or removing near it shifts little.
// Keys are priceTicks for bids and -priceTicks for asks, so both sides sort
// ascending and "best" is always the largest key.

/** Size - 1 of BookSide.hint (a power of two minus one). */
export const HINT_MASK = 1023;

export class BookSide {
  keys = new Float64Array(16);
  levels = new Int32Array(16);
  /** Number of levels. */
  n = 0;
  /**
   * A direct-mapped cache, priceTicks & HINT_MASK -> a level slot last seen
   * at that price on this side (or -1). Only a hint: the engine checks the
   * slot is still alive with this market, side and price before using it.
   */
  readonly hint = new Int32Array(HINT_MASK + 1).fill(-1);

  /** +1 for bids, -1 for asks: key = sign * priceTicks. */
  constructor(readonly sign: 1 | -1) {}

  /** Best price, or 0 when the side is empty. */
  bestPrice(): number {
    return this.n === 0 ? 0 : this.sign * this.keys[this.n - 1]!;
  }

  /**
   * Index of `key`, or -(insertion index) - 1 when absent. Scans from the
   * touch for a few steps (where almost all activity is), then bisects.
   */
  search(key: number): number {
    const keys = this.keys;
    let i = this.n - 1;
    const stop = i - 8;
    for (; i >= 0 && i > stop; i--) {
      const k = keys[i]!;
      if (k === key) return i;
      if (k < key) return -(i + 1) - 1;
    }
    if (i < 0) return -1;
    let lo = 0;
    let hi = i;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid]!;
      if (k === key) return mid;
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  insertAt(pos: number, key: number, level: number): void {
    if (this.n === this.keys.length) this.grow();
    const n = this.n;
    const keys = this.keys;
    const levels = this.levels;
    if (n - pos > 16) {
      keys.copyWithin(pos + 1, pos, n);
      levels.copyWithin(pos + 1, pos, n);
    } else {
      for (let i = n; i > pos; i--) {
        keys[i] = keys[i - 1]!;
        levels[i] = levels[i - 1]!;
      }
    }
    keys[pos] = key;
    levels[pos] = level;
    this.n = n + 1;
  }

  removeAt(pos: number): void {
    const n = this.n - 1;
    const keys = this.keys;
    const levels = this.levels;
    if (n - pos > 16) {
      keys.copyWithin(pos, pos + 1, n + 1);
      levels.copyWithin(pos, pos + 1, n + 1);
    } else {
      for (let i = pos; i < n; i++) {
        keys[i] = keys[i + 1]!;
        levels[i] = levels[i + 1]!;
      }
    }
    this.n = n;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    this.keys = keys;
    const levels = new Int32Array(this.levels.length * 2);
    levels.set(this.levels);
    this.levels = levels;
  }
}
