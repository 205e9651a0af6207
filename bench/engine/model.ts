// A deliberately small price-time book used only by the stream generators. It
// follows SEMANTICS.md for the subset the benchmark streams use (limit GTC /
// IOC / FOK, market by lots, cancel by id, amends that re-queue, no self-trade),
// so a generator knows, without running either engine, which order ids are
// live, what every command must do, and what both books must hold afterwards.
// Not on any timed path.
import { Side } from '../../engine/types';

export class ModelOrder {
  alive = true;
  /** Index in BookModel.live (swap-remove). */
  liveIndex = -1;
  filledLots = 0;
  remainingLots: number;
  constructor(
    readonly orderId: number,
    readonly accountId: number,
    readonly side: Side,
    readonly priceTicks: number,
    /** Total quantity (what AMEND_ORDER's newQtyLots refers to). */
    readonly qtyLots: number,
  ) {
    this.remainingLots = qtyLots;
  }
}

class ModelLevel {
  queue: ModelOrder[] = [];
  head = 0;
  count = 0;
  volume = 0;

  push(o: ModelOrder): void {
    this.queue.push(o);
    this.count++;
    this.volume += o.remainingLots;
  }

  front(): ModelOrder {
    const q = this.queue;
    while (!q[this.head]!.alive) this.head++;
    return q[this.head]!;
  }

  /** Drop dead entries once they dominate (lazy deletion keeps cancels O(1)). */
  maybeCompact(): void {
    if (this.queue.length > 64 && this.queue.length > 4 * this.count) {
      this.queue = this.queue.filter((o) => o.alive);
      this.head = 0;
    }
  }
}

export class BookModel {
  private readonly bids: (ModelLevel | undefined)[];
  private readonly asks: (ModelLevel | undefined)[];
  /** 0 = empty side. */
  bestBid = 0;
  bestAsk = 0;
  bidCount = 0;
  askCount = 0;
  bidVolume = 0;
  askVolume = 0;
  nextOrderId = 1;
  nextTradeId = 1;
  /** Every resting order, for uniform random picks. */
  readonly live: ModelOrder[] = [];
  /** Ids of makers that filled completely, most recent last (bounded). */
  readonly recentlyFilled: number[] = [];

  constructor(
    private readonly lowTicks: number,
    private readonly highTicks: number,
  ) {
    const n = highTicks - lowTicks + 1;
    this.bids = new Array<ModelLevel | undefined>(n).fill(undefined);
    this.asks = new Array<ModelLevel | undefined>(n).fill(undefined);
  }

  get restingCount(): number {
    return this.bidCount + this.askCount;
  }

  /** The id the engine gives the next accepted order. */
  takeOrderId(): number {
    return this.nextOrderId++;
  }

  private levels(side: Side): (ModelLevel | undefined)[] {
    return side === Side.BUY ? this.bids : this.asks;
  }

  private checkPrice(p: number): void {
    if (!(p >= this.lowTicks && p <= this.highTicks)) {
      throw new Error(`model: price ${p} outside [${this.lowTicks}, ${this.highTicks}]`);
    }
  }

  /** Append a (new or re-queued) order at the back of its level. */
  rest(o: ModelOrder): void {
    this.checkPrice(o.priceTicks);
    const levels = this.levels(o.side);
    const i = o.priceTicks - this.lowTicks;
    let level = levels[i];
    if (level === undefined) {
      level = new ModelLevel();
      levels[i] = level;
    }
    level.push(o);
    if (o.side === Side.BUY) {
      if (this.bestAsk !== 0 && o.priceTicks >= this.bestAsk) throw new Error('model: bid crosses');
      this.bidCount++;
      this.bidVolume += o.remainingLots;
      if (o.priceTicks > this.bestBid) this.bestBid = o.priceTicks;
    } else {
      if (o.priceTicks <= this.bestBid) throw new Error('model: ask crosses');
      this.askCount++;
      this.askVolume += o.remainingLots;
      if (this.bestAsk === 0 || o.priceTicks < this.bestAsk) this.bestAsk = o.priceTicks;
    }
    o.alive = true;
    o.liveIndex = this.live.length;
    this.live.push(o);
  }

  /** Take a resting order out of the book (cancel, amend, or filled). */
  unrest(o: ModelOrder): void {
    if (!o.alive) throw new Error(`model: order ${o.orderId} is not resting`);
    o.alive = false;
    const level = this.levels(o.side)[o.priceTicks - this.lowTicks]!;
    level.count--;
    level.volume -= o.remainingLots;
    if (o.side === Side.BUY) {
      this.bidCount--;
      this.bidVolume -= o.remainingLots;
    } else {
      this.askCount--;
      this.askVolume -= o.remainingLots;
    }
    const last = this.live.pop()!;
    if (last !== o) {
      this.live[o.liveIndex] = last;
      last.liveIndex = o.liveIndex;
    }
    o.liveIndex = -1;
    if (level.count === 0) {
      level.queue = [];
      level.head = 0;
      if (o.side === Side.BUY && o.priceTicks === this.bestBid)
        this.bestBid = this.scanBid(o.priceTicks - 1);
      if (o.side === Side.SELL && o.priceTicks === this.bestAsk)
        this.bestAsk = this.scanAsk(o.priceTicks + 1);
    } else {
      level.maybeCompact();
    }
  }

  private scanBid(from: number): number {
    for (let p = from; p >= this.lowTicks; p--) {
      const l = this.bids[p - this.lowTicks];
      if (l !== undefined && l.count > 0) return p;
    }
    return 0;
  }

  private scanAsk(from: number): number {
    for (let p = from; p <= this.highTicks; p++) {
      const l = this.asks[p - this.lowTicks];
      if (l !== undefined && l.count > 0) return p;
    }
    return 0;
  }

  /** Lots a taker on `side` could trade at prices up to (buy) / down to (sell) `limit`, capped at `cap`. */
  available(side: Side, limit: number, cap: number): number {
    let sum = 0;
    if (side === Side.BUY) {
      if (this.bestAsk === 0) return 0;
      const top = Math.min(limit, this.highTicks);
      for (let p = this.bestAsk; p <= top && sum < cap; p++) {
        const l = this.asks[p - this.lowTicks];
        if (l !== undefined) sum += l.volume;
      }
    } else {
      if (this.bestBid === 0) return 0;
      const bottom = Math.max(limit, this.lowTicks);
      for (let p = this.bestBid; p >= bottom && sum < cap; p--) {
        const l = this.bids[p - this.lowTicks];
        if (l !== undefined) sum += l.volume;
      }
    }
    return Math.min(sum, cap);
  }

  /**
   * Match a taker (never the makers' account) against the book up to `limit`;
   * returns the lots it traded. Each maker fill is one TRADE (one trade id).
   */
  take(side: Side, limit: number, qty: number): number {
    let left = qty;
    while (left > 0) {
      let price: number;
      let level: ModelLevel;
      if (side === Side.BUY) {
        if (this.bestAsk === 0 || this.bestAsk > limit) break;
        price = this.bestAsk;
        level = this.asks[price - this.lowTicks]!;
      } else {
        if (this.bestBid === 0 || this.bestBid < limit) break;
        price = this.bestBid;
        level = this.bids[price - this.lowTicks]!;
      }
      const maker = level.front();
      const x = Math.min(maker.remainingLots, left);
      this.nextTradeId++;
      left -= x;
      if (x === maker.remainingLots) {
        this.unrest(maker); // removes its full remaining volume
        maker.filledLots += x;
        maker.remainingLots = 0;
        this.recentlyFilled.push(maker.orderId);
        if (this.recentlyFilled.length > 256) this.recentlyFilled.splice(0, 128);
      } else {
        maker.remainingLots -= x;
        maker.filledLots += x;
        level.volume -= x;
        if (maker.side === Side.BUY) this.bidVolume -= x;
        else this.askVolume -= x;
      }
    }
    return qty - left;
  }
}
