// A small market maker on the SDK: quotes `levels` post-only orders each
// side around a fair price, skews for inventory, and requotes (cancel-all +
// one batch) when it is filled or when the BBO moves inside its quotes.
// Runs with the dead-man's switch armed and cancel-on-disconnect, so a crash
// or a lost connection never leaves stale quotes; stop() cancels everything.
// Entry point with credentials and flags: scripts/demo-market-maker.ts.
import type { ExchangeClient } from '../client';
import type { BestBidOffer, ExecutionReport, NewOrderParams, PublicTrade } from '../protocol';
import { RejectReason, Side, TimeInForce } from '../protocol';

/** Settings of {@link MarketMaker}; prices and sizes in ticks and lots. */
export interface MarketMakerOptions {
  marketId: number;
  /** Initial fair price (ticks); afterwards it follows trades and the BBO. */
  fairPriceTicks: number;
  /** Levels per side (default 3). */
  levels?: number;
  /** Distance of the first level from fair, in ticks (default 10). */
  halfSpreadTicks?: number;
  /** Distance between levels (default 5 ticks). */
  stepTicks?: number;
  /** Size per level (default 10 lots). */
  qtyLots?: number;
  /** Fair price moves this many ticks against each lot of inventory (default 0). */
  skewTicksPerLot?: number;
  /** At most one requote per this many ms (default 200). */
  minRequoteMs?: number;
  /** Dead-man's switch timeout (default 5000 ms; 0 = off). */
  deadManSwitchMs?: number;
  /** Log lines (default: none). */
  log?: (line: string) => void;
}

/** Counters of a running {@link MarketMaker}. */
export interface MarketMakerStats {
  requotes: number;
  ordersPlaced: number;
  ordersRejected: number;
  fills: number;
  /** Net base position in lots (buys minus sells). */
  positionLots: number;
  fairPriceTicks: number;
}

/** Quotes around a fair price; see the file header. */
export class MarketMaker {
  readonly stats: MarketMakerStats;
  private readonly o: Required<Omit<MarketMakerOptions, 'log'>> & Pick<MarketMakerOptions, 'log'>;
  private bestOwnBid = 0;
  private bestOwnAsk = 0;
  private quoting = false;
  private dirty = false;
  private stopped = true;
  private lastQuoteAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private readonly onReport = (r: ExecutionReport): void => this.handleReport(r);
  private readonly onTrade = (t: PublicTrade): void => this.handleTrade(t);
  private readonly onBbo = (b: BestBidOffer): void => this.handleBbo(b);
  private readonly onLogon = (): void => this.requestQuote();

  constructor(
    private readonly client: ExchangeClient,
    options: MarketMakerOptions,
  ) {
    this.o = {
      levels: 3,
      halfSpreadTicks: 10,
      stepTicks: 5,
      qtyLots: 10,
      skewTicksPerLot: 0,
      minRequoteMs: 200,
      deadManSwitchMs: 5000,
      ...options,
    };
    this.stats = {
      requotes: 0,
      ordersPlaced: 0,
      ordersRejected: 0,
      fills: 0,
      positionLots: 0,
      fairPriceTicks: options.fairPriceTicks,
    };
  }

  /** Subscribes, arms the dead-man's switch and places the first quotes. */
  async start(): Promise<void> {
    this.stopped = false;
    const c = this.client;
    c.on('executionReport', this.onReport);
    c.on('trade', this.onTrade);
    c.on('bbo', this.onBbo);
    c.on('logon', this.onLogon); // requote after reconnects (cancel-on-disconnect removed the quotes)
    await c.subscribeTrades(this.o.marketId);
    await c.subscribeBbo(this.o.marketId);
    if (this.o.deadManSwitchMs > 0)
      await c.keepDeadManSwitchArmed(this.o.deadManSwitchMs, { marketId: this.o.marketId });
    await this.quote();
  }

  /** Stops quoting and cancels this account's orders in the market. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const c = this.client;
    c.off('executionReport', this.onReport);
    c.off('trade', this.onTrade);
    c.off('bbo', this.onBbo);
    c.off('logon', this.onLogon);
    if (c.isOpen) {
      await c.stopDeadManSwitch().catch(() => undefined);
      await c.cancelAll(this.o.marketId).catch(() => undefined);
    }
  }

  private handleReport(r: ExecutionReport): void {
    if (r.marketId !== this.o.marketId || r.lastQtyLots === 0) return;
    this.stats.fills++;
    this.stats.positionLots += r.side === Side.SIDE_BUY ? r.lastQtyLots : -r.lastQtyLots;
    this.o.log?.(
      `fill: ${r.side === Side.SIDE_BUY ? 'bought' : 'sold'} ${r.lastQtyLots} lots @ ${r.lastPriceTicks} ` +
        `(position ${this.stats.positionLots} lots)`,
    );
    this.requestQuote();
  }

  private handleTrade(t: PublicTrade): void {
    if (t.marketId !== this.o.marketId || t.priceTicks === 0) return;
    if (t.priceTicks !== this.stats.fairPriceTicks) {
      this.stats.fairPriceTicks = t.priceTicks;
      this.requestQuote();
    }
  }

  private handleBbo(b: BestBidOffer): void {
    // While requoting, the BBO shows our own orders coming and going: ignore it.
    if (b.marketId !== this.o.marketId || this.quoting) return;
    // Someone quotes inside us: the market moved; re-centre on its mid.
    const bidInside =
      b.bidPriceTicks > 0 && this.bestOwnBid > 0 && b.bidPriceTicks > this.bestOwnBid;
    const askInside =
      b.askPriceTicks > 0 && this.bestOwnAsk > 0 && b.askPriceTicks < this.bestOwnAsk;
    if ((bidInside || askInside) && b.bidPriceTicks > 0 && b.askPriceTicks > 0) {
      this.stats.fairPriceTicks = Math.round((b.bidPriceTicks + b.askPriceTicks) / 2);
      this.requestQuote();
    }
  }

  /** Requotes now or as soon as the throttle allows. */
  private requestQuote(): void {
    if (this.stopped) return;
    if (this.quoting) {
      this.dirty = true;
      return;
    }
    const wait = this.lastQuoteAt + this.o.minRequoteMs - Date.now();
    if (wait > 0) {
      if (this.timer === undefined) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.requestQuote();
        }, wait);
      }
      return;
    }
    void this.quote().catch((err: Error) => this.o.log?.(`requote failed: ${err.message}`));
  }

  private async quote(): Promise<void> {
    if (this.stopped || !this.client.isOpen) return;
    this.quoting = true;
    this.lastQuoteAt = Date.now();
    try {
      const o = this.o;
      const fair = Math.round(
        this.stats.fairPriceTicks - this.stats.positionLots * o.skewTicksPerLot,
      );
      const orders: NewOrderParams[] = [];
      const tag = (this.seq++ % 1_000_000).toString(36);
      for (let i = 0; i < o.levels; i++) {
        const bid = fair - o.halfSpreadTicks - i * o.stepTicks;
        const ask = fair + o.halfSpreadTicks + i * o.stepTicks;
        if (bid > 0) orders.push(this.order(Side.SIDE_BUY, bid, `mm-${tag}-b${i}`));
        orders.push(this.order(Side.SIDE_SELL, ask, `mm-${tag}-a${i}`));
      }
      await this.client.cancelAll(o.marketId);
      const res = await this.client.placeOrders(orders);
      this.stats.requotes++;
      this.bestOwnBid = 0;
      this.bestOwnAsk = 0;
      for (let i = 0; i < res.acks.length; i++) {
        const ack = res.acks[i]!;
        const ord = orders[i]!;
        if (ack.rejectReason === RejectReason.REJECT_REASON_UNKNOWN) {
          this.stats.ordersPlaced++;
          if (ord.side === Side.SIDE_BUY)
            this.bestOwnBid = Math.max(this.bestOwnBid, ord.priceTicks ?? 0);
          else if (this.bestOwnAsk === 0 || (ord.priceTicks ?? 0) < this.bestOwnAsk)
            this.bestOwnAsk = ord.priceTicks ?? 0;
        } else {
          this.stats.ordersRejected++;
        }
      }
      o.log?.(
        `quoted ${this.bestOwnBid || '-'} / ${this.bestOwnAsk || '-'} around ${fair} ` +
          `(${o.levels} levels, ${res.acks.filter((a) => a.rejectReason !== 0).length} rejected)`,
      );
    } finally {
      this.quoting = false;
      if (this.dirty) {
        this.dirty = false;
        this.requestQuote();
      }
    }
  }

  private order(side: Side, priceTicks: number, clientOrderId: string): NewOrderParams {
    return {
      marketId: this.o.marketId,
      side,
      priceTicks,
      qtyLots: this.o.qtyLots,
      timeInForce: TimeInForce.TIME_IN_FORCE_GTC,
      postOnly: true,
      clientOrderId,
    };
  }
}
