// Shared set-up for the reference model's unit tests: a NaiveEngine with two
// assets, a few accounts and one market, whose every command is followed by
// the full invariant check.

import { eventToPlain, type PlainEvent } from '../event';
import { checkInvariants, InvariantTracker } from '../invariants';
import { NaiveEngine } from '../order-book-naive';
import type { RejectReason } from '../reject-reason';
import { eventKindName } from '../testing/differential';
import {
  type Command,
  CommandKind,
  type MarketConfig,
  OrderType,
  type PlaceOrder,
  type Side,
  StpMode,
  TimeInForce,
} from '../types';

export const FEE = 1;
export const BASE = 1;
export const QUOTE = 2;
export const MKT = 1;

export interface Ran {
  ret: RejectReason;
  events: PlainEvent[];
  /** Event kind names, in order. */
  kinds: string[];
}

export class Fixture {
  readonly eng = new NaiveEngine({ feeAccountId: FEE });
  private readonly tracker = new InvariantTracker();
  private ref = 1;

  run(cmd: Command): Ran {
    const ret = this.eng.submit(cmd, 0);
    const events: PlainEvent[] = [];
    for (let i = 0; i < this.eng.events.count; i++)
      events.push(eventToPlain(this.eng.events.at(i)));
    this.eng.events.clear();
    for (const ev of events) this.tracker.observe(ev);
    const violations = checkInvariants(this.eng, this.tracker);
    if (violations.length > 0) throw new Error(`invariants: ${violations.join('; ')}`);
    return { ret, events, kinds: events.map((e) => eventKindName(e.kind)) };
  }

  /** Like run(), but throws unless the command was accepted. */
  ok(cmd: Command): Ran {
    const r = this.run(cmd);
    if (r.ret !== 0) throw new Error(`rejected ${r.ret}: ${JSON.stringify(r.events)}`);
    return r;
  }

  deposit(accountId: number, assetId: number, amountAtoms: number): void {
    this.ok({ kind: CommandKind.DEPOSIT, accountId, assetId, amountAtoms, refId: this.ref++ });
  }

  balance(accountId: number, assetId: number): [number, number] {
    let out: [number, number] = [0, 0];
    this.eng.forEachBalance((acc, asset, av, lk) => {
      if (acc === accountId && asset === assetId) out = [av, lk];
    });
    return out;
  }

  /** Resting order ids of one side, in priority order. */
  book(side: Side, marketId = MKT): number[] {
    const ids: number[] = [];
    this.eng.forEachRestingOrder(marketId, side, (o) => ids.push(o.orderId));
    return ids;
  }
}

export function market(overrides: Partial<MarketConfig> = {}): Command {
  return {
    kind: CommandKind.ADD_MARKET,
    marketId: MKT,
    baseAssetId: BASE,
    quoteAssetId: QUOTE,
    baseAtomsPerLot: 10,
    quoteAtomsPerTickLot: 1,
    minQtyLots: 1,
    maxQtyLots: 1000,
    maxPriceTicks: 10_000,
    minNotionalAtoms: 0,
    priceBandBps: 1000,
    allowSelfTrade: false,
    status: 1,
    ...overrides,
  };
}

/**
 * Assets 1 (base) and 2 (quote), the given accounts (id -> [maker, taker] bps),
 * market 1 with `cfg`, and `funds` of both assets for every account.
 */
export function fixture(
  accounts: Record<number, [number, number]>,
  cfg: Partial<MarketConfig> = {},
  funds = 1_000_000,
): Fixture {
  const f = new Fixture();
  f.ok({ kind: CommandKind.ADD_ASSET, assetId: BASE });
  f.ok({ kind: CommandKind.ADD_ASSET, assetId: QUOTE });
  for (const [id, [maker, taker]] of Object.entries(accounts)) {
    f.ok({
      kind: CommandKind.ADD_ACCOUNT,
      accountId: Number(id),
      makerFeeBps: maker,
      takerFeeBps: taker,
    });
  }
  f.ok(market(cfg));
  for (const id of funds > 0 ? Object.keys(accounts) : []) {
    f.deposit(Number(id), BASE, funds);
    f.deposit(Number(id), QUOTE, funds);
  }
  return f;
}

export function limit(
  accountId: number,
  side: Side,
  qtyLots: number,
  priceTicks: number,
  more: Partial<PlaceOrder> = {},
): PlaceOrder {
  return {
    kind: CommandKind.PLACE_ORDER,
    accountId,
    marketId: MKT,
    side,
    orderType: OrderType.LIMIT,
    timeInForce: TimeInForce.GTC,
    priceTicks,
    qtyLots,
    quoteBudgetAtoms: 0,
    postOnly: false,
    stpMode: StpMode.UNSPECIFIED,
    clientOrderId: '',
    ...more,
  };
}

export function marketOrder(
  accountId: number,
  side: Side,
  qtyLots: number,
  quoteBudgetAtoms: number,
  more: Partial<PlaceOrder> = {},
): PlaceOrder {
  return {
    kind: CommandKind.PLACE_ORDER,
    accountId,
    marketId: MKT,
    side,
    orderType: OrderType.MARKET,
    timeInForce: TimeInForce.UNSPECIFIED,
    priceTicks: 0,
    qtyLots,
    quoteBudgetAtoms,
    postOnly: false,
    stpMode: StpMode.UNSPECIFIED,
    clientOrderId: '',
    ...more,
  };
}
