// The state of one order as the journal describes it, folded event by event.
// Every write of an orders row is the COMPLETE state as of some journal seq
// (last_journal_seq), so the version guard (update only if newer) keeps the
// newest state whatever order jobs commit in. A job computes the state of an
// order it touches from (a) its own events when the order was accepted in the
// job, or (b) the order's row plus the journal entries between the settled
// cursor and the job (the "window", see README "Orders") plus its own events.
//
// Units are the engine's (lots, ticks, atoms); toRow() converts exactly.
import { EventKind, OrderType, Side, StpMode, TimeInForce } from '../engine/enums';
import { atomsToDecimal, decimalToAtoms, divideToInteger, timesUnit } from './amounts';
import { orderUuid } from './ids';
import type { JEvent } from './journal';
import type { MarketRef, ReferenceData } from './reference-data';

export type OrderStatusText = 'new' | 'partially_filled' | 'filled' | 'canceled' | 'expired';

const OPEN: ReadonlySet<string> = new Set(['new', 'partially_filled']);

export function isOpenStatus(status: string): boolean {
  return OPEN.has(status);
}

/** Something in the journal did not agree with the folded state (logged and counted; the event wins). */
export type AnomalySink = (message: string) => void;

export class OrderState {
  accountUuid = '';
  market!: MarketRef;
  side = 0;
  orderType = 0;
  timeInForce = 0;
  stpMode = 0;
  postOnly = false;
  clientOrderId = '';
  createdUs = 0;
  /** Limit price; a market order's protection price (not written: market orders have no price). */
  priceTicks = 0;
  /** Total quantity (after amends and DECREMENT self-trade prevention); 0 for a quote-budget order. */
  qtyLots = 0;
  /** The last positive qtyLots: the row's quantity when DECREMENT empties an order that never filled. */
  lastPositiveQty = 0;
  filledLots = 0;
  cumQuoteAtoms = 0;
  status: OrderStatusText = 'new';
  /** Seq of the last event folded in (the row's version). */
  lastSeq = 0;
  byBudget = false;
  budgetAtoms = 0;
  /** Whether the state came from its ORDER_ACCEPTED (or a row), i.e. is complete. */
  known = false;

  constructor(
    readonly shard: number,
    readonly orderId: number,
  ) {}

  get open(): boolean {
    return OPEN.has(this.status);
  }

  /** Applies one event that names this order (as taker, maker or target). */
  apply(ev: JEvent, seq: number, timeUs: number, refs: ReferenceData, anomaly: AnomalySink): void {
    switch (ev.kind) {
      case EventKind.ORDER_ACCEPTED:
        this.accepted(ev, timeUs, refs);
        break;
      case EventKind.TRADE:
        this.trade(ev, anomaly);
        break;
      case EventKind.ORDER_CANCELED:
      case EventKind.ORDER_EXPIRED:
        this.closed(ev, anomaly);
        break;
      case EventKind.ORDER_AMENDED:
        this.amended(ev, anomaly);
        break;
      case EventKind.SELF_TRADE_PREVENTED:
        if (ev.stpMode === StpMode.DECREMENT && !this.byBudget) {
          this.setQty(this.qtyLots - ev.qtyLots);
          if (this.qtyLots < this.filledLots) {
            anomaly(
              `order ${this.orderId}: DECREMENT by ${ev.qtyLots} below its ${this.filledLots} filled lots`,
            );
          }
        }
        break;
      default:
        return;
    }
    if (!this.known && ev.kind !== EventKind.ORDER_ACCEPTED) {
      anomaly(`order ${this.orderId}: event ${ev.kind} at seq ${seq} before its ORDER_ACCEPTED`);
    }
    this.lastSeq = seq;
  }

  /** End of a fold: a quote-budget market order that was not expired spent its whole budget. */
  finish(): void {
    if (this.byBudget && this.open && this.filledLots > 0) {
      this.status = 'filled';
      this.setQty(this.filledLots);
    }
  }

  private setQty(q: number): void {
    if (this.qtyLots > 0) this.lastPositiveQty = this.qtyLots;
    this.qtyLots = q;
    if (q > 0) this.lastPositiveQty = q;
  }

  private accepted(ev: JEvent, timeUs: number, refs: ReferenceData): void {
    this.accountUuid = refs.account(ev.accountId).id;
    this.market = refs.market(ev.marketId);
    this.side = ev.side;
    this.orderType = ev.orderType;
    this.timeInForce = ev.timeInForce;
    this.stpMode = ev.stpMode;
    this.postOnly = (ev.flags & 1) !== 0;
    this.clientOrderId = ev.clientOrderId;
    this.createdUs = timeUs;
    this.priceTicks = ev.priceTicks;
    this.byBudget = ev.orderType === OrderType.MARKET && ev.qtyLots === 0;
    this.budgetAtoms = this.byBudget ? ev.quoteAtoms : 0;
    this.qtyLots = 0;
    this.lastPositiveQty = 0;
    this.setQty(ev.qtyLots);
    this.filledLots = 0;
    this.cumQuoteAtoms = 0;
    this.status = 'new';
    this.known = true;
  }

  private trade(ev: JEvent, anomaly: AnomalySink): void {
    const maker = ev.makerOrderId === this.orderId;
    this.filledLots += ev.qtyLots;
    this.cumQuoteAtoms += ev.quoteAtoms;
    if (!maker && this.byBudget) {
      this.status = 'partially_filled';
      return;
    }
    const leaves = maker ? ev.makerRemainingLots : ev.remainingLots;
    if (this.known && this.qtyLots - this.filledLots !== leaves) {
      anomaly(
        `order ${this.orderId}: trade ${ev.tradeId} leaves ${leaves}, folded quantity ${this.qtyLots} - filled ${this.filledLots}`,
      );
    }
    this.setQty(this.filledLots + leaves);
    this.status = leaves === 0 ? 'filled' : 'partially_filled';
    if (maker) this.priceTicks = ev.priceTicks;
  }

  private closed(ev: JEvent, anomaly: AnomalySink): void {
    if (!this.byBudget) {
      if (this.known && this.qtyLots - this.filledLots !== ev.qtyLots) {
        anomaly(
          `order ${this.orderId}: ${ev.kind === EventKind.ORDER_CANCELED ? 'cancel' : 'expiry'} removes ${ev.qtyLots}, folded leaves ${this.qtyLots - this.filledLots}`,
        );
      }
      this.setQty(this.filledLots + ev.qtyLots);
    }
    this.status = ev.kind === EventKind.ORDER_CANCELED ? 'canceled' : 'expired';
  }

  private amended(ev: JEvent, anomaly: AnomalySink): void {
    if (this.known && ev.qtyLots - ev.remainingLots !== this.filledLots) {
      anomaly(
        `order ${this.orderId}: amend to ${ev.qtyLots} with leaves ${ev.remainingLots}, folded filled ${this.filledLots}`,
      );
    }
    this.priceTicks = ev.priceTicks;
    this.filledLots = ev.qtyLots - ev.remainingLots;
    this.setQty(ev.qtyLots);
    this.status = this.filledLots > 0 ? 'partially_filled' : 'new';
  }

  /** The quantity written to the row (always > 0, see README "Orders"). */
  rowQtyLots(): number {
    if (this.byBudget) {
      if (this.status === 'filled') return this.filledLots;
      const unit = BigInt(Math.max(1, this.priceTicks)) * BigInt(this.market.quoteAtomsPerTickLot);
      const couldBuy = Number(BigInt(this.budgetAtoms) / unit);
      return Math.max(this.filledLots, couldBuy, 1);
    }
    if (this.qtyLots > 0) return this.qtyLots;
    return Math.max(this.lastPositiveQty, this.filledLots, 1);
  }

  toRow(): OrderRow {
    const m = this.market;
    const limit = this.orderType === OrderType.LIMIT;
    return {
      id: orderUuid(this.shard, this.orderId),
      clientOrderId: this.clientOrderId === '' ? null : this.clientOrderId,
      accountId: this.accountUuid,
      symbol: m.symbol,
      side: this.side === Side.BUY ? 'buy' : 'sell',
      type: limit ? 'limit' : 'market',
      price: limit ? timesUnit(this.priceTicks, m.tickSize) : null,
      quantity: timesUnit(this.rowQtyLots(), m.lotSize),
      filled: timesUnit(this.filledLots, m.lotSize),
      status: this.status,
      timeInForce: TIF_TEXT[this.timeInForce] ?? 'ioc',
      createdUs: this.createdUs,
      engineOrderId: this.orderId,
      marketId: m.id,
      stpMode: STP_TEXT[this.stpMode] ?? 'expire_taker',
      postOnly: this.postOnly ? 1 : 0,
      lastSeq: this.lastSeq,
      cumulativeQuote: atomsToDecimal(this.cumQuoteAtoms, m.quote.precision),
    };
  }
}

export interface OrderRow {
  id: string;
  clientOrderId: string | null;
  accountId: string;
  symbol: string;
  side: string;
  type: string;
  price: string | null;
  quantity: string;
  filled: string;
  status: string;
  timeInForce: string;
  createdUs: number;
  engineOrderId: number;
  marketId: string;
  stpMode: string;
  postOnly: number;
  lastSeq: number;
  cumulativeQuote: string;
}

const TIF_TEXT: Record<number, string> = {
  [TimeInForce.GTC]: 'gtc',
  [TimeInForce.IOC]: 'ioc',
  [TimeInForce.FOK]: 'fok',
};

const STP_TEXT: Record<number, string> = {
  [StpMode.NONE]: 'none',
  [StpMode.EXPIRE_TAKER]: 'expire_taker',
  [StpMode.EXPIRE_MAKER]: 'expire_maker',
  [StpMode.EXPIRE_BOTH]: 'expire_both',
  [StpMode.DECREMENT]: 'decrement',
};

const TIF_NUM: Record<string, number> = {
  gtc: TimeInForce.GTC,
  ioc: TimeInForce.IOC,
  fok: TimeInForce.FOK,
};
const STP_NUM: Record<string, number> = {
  none: StpMode.NONE,
  expire_taker: StpMode.EXPIRE_TAKER,
  expire_maker: StpMode.EXPIRE_MAKER,
  expire_both: StpMode.EXPIRE_BOTH,
  decrement: StpMode.DECREMENT,
};

/** An orders row as read back for a fold (numeric columns as text). */
export interface StoredOrder {
  engine_order_id: number;
  account_id: string;
  market_id: string;
  side: string;
  type: string;
  price: string | null;
  quantity: string;
  filled_quantity: string;
  cumulative_quote: string;
  status: string;
  time_in_force: string;
  stp_mode: string;
  post_only: boolean;
  client_order_id: string | null;
  created_us: string;
  last_journal_seq: string;
}

export function stateFromRow(shard: number, row: StoredOrder, refs: ReferenceData): OrderState {
  const s = new OrderState(shard, Number(row.engine_order_id));
  const m = refs.marketByUuid(row.market_id);
  if (m === undefined)
    throw new Error(`order ${row.engine_order_id}: unknown market ${row.market_id}`);
  s.market = m;
  s.accountUuid = row.account_id;
  s.side = row.side === 'buy' ? Side.BUY : Side.SELL;
  s.orderType = row.type === 'limit' ? OrderType.LIMIT : OrderType.MARKET;
  s.timeInForce = TIF_NUM[row.time_in_force] ?? TimeInForce.GTC;
  s.stpMode = STP_NUM[row.stp_mode] ?? StpMode.EXPIRE_TAKER;
  s.postOnly = row.post_only;
  s.clientOrderId = row.client_order_id ?? '';
  s.createdUs = Number(row.created_us);
  s.priceTicks = row.price === null ? 0 : divideToInteger(row.price, m.tickSize, 'price');
  s.qtyLots = divideToInteger(row.quantity, m.lotSize, 'quantity');
  s.lastPositiveQty = s.qtyLots;
  s.filledLots = divideToInteger(row.filled_quantity, m.lotSize, 'filled quantity');
  s.cumQuoteAtoms = Number(decimalToAtoms(row.cumulative_quote, m.quote.precision));
  s.status = row.status as OrderStatusText;
  s.lastSeq = Number(row.last_journal_seq);
  s.known = true;
  return s;
}
