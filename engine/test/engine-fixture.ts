// Shared set-up for the fast engine's tests (engine-*.test.ts): a small
// exchange with two assets, a few accounts and one market, plus helpers to
// submit commands and read their events as plain objects.
import { Engine, type FastEngineOptions } from '../engine';
import { EventKind, eventToPlain, type PlainEvent } from '../event';
import { RejectReason } from '../reject-reason';
import {
  type AmendOrder,
  type CancelOrder,
  CancelReason,
  type Command,
  CommandKind,
  type MarketConfig,
  MarketStatus,
  OrderType,
  type PlaceOrder,
  Side,
  StpMode,
  TimeInForce,
} from '../types';

export const FEE = 1;
export const BASE = 1;
export const QUOTE = 2;
/** Traders. */
export const A = 10;
export const B = 11;
export const C = 12;
export const MKT = 1;

export const DEFAULT_MARKET: MarketConfig = {
  marketId: MKT,
  baseAssetId: BASE,
  quoteAssetId: QUOTE,
  baseAtomsPerLot: 100,
  quoteAtomsPerTickLot: 1,
  minQtyLots: 1,
  maxQtyLots: 1_000_000,
  maxPriceTicks: 1_000_000,
  minNotionalAtoms: 0,
  priceBandBps: 1_000,
  allowSelfTrade: true,
};

export interface Result {
  r: RejectReason;
  ev: PlainEvent[];
}

/** Submits and drains: the reject reason and the command's events as plain objects. */
export function run(e: Engine, cmd: Command | unknown): Result {
  const r = e.submit(cmd as Command, 0);
  const ev: PlainEvent[] = [];
  for (let i = 0; i < e.events.count; i++) ev.push(eventToPlain(e.events.at(i)));
  e.events.clear();
  return { r, ev };
}

/** Submits a command that must be accepted; throws with its events otherwise. */
export function ok(e: Engine, cmd: Command | object): PlainEvent[] {
  const { r, ev } = run(e, cmd);
  if (r !== RejectReason.NONE) {
    throw new Error(`rejected ${r}: ${JSON.stringify(cmd)} -> ${JSON.stringify(ev)}`);
  }
  return ev;
}

export interface SetupOptions extends Partial<FastEngineOptions> {
  market?: Partial<MarketConfig>;
  /** Maker / taker bps of A, B and C (default 0 / 0). */
  makerFeeBps?: number;
  takerFeeBps?: number;
  /** Deposited into A, B and C in each asset (default 10^12). */
  funds?: number;
}

/** Fee account 1; assets 1 (base) and 2 (quote); traders 10, 11, 12 funded; market 1 active. */
export function setup(o: SetupOptions = {}): Engine {
  const e = new Engine({ feeAccountId: FEE, maxOrders: o.maxOrders });
  ok(e, { kind: CommandKind.ADD_ASSET, assetId: BASE });
  ok(e, { kind: CommandKind.ADD_ASSET, assetId: QUOTE });
  for (const a of [A, B, C]) {
    ok(e, {
      kind: CommandKind.ADD_ACCOUNT,
      accountId: a,
      makerFeeBps: o.makerFeeBps ?? 0,
      takerFeeBps: o.takerFeeBps ?? 0,
    });
  }
  ok(e, {
    kind: CommandKind.ADD_MARKET,
    ...DEFAULT_MARKET,
    ...o.market,
    status: MarketStatus.ACTIVE,
  });
  let ref = 1_000_000;
  const funds = o.funds ?? 1e12;
  if (funds > 0) {
    for (const a of [A, B, C]) {
      for (const asset of [BASE, QUOTE]) {
        ok(e, {
          kind: CommandKind.DEPOSIT,
          accountId: a,
          assetId: asset,
          amountAtoms: funds,
          refId: ref++,
        });
      }
    }
  }
  return e;
}

export function limit(
  accountId: number,
  side: Side,
  priceTicks: number,
  qtyLots: number,
  extra: Partial<PlaceOrder> = {},
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
    ...extra,
  };
}

export function market(
  accountId: number,
  side: Side,
  qtyLots: number,
  quoteBudgetAtoms = 0,
  extra: Partial<PlaceOrder> = {},
): PlaceOrder {
  return {
    kind: CommandKind.PLACE_ORDER,
    accountId,
    marketId: MKT,
    side,
    orderType: OrderType.MARKET,
    timeInForce: TimeInForce.IOC,
    priceTicks: 0,
    qtyLots,
    quoteBudgetAtoms,
    postOnly: false,
    stpMode: StpMode.UNSPECIFIED,
    clientOrderId: '',
    ...extra,
  };
}

export function cancel(accountId: number, orderId: number, clientOrderId = ''): CancelOrder {
  return { kind: CommandKind.CANCEL_ORDER, accountId, orderId, clientOrderId };
}

export function amend(
  accountId: number,
  orderId: number,
  newPriceTicks: number,
  newQtyLots: number,
  clientOrderId = '',
): AmendOrder {
  return {
    kind: CommandKind.AMEND_ORDER,
    accountId,
    orderId,
    clientOrderId,
    newPriceTicks,
    newQtyLots,
  };
}

/** Places and returns the new order's id. */
export function place(e: Engine, cmd: PlaceOrder): number {
  const ev = ok(e, cmd);
  const acc = ev.find((x) => x.kind === EventKind.ORDER_ACCEPTED);
  if (acc === undefined) throw new Error(`no ORDER_ACCEPTED: ${JSON.stringify(ev)}`);
  return acc.orderId as number;
}

/** The events of one kind. */
export function only(ev: PlainEvent[], kind: EventKind): PlainEvent[] {
  return ev.filter((x) => x.kind === kind);
}

/** Event kinds in order, as numbers. */
export function kinds(ev: PlainEvent[]): number[] {
  return ev.map((x) => x.kind);
}

/** The ORDER_REJECTED reason of a single rejected command. */
export function rejectOf(e: Engine, cmd: Command | unknown): number {
  const { r, ev } = run(e, cmd);
  if (ev.length !== 1 || ev[0]!.kind !== EventKind.ORDER_REJECTED || ev[0]!.reason !== r) {
    throw new Error(`expected one ORDER_REJECTED with reason ${r}: ${JSON.stringify(ev)}`);
  }
  return r;
}

/** Resting order ids of one side in priority order. */
export function bookIds(e: Engine, side: Side, marketId = MKT): number[] {
  const ids: number[] = [];
  e.forEachRestingOrder(marketId, side, (o) => ids.push(o.orderId));
  return ids;
}

/** Per asset: the sum of available + locked over every account. */
export function totals(e: Engine): Map<number, number> {
  const t = new Map<number, number>();
  e.forEachBalance((_a, asset, avail, locked) =>
    t.set(asset, (t.get(asset) ?? 0) + avail + locked),
  );
  return t;
}

/** Locked funds equal what open orders and pending withdrawals hold. */
export function lockedMatchesOrders(e: Engine): boolean {
  const want = new Map<string, number>();
  const add = (a: number, asset: number, amount: number) => {
    const k = `${a}:${asset}`;
    want.set(k, (want.get(k) ?? 0) + amount);
  };
  const markets: MarketConfig[] = [];
  e.forEachMarket((m) => markets.push(m));
  for (const m of markets) {
    for (const side of [Side.BUY, Side.SELL]) {
      e.forEachRestingOrder(m.marketId, side, (o) => {
        if (side === Side.BUY) {
          add(o.accountId, m.quoteAssetId, o.priceTicks * o.remainingLots * m.quoteAtomsPerTickLot);
        } else {
          add(o.accountId, m.baseAssetId, o.remainingLots * m.baseAtomsPerLot);
        }
      });
    }
  }
  e.forEachPendingWithdrawal((_r, a, asset, amount) => add(a, asset, amount));
  let good = true;
  const seen = new Set<string>();
  e.forEachBalance((a, asset, _avail, locked) => {
    const k = `${a}:${asset}`;
    seen.add(k);
    if ((want.get(k) ?? 0) !== locked) good = false;
  });
  for (const [k, v] of want) if (v !== 0 && !seen.has(k)) good = false;
  return good;
}

export {
  CancelReason,
  CommandKind,
  EventKind,
  MarketStatus,
  OrderType,
  RejectReason,
  Side,
  StpMode,
  TimeInForce,
};
