// Resting orders as fixed 64-byte records in one buffer, one record (one
// cache line) per slot, so a million orders are one flat buffer rather than a
// million objects, and touching an order touches one line instead of one per
// field (a struct-of-arrays layout spread each order over 15 columns). Three
// views share the buffer: doubles, int32s and bytes, indexed from the slot
// with shifts (see OrderF64 / OrderI32 / OrderU8). Slots are recycled through
// a free list; the buffer grows in whole ORDER_POOL_CHUNKs, doubling (copying),
// up to the pool's limit. The views are replaced when the pool grows: never
// hold one across alloc().
import { assert } from '../common/errors';
import { MAX_ORDERS, ORDER_POOL_CHUNK } from './constants';

/** Link values; a const enum so that hot loops compare against a literal. */
export const enum Link {
  /** No slot (end of a list, or an unused link). */
  NIL = -1,
}

/** Bytes per order record. */
export const ORDER_RECORD_BYTES = 64;

/** Double fields: `f[(s << 3) + field]` (bytes 0..31 of the record). */
export const enum OrderF64 {
  id = 0,
  price = 1,
  /** Total quantity (after amends and DECREMENT self-trade prevention). */
  qty = 2,
  /** Remaining (unfilled) quantity; filled = qty - rem. */
  rem = 3,
}

/** Int32 fields: `i[(s << 4) + field]` (bytes 32..59). */
export const enum OrderI32 {
  account = 8,
  market = 9,
  /** The level this order rests in (a LevelPool index). */
  level = 10,
  /** FIFO links inside the order's price level. */
  prev = 11,
  next = 12,
  /** Links of the account's open-order list (book-entry order). */
  aPrev = 13,
  aNext = 14,
}

/** Byte fields: `b[(s << 6) + field]` (bytes 60..63). */
export const enum OrderU8 {
  side = 60,
  tif = 61,
  stp = 62,
  postOnly = 63,
}

export class OrderPool {
  /** Slots the buffer holds. */
  capacity = 0;
  /** Slots handed out at least once (slots >= top were never used). */
  private top = 0;
  /** Head of the free list, chained through `next`. */
  private freeHead = Link.NIL;
  /** Orders currently allocated. */
  live = 0;

  /** The records seen as doubles, int32s and bytes (one buffer). */
  f = new Float64Array(0);
  i = new Int32Array(0);
  b = new Uint8Array(0);
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
      this.freeHead = this.i[(s << 4) + OrderI32.next]!;
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
    this.i[(s << 4) + OrderI32.next] = this.freeHead;
    this.freeHead = s;
    this.live--;
  }

  /** Doubles (in whole chunks, at least to `min`), up to maxOrders; false when already there. */
  private grow(min = 0): boolean {
    if (this.capacity >= this.maxOrders) return false;
    let cap = Math.max(this.capacity * 2, ORDER_POOL_CHUNK);
    while (cap < min) cap *= 2;
    cap = Math.min(cap, this.maxOrders);
    const buf = new ArrayBuffer(cap * ORDER_RECORD_BYTES);
    const b = new Uint8Array(buf);
    b.set(this.b);
    this.f = new Float64Array(buf);
    this.i = new Int32Array(buf);
    this.b = b;
    for (let k = this.capacity; k < cap; k++) this.coid.push('');
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
