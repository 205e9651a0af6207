// Resting orders as a struct of arrays: one typed-array column per field and
// a slot index per order, so a million orders are a few dozen flat buffers
// rather than a million objects. Slots are recycled through a free list; the
// columns grow in whole ORDER_POOL_CHUNKs, doubling (copying), up to the
// pool's limit: growing by one chunk at a time would copy O(n^2) bytes.
// The columns are replaced when the pool grows: never hold one across alloc().
import { assert } from '../common/errors';
import { MAX_ORDERS, ORDER_POOL_CHUNK } from './constants';

/** Link values; a const enum so that hot loops compare against a literal. */
export const enum Link {
  /** No slot (end of a list, or an unused link). */
  NIL = -1,
}

export class OrderPool {
  /** Slots the columns hold. */
  capacity = 0;
  /** Slots handed out at least once (slots >= top were never used). */
  private top = 0;
  /** Head of the free list, chained through `next`. */
  private freeHead = Link.NIL;
  /** Orders currently allocated. */
  live = 0;

  id = new Float64Array(0);
  price = new Float64Array(0);
  /** Total quantity (after amends and DECREMENT self-trade prevention). */
  qty = new Float64Array(0);
  /** Remaining (unfilled) quantity; filled = qty - rem. */
  rem = new Float64Array(0);
  account = new Int32Array(0);
  market = new Int32Array(0);
  /** The level this order rests in (a LevelPool index). */
  level = new Int32Array(0);
  /** FIFO links inside the order's price level. */
  prev = new Int32Array(0);
  next = new Int32Array(0);
  /** Links of the account's open-order list (book-entry order). */
  aPrev = new Int32Array(0);
  aNext = new Int32Array(0);
  side = new Uint8Array(0);
  tif = new Uint8Array(0);
  stp = new Uint8Array(0);
  postOnly = new Uint8Array(0);
  /** Client order ids ('' for none); a plain array of strings. Write through setCoid(). */
  coid: string[] = [];
  /** Sum of the lengths of the live orders' client order ids (sizes snapshots exactly). */
  coidChars = 0;

  constructor(readonly maxOrders: number = MAX_ORDERS) {
    assert(
      Number.isSafeInteger(maxOrders) && maxOrders >= 1 && maxOrders <= MAX_ORDERS,
      'order pool limit within 1..MAX_ORDERS',
    );
  }

  /** A free slot, or Link.NIL when the pool holds maxOrders orders. */
  alloc(): number {
    let s = this.freeHead;
    if (s !== Link.NIL) {
      this.freeHead = this.next[s]!;
    } else {
      if (this.top === this.capacity && !this.grow()) return Link.NIL;
      s = this.top++;
    }
    this.live++;
    return s;
  }

  /** For restoring: an empty pool takes slots 0..n-1, all in use. False if n > maxOrders. */
  reserveSequential(n: number): boolean {
    if (this.live !== 0 || this.top !== 0 || n > this.maxOrders) return false;
    if (this.capacity < n) this.grow(n);
    this.top = n;
    this.live = n;
    return true;
  }

  setCoid(s: number, coid: string): void {
    this.coidChars += coid.length - this.coid[s]!.length;
    this.coid[s] = coid;
  }

  /** Returns a slot to the free list. */
  release(s: number): void {
    this.setCoid(s, '');
    this.next[s] = this.freeHead;
    this.freeHead = s;
    this.live--;
  }

  /** Doubles (in whole chunks, at least to `min`), up to maxOrders; false when already there. */
  private grow(min = 0): boolean {
    if (this.capacity >= this.maxOrders) return false;
    let cap = Math.max(this.capacity * 2, ORDER_POOL_CHUNK);
    while (cap < min) cap *= 2;
    cap = Math.min(cap, this.maxOrders);
    this.id = growF64(this.id, cap);
    this.price = growF64(this.price, cap);
    this.qty = growF64(this.qty, cap);
    this.rem = growF64(this.rem, cap);
    this.account = growI32(this.account, cap);
    this.market = growI32(this.market, cap);
    this.level = growI32(this.level, cap);
    this.prev = growI32(this.prev, cap);
    this.next = growI32(this.next, cap);
    this.aPrev = growI32(this.aPrev, cap);
    this.aNext = growI32(this.aNext, cap);
    this.side = growU8(this.side, cap);
    this.tif = growU8(this.tif, cap);
    this.stp = growU8(this.stp, cap);
    this.postOnly = growU8(this.postOnly, cap);
    for (let i = this.capacity; i < cap; i++) this.coid.push('');
    this.capacity = cap;
    return true;
  }
}

export function growF64(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

export function growI32(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

export function growU8(a: Uint8Array, n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}
