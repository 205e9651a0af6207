// Price levels as 64-byte records in one buffer (one cache line a level; see
// order-pool.ts for the layout idea). A level is an intrusive FIFO of order
// slots (head/tail here, prev/next in the OrderPool) with its total quantity
// and order count, plus what the current command needs to report a change:
// the generation that last touched it and its values before that command.
import { assert } from '../common/errors';
import { Link } from './order-pool';

/** 2^39: level sort keys are (marketId * 2 + side - 1) * 2^39 + priceTicks. */
const PRICE_SPAN = 549_755_813_888;

/** Sort key of a level: market, then side (BUY first), then price ascending; exact below 2^52. */
export function levelKey(marketId: number, side: number, priceTicks: number): number {
  return (marketId * 2 + side - 1) * PRICE_SPAN + priceTicks;
}

/** Bytes per level record. */
export const LEVEL_RECORD_BYTES = 64;

/** Double fields: `f[(l << 3) + field]` (bytes 0..39 of the record). */
export const enum LevelF64 {
  price = 0,
  /** Sum of the remaining quantity of its orders. */
  qty = 1,
  key = 2,
  /** Generation of the command that last touched it, and its qty before that command. */
  stamp = 3,
  beforeQty = 4,
}

/** Int32 fields: `i[(l << 4) + field]` (bytes 40..59). */
export const enum LevelI32 {
  count = 10,
  head = 11,
  tail = 12,
  market = 13,
  /** Its order count before the command that last touched it. */
  beforeCount = 14,
}

/** Byte fields: `b[(l << 6) + field]` (bytes 60..61). */
export const enum LevelU8 {
  side = 60,
  /** 1 while the level is in its book side; 0 once emptied (freed at the end of the command). */
  alive = 61,
}

export class LevelPool {
  capacity = 0;
  private top = 0;
  private freeHead = Link.NIL;

  /** The records seen as doubles, int32s and bytes (one buffer; replaced when it grows). */
  f = new Float64Array(0);
  i = new Int32Array(0);
  b = new Uint8Array(0);

  /** A fresh empty level (head/tail Link.NIL, qty/count 0, not stamped). */
  alloc(marketId: number, side: number, priceTicks: number): number {
    let l = this.freeHead;
    if (l !== Link.NIL) {
      this.freeHead = this.i[(l << 4) + LevelI32.head]!;
    } else {
      if (this.top === this.capacity) this.grow();
      l = this.top++;
    }
    const f = this.f;
    const d = l << 3;
    f[d + LevelF64.price] = priceTicks;
    f[d + LevelF64.qty] = 0;
    f[d + LevelF64.key] = levelKey(marketId, side, priceTicks);
    f[d + LevelF64.stamp] = 0;
    const i = this.i;
    const w = l << 4;
    i[w + LevelI32.count] = 0;
    i[w + LevelI32.head] = Link.NIL;
    i[w + LevelI32.tail] = Link.NIL;
    i[w + LevelI32.market] = marketId;
    this.b[(l << 6) + LevelU8.side] = side;
    this.b[(l << 6) + LevelU8.alive] = 1;
    return l;
  }

  release(l: number): void {
    this.b[(l << 6) + LevelU8.alive] = 0;
    this.i[(l << 4) + LevelI32.head] = this.freeHead;
    this.freeHead = l;
  }

  private grow(): void {
    const cap = Math.max(1024, this.capacity * 2);
    // Record offsets are computed in int32 (level << 6); levels never outnumber orders by much.
    assert(cap <= 2 ** 25, 'level record offsets fit an int32');
    const buf = new ArrayBuffer(cap * LEVEL_RECORD_BYTES);
    const b = new Uint8Array(buf);
    b.set(this.b);
    this.f = new Float64Array(buf);
    this.i = new Int32Array(buf);
    this.b = b;
    this.capacity = cap;
  }
}
