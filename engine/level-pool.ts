// Price levels as a struct of arrays. A level is an intrusive FIFO of order
// slots (head/tail here, prev/next in the OrderPool) with its total quantity
// and order count, plus what the current command needs to report a change:
// the generation that last touched it and its values before that command.
import { growF64, growI32, growU8, Link } from './order-pool';

/** 2^39: level sort keys are (marketId * 2 + side - 1) * 2^39 + priceTicks. */
const PRICE_SPAN = 549_755_813_888;

/** Sort key of a level: market, then side (BUY first), then price ascending; exact below 2^52. */
export function levelKey(marketId: number, side: number, priceTicks: number): number {
  return (marketId * 2 + side - 1) * PRICE_SPAN + priceTicks;
}

export class LevelPool {
  capacity = 0;
  private top = 0;
  private freeHead = Link.NIL;

  price = new Float64Array(0);
  /** Sum of the remaining quantity of its orders. */
  qty = new Float64Array(0);
  count = new Int32Array(0);
  head = new Int32Array(0);
  tail = new Int32Array(0);
  market = new Int32Array(0);
  side = new Uint8Array(0);
  /** 1 while the level is in its book side; 0 once emptied (freed at the end of the command). */
  alive = new Uint8Array(0);
  key = new Float64Array(0);
  /** Generation of the command that last touched it, and its (qty, count) before that command. */
  stamp = new Float64Array(0);
  beforeQty = new Float64Array(0);
  beforeCount = new Int32Array(0);

  /** A fresh empty level (head/tail Link.NIL, qty/count 0, not stamped). */
  alloc(marketId: number, side: number, priceTicks: number): number {
    let l = this.freeHead;
    if (l !== Link.NIL) {
      this.freeHead = this.head[l]!;
    } else {
      if (this.top === this.capacity) this.grow();
      l = this.top++;
    }
    this.price[l] = priceTicks;
    this.qty[l] = 0;
    this.count[l] = 0;
    this.head[l] = Link.NIL;
    this.tail[l] = Link.NIL;
    this.market[l] = marketId;
    this.side[l] = side;
    this.alive[l] = 1;
    this.key[l] = levelKey(marketId, side, priceTicks);
    this.stamp[l] = 0;
    return l;
  }

  release(l: number): void {
    this.alive[l] = 0;
    this.head[l] = this.freeHead;
    this.freeHead = l;
  }

  private grow(): void {
    const cap = Math.max(1024, this.capacity * 2);
    this.price = growF64(this.price, cap);
    this.qty = growF64(this.qty, cap);
    this.count = growI32(this.count, cap);
    this.head = growI32(this.head, cap);
    this.tail = growI32(this.tail, cap);
    this.market = growI32(this.market, cap);
    this.side = growU8(this.side, cap);
    this.alive = growU8(this.alive, cap);
    this.key = growF64(this.key, cap);
    this.stamp = growF64(this.stamp, cap);
    this.beforeQty = growF64(this.beforeQty, cap);
    this.beforeCount = growI32(this.beforeCount, cap);
    this.capacity = cap;
  }
}
