// The reference model of the matching engine: SEMANTICS.md written out as
// plainly as possible, so that the fast engine (engine.ts) can be held to it
// by the randomized differential test (testing/differential.ts).
//
// Deliberately naive: orders live in plain per-side arrays kept sorted by
// (price, arrival counter); balances in a Map keyed `${account}:${asset}`;
// BOOK_LEVEL and BALANCE events come from snapshotting every level aggregate
// and every balance before a command (or batch item) and diffing after it;
// money is computed with BigInt wherever a product or a division is involved.
// Nothing here is fast, and nothing should be made clever.
import { assert } from '../common/errors';
import {
  BPS_DENOMINATOR,
  MAX_ACCOUNTS,
  MAX_ASSETS,
  MAX_BATCH_ITEMS,
  MAX_CLIENT_ORDER_ID_LENGTH,
  MAX_MAKER_FEE_BPS,
  MAX_MARKETS,
  MAX_OPEN_ORDERS_PER_ACCOUNT,
  MAX_ORDERS,
  MAX_PRICE_BAND_BPS,
  MAX_SAFE,
  MAX_TAKER_FEE_BPS,
  MIN_MAKER_FEE_BPS,
} from './constants';
import { Event, EventKind, type EventSink, FLAG_KEPT_PRIORITY, FLAG_POST_ONLY } from './event';
import type { MatchingEngine } from './matching-engine';
import { RejectReason } from './reject-reason';
import { hashState } from './state-hash';
import type { RestingOrderView } from './state-view';
import {
  CancelReason,
  CommandKind,
  DEAD_MAN_MAX_TIMEOUT_MS,
  DEAD_MAN_MIN_TIMEOUT_MS,
  type EngineCommand,
  type MarketConfig,
  MarketStatus,
  OrderType,
  Side,
  StpMode,
  TimeInForce,
} from './types';

// ---------------------------------------------------------------- helpers

/** Reads a field of something that may not even be an object; never throws. */
function field(obj: unknown, name: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  return (obj as Record<string, unknown>)[name];
}

function isPositiveSafeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

function isNonNegativeSafeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** An id as echoed in ORDER_REJECTED: the command's value when it is a safe integer (-0 as 0), else 0. */
function echoId(v: unknown): number {
  return typeof v === 'number' && Number.isSafeInteger(v) ? v + 0 : 0;
}

function echoString(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function big(n: number): bigint {
  assert(Number.isSafeInteger(n), `not a safe integer: ${n}`);
  return BigInt(n);
}

/** Converts back from BigInt, asserting the result is a safe integer. */
function small(n: bigint): number {
  assert(n >= BigInt(-MAX_SAFE) && n <= BigInt(MAX_SAFE), `not a safe integer: ${n}`);
  return Number(n);
}

function floorDiv(a: bigint, b: bigint): bigint {
  assert(a >= 0n && b > 0n, 'floorDiv of non-negative by positive');
  return a / b;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  assert(a >= 0n && b > 0n, 'ceilDiv of non-negative by positive');
  return (a + b - 1n) / b;
}

/** p * q * qptl: the notional of q lots at p ticks, exactly. */
function notional(p: number, q: number, qptl: number): number {
  return small(big(p) * big(q) * big(qptl));
}

/** The fee charged on `amount` at a non-negative rate, rounded up. */
export function naiveFee(amount: number, bps: number): number {
  assert(bps >= 0, 'fee rate is non-negative');
  return small(ceilDiv(big(amount) * big(bps), big(BPS_DENOMINATOR)));
}

/** The rebate owed on `amount` at a negative rate, rounded down (before the cap). */
export function naiveRebate(amount: number, bps: number): number {
  assert(bps < 0, 'rebate rate is negative');
  return small(floorDiv(big(amount) * big(-bps), big(BPS_DENOMINATOR)));
}

const CLIENT_ORDER_ID_RE = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_CLIENT_ORDER_ID_LENGTH}}$`);

// ---------------------------------------------------------------- state

interface NaiveOrder {
  orderId: number;
  accountId: number;
  marketId: number;
  side: Side;
  priceTicks: number;
  qtyLots: number;
  filledLots: number;
  remainingLots: number;
  timeInForce: TimeInForce;
  stpMode: StpMode;
  postOnly: boolean;
  clientOrderId: string;
  /** Arrival counter: when it (re-)entered the book. Orders at one price trade in this order. */
  entry: number;
}

interface NaiveMarket {
  config: MarketConfig;
  status: MarketStatus;
  /** Best first: price descending, then entry ascending. */
  bids: NaiveOrder[];
  /** Best first: price ascending, then entry ascending. */
  asks: NaiveOrder[];
}

interface Balance {
  available: number;
  locked: number;
}

interface PendingWithdrawal {
  accountId: number;
  assetId: number;
  amountAtoms: number;
}

/** An order being matched as a taker (a new order, or an amended one re-entering). */
interface Taker {
  order: NaiveOrder;
  market: NaiveMarket;
  orderType: OrderType;
  /** The price the taker accepts: the limit price, or a market order's protection price. */
  limitPrice: number;
  /** Market order by quote budget. */
  byBudget: boolean;
  budgetLeft: number;
  /** Quote-budget sell: lots of base still locked. */
  lotsLockedLeft: number;
}

class ArraySink implements EventSink {
  readonly list: Event[] = [];
  get count(): number {
    return this.list.length;
  }
  at(index: number): Event {
    const ev = this.list[index];
    assert(ev !== undefined, `event index ${index} out of range`);
    return ev;
  }
  view(index: number): Event {
    return this.at(index);
  }
  clear(): void {
    this.list.length = 0;
  }
}

/** Snapshot of everything BOOK_LEVEL and BALANCE events describe. */
interface Snapshot {
  levels: Map<string, string>;
  balances: Map<string, string>;
}

export class NaiveEngine implements MatchingEngine {
  lastSeq = 0;
  nextOrderId = 1;
  nextTradeId = 1;
  readonly feeAccountId: number;
  readonly events = new ArraySink();

  private readonly assets = new Set<number>();
  private readonly accounts = new Map<number, { makerFeeBps: number; takerFeeBps: number }>();
  private readonly balances = new Map<string, Balance>();
  private readonly markets = new Map<number, NaiveMarket>();
  private readonly pendingWithdrawals = new Map<number, PendingWithdrawal>();
  private readonly depositRefs = new Set<number>();
  private readonly withdrawalRefs = new Set<number>();
  /** Armed dead-man's switches by `${accountId}:${marketId}`. */
  private readonly deadMan = new Map<
    string,
    { accountId: number; marketId: number; deadlineUs: number; timeoutMs: number }
  >();
  /** The command's time; SEMANTICS: anything but a non-negative safe integer reads as 0. */
  private nowUs = 0;
  private entryCounter = 0;
  /** The seq stamped on events of the command being applied. */
  private seq = 0;
  /** Resting orders the engine holds at most (ORDER_CAPACITY); MAX_ORDERS unless a test lowers it. */
  private readonly maxOrders: number;

  constructor(options: { feeAccountId: number; maxOrders?: number }) {
    assert(
      Number.isSafeInteger(options.feeAccountId) &&
        options.feeAccountId >= 1 &&
        options.feeAccountId < MAX_ACCOUNTS,
      'feeAccountId in 1..MAX_ACCOUNTS-1',
    );
    this.feeAccountId = options.feeAccountId;
    this.maxOrders = options.maxOrders ?? MAX_ORDERS;
    this.accounts.set(options.feeAccountId, { makerFeeBps: 0, takerFeeBps: 0 });
  }

  // ------------------------------------------------------------ StateView

  forEachAsset(fn: (assetId: number) => void): void {
    for (const id of [...this.assets].sort((a, b) => a - b)) fn(id);
  }

  forEachAccount(fn: (accountId: number, makerFeeBps: number, takerFeeBps: number) => void): void {
    const ids = [...this.accounts.keys()].sort((a, b) => a - b);
    for (const id of ids) {
      const acc = this.accounts.get(id)!;
      fn(id, acc.makerFeeBps, acc.takerFeeBps);
    }
  }

  forEachBalance(
    fn: (accountId: number, assetId: number, availableAtoms: number, lockedAtoms: number) => void,
  ): void {
    const rows: [number, number, Balance][] = [];
    for (const [key, bal] of this.balances) {
      const [acc, asset] = key.split(':').map(Number) as [number, number];
      rows.push([acc, asset, bal]);
    }
    rows.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [acc, asset, bal] of rows) {
      if (bal.available === 0 && bal.locked === 0) continue;
      fn(acc, asset, bal.available, bal.locked);
    }
  }

  forEachMarket(fn: (config: MarketConfig, status: MarketStatus) => void): void {
    const ids = [...this.markets.keys()].sort((a, b) => a - b);
    for (const id of ids) {
      const m = this.markets.get(id)!;
      fn({ ...m.config }, m.status);
    }
  }

  forEachRestingOrder(marketId: number, side: Side, fn: (order: RestingOrderView) => void): void {
    const m = this.markets.get(marketId);
    if (m === undefined) return;
    const list = side === Side.BUY ? m.bids : m.asks;
    for (const o of [...list]) {
      fn({
        orderId: o.orderId,
        accountId: o.accountId,
        marketId: o.marketId,
        side: o.side,
        priceTicks: o.priceTicks,
        qtyLots: o.qtyLots,
        filledLots: o.filledLots,
        remainingLots: o.remainingLots,
        timeInForce: o.timeInForce,
        stpMode: o.stpMode,
        postOnly: o.postOnly,
        clientOrderId: o.clientOrderId,
      });
    }
  }

  forEachPendingWithdrawal(
    fn: (refId: number, accountId: number, assetId: number, amountAtoms: number) => void,
  ): void {
    const refs = [...this.pendingWithdrawals.keys()].sort((a, b) => a - b);
    for (const ref of refs) {
      const w = this.pendingWithdrawals.get(ref)!;
      fn(ref, w.accountId, w.assetId, w.amountAtoms);
    }
  }

  forEachDepositRef(fn: (refId: number) => void): void {
    for (const ref of [...this.depositRefs].sort((a, b) => a - b)) fn(ref);
  }

  forEachWithdrawalRef(fn: (refId: number) => void): void {
    for (const ref of [...this.withdrawalRefs].sort((a, b) => a - b)) fn(ref);
  }

  forEachDeadManSwitch(
    fn: (accountId: number, marketId: number, deadlineUs: number, timeoutMs: number) => void,
  ): void {
    const list = [...this.deadMan.values()].sort(
      (a, b) => a.accountId - b.accountId || a.marketId - b.marketId,
    );
    for (const d of list) fn(d.accountId, d.marketId, d.deadlineUs, d.timeoutMs);
  }

  /** When the earliest armed switch fires; 0 = none armed. */
  nextDeadManDeadlineUs(): number {
    let best = 0;
    for (const d of this.deadMan.values()) {
      if (best === 0 || d.deadlineUs < best) best = d.deadlineUs;
    }
    return best;
  }

  stateHash(): string {
    return hashState(this);
  }

  // ------------------------------------------------------------ submit

  submit(command: EngineCommand, timeUs: number): RejectReason {
    this.lastSeq += 1;
    this.seq = this.lastSeq;
    this.nowUs = Number.isSafeInteger(timeUs) && timeUs >= 0 ? timeUs + 0 : 0;
    const kind = field(command, 'kind');
    switch (kind) {
      case CommandKind.TIMER:
        return this.timer();
      case CommandKind.BATCH_PLACE:
        return this.batch(command, CommandKind.BATCH_PLACE, 'orders', (item) =>
          this.placeOrder(item),
        );
      case CommandKind.BATCH_CANCEL:
        return this.batch(command, CommandKind.BATCH_CANCEL, 'cancels', (item) =>
          this.cancelOrder(item),
        );
      default:
        return this.withDiff(() => this.single(command, kind));
    }
  }

  private single(command: unknown, kind: unknown): RejectReason {
    switch (kind) {
      case CommandKind.PLACE_ORDER:
        return this.placeOrder(command);
      case CommandKind.CANCEL_ORDER:
        return this.cancelOrder(command);
      case CommandKind.CANCEL_ALL:
        return this.cancelAll(command);
      case CommandKind.AMEND_ORDER:
        return this.amendOrder(command);
      case CommandKind.DEPOSIT:
        return this.deposit(command);
      case CommandKind.WITHDRAW_LOCK:
        return this.withdrawLock(command);
      case CommandKind.WITHDRAW_FINALIZE:
        return this.withdrawEnd(command, CommandKind.WITHDRAW_FINALIZE);
      case CommandKind.WITHDRAW_RELEASE:
        return this.withdrawEnd(command, CommandKind.WITHDRAW_RELEASE);
      case CommandKind.SET_FEES:
        return this.setFees(command);
      case CommandKind.ADD_ASSET:
        return this.addAsset(command);
      case CommandKind.ADD_ACCOUNT:
        return this.addAccount(command);
      case CommandKind.ADD_MARKET:
        return this.addMarket(command);
      case CommandKind.SET_MARKET_STATUS:
        return this.setMarketStatus(command);
      case CommandKind.SET_DEAD_MAN_SWITCH:
        return this.setDeadManSwitch(command);
      default:
        return this.reject(echoId(kind) as CommandKind, RejectReason.INVALID_COMMAND, {});
    }
  }

  private batch(
    command: unknown,
    kind: CommandKind,
    listField: string,
    apply: (item: unknown) => RejectReason,
  ): RejectReason {
    const items = field(command, listField);
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH_ITEMS) {
      return this.reject(kind, RejectReason.BATCH_TOO_LARGE, {});
    }
    for (const item of items) this.withDiff(() => apply(item));
    return RejectReason.NONE;
  }

  /** Runs fn, then appends BOOK_LEVEL and BALANCE events for whatever it changed. */
  private withDiff(fn: () => RejectReason): RejectReason {
    const before = this.snapshot();
    const result = fn();
    const after = this.snapshot();
    this.emitLevelDiff(before.levels, after.levels);
    this.emitBalanceDiff(before.balances, after.balances);
    return result;
  }

  private snapshot(): Snapshot {
    const levels = new Map<string, string>();
    for (const m of this.markets.values()) {
      for (const side of [Side.BUY, Side.SELL]) {
        const agg = new Map<number, { qty: number; count: number }>();
        for (const o of side === Side.BUY ? m.bids : m.asks) {
          const a = agg.get(o.priceTicks) ?? { qty: 0, count: 0 };
          a.qty += o.remainingLots;
          a.count += 1;
          agg.set(o.priceTicks, a);
        }
        for (const [price, a] of agg) {
          levels.set(`${m.config.marketId}:${side}:${price}`, `${a.qty}:${a.count}`);
        }
      }
    }
    const balances = new Map<string, string>();
    for (const [key, b] of this.balances) balances.set(key, `${b.available}:${b.locked}`);
    return { levels, balances };
  }

  private emitLevelDiff(before: Map<string, string>, after: Map<string, string>): void {
    const keys = new Set([...before.keys(), ...after.keys()]);
    const changed: [number, number, number, number, number][] = [];
    for (const key of keys) {
      const b = before.get(key) ?? '0:0';
      const a = after.get(key) ?? '0:0';
      if (a === b) continue;
      const [marketId, side, price] = key.split(':').map(Number) as [number, number, number];
      const [qty, count] = a.split(':').map(Number) as [number, number];
      changed.push([marketId, side, price, qty, count]);
    }
    // SEMANTICS: side (BUY first) then price ascending; across markets (cancel-all
    // with marketId 0) we order by market id first.
    changed.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
    for (const [marketId, side, price, qty, count] of changed) {
      const ev = this.emit(EventKind.BOOK_LEVEL);
      ev.marketId = marketId;
      ev.side = side;
      ev.priceTicks = price;
      ev.qtyLots = qty;
      ev.orderCount = count;
    }
  }

  private emitBalanceDiff(before: Map<string, string>, after: Map<string, string>): void {
    const keys = new Set([...before.keys(), ...after.keys()]);
    const changed: [number, number, number, number][] = [];
    for (const key of keys) {
      const b = before.get(key) ?? '0:0';
      const a = after.get(key) ?? '0:0';
      if (a === b) continue;
      const [acc, asset] = key.split(':').map(Number) as [number, number];
      const [available, locked] = a.split(':').map(Number) as [number, number];
      changed.push([acc, asset, available, locked]);
    }
    changed.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    for (const [acc, asset, available, locked] of changed) {
      const ev = this.emit(EventKind.BALANCE);
      ev.accountId = acc;
      ev.assetId = asset;
      ev.availableAtoms = available;
      ev.lockedAtoms = locked;
    }
  }

  // ------------------------------------------------------------ events

  private emit(kind: EventKind): Event {
    const ev = new Event();
    ev.kind = kind;
    ev.seq = this.seq;
    this.events.list.push(ev);
    return ev;
  }

  private reject(
    commandKind: CommandKind,
    reason: RejectReason,
    ids: {
      accountId?: unknown;
      marketId?: unknown;
      orderId?: unknown;
      refId?: unknown;
      clientOrderId?: unknown;
    },
  ): RejectReason {
    const ev = this.emit(EventKind.ORDER_REJECTED);
    ev.commandKind = commandKind;
    ev.reason = reason;
    ev.accountId = echoId(ids.accountId);
    ev.marketId = echoId(ids.marketId);
    ev.orderId = echoId(ids.orderId);
    ev.refId = echoId(ids.refId);
    ev.clientOrderId = echoString(ids.clientOrderId);
    return reason;
  }

  private emitOrderEnd(
    kind: EventKind.ORDER_CANCELED | EventKind.ORDER_EXPIRED,
    order: NaiveOrder,
    reason: CancelReason,
    qtyLots: number,
    quoteAtoms: number,
  ): void {
    const ev = this.emit(kind);
    ev.orderId = order.orderId;
    ev.accountId = order.accountId;
    ev.marketId = order.marketId;
    ev.reason = reason;
    ev.qtyLots = qtyLots;
    ev.quoteAtoms = quoteAtoms;
    ev.clientOrderId = order.clientOrderId;
  }

  // ------------------------------------------------------------ balances

  private balance(accountId: number, assetId: number): Balance {
    const key = `${accountId}:${assetId}`;
    let b = this.balances.get(key);
    if (b === undefined) {
      b = { available: 0, locked: 0 };
      this.balances.set(key, b);
    }
    return b;
  }

  private lock(accountId: number, assetId: number, amount: number): void {
    const b = this.balance(accountId, assetId);
    assert(b.available >= amount, 'lock within available');
    b.available -= amount;
    b.locked += amount;
  }

  private unlock(accountId: number, assetId: number, amount: number): void {
    const b = this.balance(accountId, assetId);
    assert(b.locked >= amount, 'unlock within locked');
    b.locked -= amount;
    b.available += amount;
    assert(b.available <= MAX_SAFE, 'available stays safe');
  }

  /** Spends `amount` out of the locked funds (it leaves the account). */
  private spendLocked(accountId: number, assetId: number, amount: number): void {
    const b = this.balance(accountId, assetId);
    assert(b.locked >= amount, 'spend within locked');
    b.locked -= amount;
  }

  private credit(accountId: number, assetId: number, amount: number): void {
    const b = this.balance(accountId, assetId);
    assert(b.available + b.locked + amount <= MAX_SAFE, 'credit does not overflow');
    b.available += amount;
  }

  private debitAvailable(accountId: number, assetId: number, amount: number): void {
    const b = this.balance(accountId, assetId);
    assert(b.available >= amount, 'debit within available');
    b.available -= amount;
  }

  // ------------------------------------------------------------ book

  private sideList(m: NaiveMarket, side: Side): NaiveOrder[] {
    return side === Side.BUY ? m.bids : m.asks;
  }

  private sortBook(m: NaiveMarket): void {
    m.bids.sort((a, b) => b.priceTicks - a.priceTicks || a.entry - b.entry);
    m.asks.sort((a, b) => a.priceTicks - b.priceTicks || a.entry - b.entry);
  }

  private rest(m: NaiveMarket, order: NaiveOrder): void {
    this.entryCounter += 1;
    order.entry = this.entryCounter;
    this.sideList(m, order.side).push(order);
    this.sortBook(m);
  }

  private removeFromBook(m: NaiveMarket, order: NaiveOrder): void {
    const list = this.sideList(m, order.side);
    const i = list.indexOf(order);
    assert(i >= 0, 'order is on the book');
    list.splice(i, 1);
  }

  private allOpenOrders(): NaiveOrder[] {
    const out: NaiveOrder[] = [];
    for (const m of this.markets.values()) out.push(...m.bids, ...m.asks);
    return out;
  }

  private openOrdersOf(accountId: number): NaiveOrder[] {
    return this.allOpenOrders().filter((o) => o.accountId === accountId);
  }

  /** The lock a resting limit order holds. */
  private restingLock(m: NaiveMarket, o: NaiveOrder): { assetId: number; amount: number } {
    if (o.side === Side.BUY) {
      return {
        assetId: m.config.quoteAssetId,
        amount: notional(o.priceTicks, o.remainingLots, m.config.quoteAtomsPerTickLot),
      };
    }
    return {
      assetId: m.config.baseAssetId,
      amount: small(big(o.remainingLots) * big(m.config.baseAtomsPerLot)),
    };
  }

  /** CANCEL_ORDER / AMEND_ORDER lookup: by orderId when non-zero, else by clientOrderId. */
  private findOrder(
    accountId: unknown,
    orderId: unknown,
    clientOrderId: unknown,
  ): NaiveOrder | null {
    if (orderId !== 0) {
      for (const o of this.allOpenOrders()) {
        if (o.orderId === orderId && o.accountId === accountId) return o;
      }
      return null;
    }
    if (typeof clientOrderId !== 'string' || clientOrderId === '') return null;
    for (const o of this.allOpenOrders()) {
      if (o.accountId === accountId && o.clientOrderId === clientOrderId) return o;
    }
    return null;
  }

  // ------------------------------------------------------------ PLACE_ORDER

  private placeOrder(cmd: unknown): RejectReason {
    const accountId = field(cmd, 'accountId');
    const marketId = field(cmd, 'marketId');
    const side = field(cmd, 'side');
    const orderType = field(cmd, 'orderType');
    const tif = field(cmd, 'timeInForce');
    const priceTicks = field(cmd, 'priceTicks');
    const qtyLots = field(cmd, 'qtyLots');
    const budget = field(cmd, 'quoteBudgetAtoms');
    const postOnly = Boolean(field(cmd, 'postOnly'));
    const stpMode = field(cmd, 'stpMode');
    const clientOrderId = field(cmd, 'clientOrderId');
    const rej = (reason: RejectReason) =>
      this.reject(CommandKind.PLACE_ORDER, reason, { accountId, marketId, clientOrderId });

    // 1.
    if (
      typeof accountId !== 'number' ||
      !this.accounts.has(accountId) ||
      accountId === this.feeAccountId
    ) {
      return rej(RejectReason.ACCOUNT_UNKNOWN);
    }
    // 2.
    const m = typeof marketId === 'number' ? this.markets.get(marketId) : undefined;
    if (m === undefined) return rej(RejectReason.MARKET_UNKNOWN);
    if (m.status === MarketStatus.HALTED) return rej(RejectReason.MARKET_HALTED);
    if (m.status === MarketStatus.CANCEL_ONLY) return rej(RejectReason.MARKET_CANCEL_ONLY);
    const cfg = m.config;
    // 3.
    if (side !== Side.BUY && side !== Side.SELL) return rej(RejectReason.INVALID_SIDE);
    if (orderType !== OrderType.LIMIT && orderType !== OrderType.MARKET) {
      return rej(RejectReason.INVALID_ORDER_TYPE);
    }
    // 4.
    if (orderType === OrderType.LIMIT) {
      if (tif !== TimeInForce.GTC && tif !== TimeInForce.IOC && tif !== TimeInForce.FOK) {
        return rej(RejectReason.INVALID_TIME_IN_FORCE);
      }
    } else if (tif !== TimeInForce.UNSPECIFIED && tif !== TimeInForce.IOC) {
      return rej(RejectReason.INVALID_TIME_IN_FORCE);
    }
    if (postOnly && !(orderType === OrderType.LIMIT && tif === TimeInForce.GTC)) {
      return rej(RejectReason.INVALID_TIME_IN_FORCE);
    }
    // 5.
    if (
      typeof stpMode !== 'number' ||
      !Number.isInteger(stpMode) ||
      stpMode < StpMode.UNSPECIFIED ||
      stpMode > StpMode.DECREMENT
    ) {
      return rej(RejectReason.INVALID_STP_MODE);
    }
    if (stpMode === StpMode.NONE && !cfg.allowSelfTrade) return rej(RejectReason.INVALID_STP_MODE);
    const effectiveStp: StpMode =
      stpMode === StpMode.UNSPECIFIED ? StpMode.EXPIRE_TAKER : (stpMode as StpMode);
    // 6.
    if (
      clientOrderId !== '' &&
      (typeof clientOrderId !== 'string' || !CLIENT_ORDER_ID_RE.test(clientOrderId))
    ) {
      return rej(RejectReason.INVALID_CLIENT_ORDER_ID);
    }
    const cid = clientOrderId as string;
    // 7.
    let byBudget = false;
    if (orderType === OrderType.LIMIT) {
      if (!isPositiveSafeInt(priceTicks)) return rej(RejectReason.INVALID_TICK_SIZE);
      if (priceTicks > cfg.maxPriceTicks) return rej(RejectReason.PRICE_OUT_OF_RANGE);
      if (budget !== 0) return rej(RejectReason.INVALID_LOT_SIZE);
    } else {
      if (priceTicks !== 0) return rej(RejectReason.INVALID_TICK_SIZE);
      if (!isNonNegativeSafeInt(budget)) return rej(RejectReason.INVALID_LOT_SIZE);
      const qtyNonZero = qtyLots !== 0;
      const budgetNonZero = budget !== 0;
      if (qtyNonZero === budgetNonZero) return rej(RejectReason.INVALID_LOT_SIZE);
      byBudget = budgetNonZero;
    }
    // 8.
    if (!byBudget) {
      if (!isPositiveSafeInt(qtyLots)) return rej(RejectReason.INVALID_LOT_SIZE);
      if (qtyLots < cfg.minQtyLots) return rej(RejectReason.QUANTITY_BELOW_MIN);
      if (qtyLots > cfg.maxQtyLots) return rej(RejectReason.QUANTITY_ABOVE_MAX);
    }
    const qty = byBudget ? 0 : (qtyLots as number);
    const budgetAtoms = byBudget ? (budget as number) : 0;
    // 9.
    if (orderType === OrderType.LIMIT) {
      if (notional(priceTicks as number, qty, cfg.quoteAtomsPerTickLot) < cfg.minNotionalAtoms) {
        return rej(RejectReason.NOTIONAL_BELOW_MIN);
      }
    } else if (byBudget && budgetAtoms < cfg.minNotionalAtoms) {
      return rej(RejectReason.NOTIONAL_BELOW_MIN);
    }
    // 10.
    if (cid !== '' && this.openOrdersOf(accountId).some((o) => o.clientOrderId === cid)) {
      return rej(RejectReason.DUPLICATE_CLIENT_ORDER_ID);
    }
    const opposite = side === Side.BUY ? m.asks : m.bids;
    const best = opposite[0];
    // 11.
    if (postOnly && best !== undefined) {
      const price = priceTicks as number;
      const wouldTake = side === Side.BUY ? best.priceTicks <= price : best.priceTicks >= price;
      if (wouldTake) return rej(RejectReason.POST_ONLY_WOULD_TAKE);
    }
    // 12.
    if (orderType === OrderType.MARKET && best === undefined) {
      return rej(RejectReason.NO_LIQUIDITY);
    }
    // 13.
    if (orderType === OrderType.LIMIT && tif === TimeInForce.GTC) {
      if (this.openOrdersOf(accountId).length >= MAX_OPEN_ORDERS_PER_ACCOUNT) {
        return rej(RejectReason.TOO_MANY_OPEN_ORDERS);
      }
      if (this.allOpenOrders().length >= this.maxOrders) return rej(RejectReason.ORDER_CAPACITY);
    }
    // The price the taker accepts: its limit, or the market protection price.
    let limitPrice: number;
    if (orderType === OrderType.LIMIT) {
      limitPrice = priceTicks as number;
    } else {
      const b = big(best!.priceTicks);
      const band = big(cfg.priceBandBps);
      const den = big(BPS_DENOMINATOR);
      if (side === Side.BUY) {
        limitPrice = Math.min(cfg.maxPriceTicks, small(floorDiv(b * (den + band), den)));
      } else {
        limitPrice = Math.max(1, small(ceilDiv(b * (den - band), den)));
      }
    }
    // 14. (and the lock of a quote-budget sell, which may be 0 lots)
    let lockAsset: number;
    let lockAmount: number;
    let lotsLocked = 0;
    if (side === Side.BUY) {
      lockAsset = cfg.quoteAssetId;
      lockAmount = byBudget ? budgetAtoms : notional(limitPrice, qty, cfg.quoteAtomsPerTickLot);
    } else {
      lockAsset = cfg.baseAssetId;
      if (byBudget) {
        lotsLocked = small(
          floorDiv(big(budgetAtoms), big(limitPrice) * big(cfg.quoteAtomsPerTickLot)),
        );
        if (lotsLocked === 0) return rej(RejectReason.QUANTITY_BELOW_MIN);
        // May exceed 2^53 for an absurd budget: compare exactly, then it is surely too much.
        const lockBig = big(lotsLocked) * big(cfg.baseAtomsPerLot);
        if (lockBig > BigInt(this.balance(accountId, lockAsset).available)) {
          return rej(RejectReason.INSUFFICIENT_FUNDS);
        }
        lockAmount = small(lockBig);
      } else {
        lockAmount = small(big(qty) * big(cfg.baseAtomsPerLot));
      }
    }
    if (this.balance(accountId, lockAsset).available < lockAmount) {
      return rej(RejectReason.INSUFFICIENT_FUNDS);
    }

    // Accepted.
    const order: NaiveOrder = {
      orderId: this.nextOrderId,
      accountId,
      marketId: cfg.marketId,
      side,
      priceTicks: limitPrice,
      qtyLots: qty,
      filledLots: 0,
      remainingLots: qty,
      timeInForce: tif as TimeInForce,
      stpMode: effectiveStp,
      postOnly,
      clientOrderId: cid,
      entry: 0,
    };
    this.nextOrderId += 1;
    const acc = this.emit(EventKind.ORDER_ACCEPTED);
    acc.orderId = order.orderId;
    acc.accountId = accountId;
    acc.marketId = cfg.marketId;
    acc.side = side;
    acc.orderType = orderType;
    acc.timeInForce = (tif as number) + 0; // -0 -> 0
    acc.stpMode = effectiveStp;
    acc.flags = postOnly ? FLAG_POST_ONLY : 0;
    acc.priceTicks = limitPrice;
    acc.qtyLots = qty;
    acc.quoteAtoms = budgetAtoms;
    acc.clientOrderId = cid;
    this.lock(accountId, lockAsset, lockAmount);

    const taker: Taker = {
      order,
      market: m,
      orderType,
      limitPrice,
      byBudget,
      budgetLeft: budgetAtoms,
      lotsLockedLeft: lotsLocked,
    };

    if (orderType === OrderType.LIMIT && tif === TimeInForce.FOK && !this.fokCanFill(taker)) {
      this.emitOrderEnd(EventKind.ORDER_EXPIRED, order, CancelReason.FOK_UNFILLABLE, qty, 0);
      this.releaseTaker(taker);
      return RejectReason.NONE;
    }
    this.matchAndFinish(taker);
    return RejectReason.NONE;
  }

  /** The FOK walk: can the order fill completely before anything trades? */
  private fokCanFill(t: Taker): boolean {
    const o = t.order;
    let sum = 0;
    for (const maker of this.sideList(t.market, o.side === Side.BUY ? Side.SELL : Side.BUY)) {
      if (!this.acceptable(t, maker.priceTicks)) break;
      if (maker.accountId === o.accountId) {
        if (o.stpMode === StpMode.NONE) {
          // counts
        } else if (o.stpMode === StpMode.EXPIRE_MAKER) {
          continue;
        } else {
          break;
        }
      }
      sum += maker.remainingLots;
    }
    return sum >= o.qtyLots;
  }

  private acceptable(t: Taker, makerPrice: number): boolean {
    return t.order.side === Side.BUY ? makerPrice <= t.limitPrice : makerPrice >= t.limitPrice;
  }

  private takerHasSomethingLeft(t: Taker): boolean {
    return t.byBudget ? t.budgetLeft > 0 : t.order.remainingLots > 0;
  }

  /** The matching loop, then the taker's end: expire or rest. */
  private matchAndFinish(t: Taker): void {
    const o = t.order;
    const m = t.market;
    const cfg = m.config;
    const qptl = cfg.quoteAtomsPerTickLot;
    const bapl = cfg.baseAtomsPerLot;
    const opposite = () => this.sideList(m, o.side === Side.BUY ? Side.SELL : Side.BUY);
    let stoppedForSelfTrade = false;

    while (this.takerHasSomethingLeft(t)) {
      const maker = opposite()[0];
      if (maker === undefined || !this.acceptable(t, maker.priceTicks)) break;
      const p = maker.priceTicks;
      let takerRemaining: number;
      if (t.byBudget) {
        takerRemaining = small(floorDiv(big(t.budgetLeft), big(p) * big(qptl)));
        if (o.side === Side.SELL) takerRemaining = Math.min(takerRemaining, t.lotsLockedLeft);
      } else {
        takerRemaining = o.remainingLots;
      }
      const x = Math.min(maker.remainingLots, takerRemaining);
      if (x === 0) break;

      if (maker.accountId === o.accountId && o.stpMode !== StpMode.NONE) {
        const stp = this.emit(EventKind.SELF_TRADE_PREVENTED);
        stp.marketId = cfg.marketId;
        stp.orderId = o.orderId;
        stp.accountId = o.accountId;
        stp.makerOrderId = maker.orderId;
        stp.stpMode = o.stpMode;
        stp.qtyLots = x;
        if (o.stpMode === StpMode.EXPIRE_TAKER) {
          stoppedForSelfTrade = true;
          break;
        }
        if (o.stpMode === StpMode.EXPIRE_MAKER || o.stpMode === StpMode.EXPIRE_BOTH) {
          this.expireMakerForSelfTrade(m, maker, maker.remainingLots);
          if (o.stpMode === StpMode.EXPIRE_BOTH) {
            stoppedForSelfTrade = true;
            break;
          }
          continue;
        }
        // DECREMENT: both lose x.
        assert(o.stpMode === StpMode.DECREMENT, 'stp mode');
        const makerLock = this.restingLock(m, maker);
        maker.qtyLots -= x;
        maker.remainingLots -= x;
        const makerLockAfter = this.restingLock(m, maker);
        this.unlock(maker.accountId, makerLock.assetId, makerLock.amount - makerLockAfter.amount);
        if (maker.remainingLots === 0) this.expireMakerForSelfTrade(m, maker, 0);
        if (t.byBudget) {
          const lost = notional(p, x, qptl);
          t.budgetLeft -= lost;
          if (o.side === Side.BUY) {
            this.unlock(o.accountId, cfg.quoteAssetId, lost);
          } else {
            t.lotsLockedLeft -= x;
            this.unlock(o.accountId, cfg.baseAssetId, small(big(x) * big(bapl)));
          }
          if (t.budgetLeft === 0) {
            stoppedForSelfTrade = true;
            break;
          }
        } else {
          o.qtyLots -= x;
          o.remainingLots -= x;
          if (o.side === Side.BUY) {
            this.unlock(o.accountId, cfg.quoteAssetId, notional(t.limitPrice, x, qptl));
          } else {
            this.unlock(o.accountId, cfg.baseAssetId, small(big(x) * big(bapl)));
          }
          if (o.remainingLots === 0) {
            stoppedForSelfTrade = true;
            break;
          }
        }
        continue;
      }

      this.trade(t, maker, x);
    }

    // The taker's end.
    if (stoppedForSelfTrade) {
      this.emitOrderEnd(
        EventKind.ORDER_EXPIRED,
        o,
        CancelReason.SELF_TRADE,
        t.byBudget ? 0 : o.remainingLots,
        t.byBudget ? t.budgetLeft : 0,
      );
      this.releaseTaker(t);
      return;
    }
    if (t.orderType === OrderType.MARKET) {
      if (this.takerHasSomethingLeft(t)) {
        this.emitOrderEnd(
          EventKind.ORDER_EXPIRED,
          o,
          CancelReason.MARKET_REMAINDER,
          t.byBudget ? 0 : o.remainingLots,
          t.byBudget ? t.budgetLeft : 0,
        );
      }
      this.releaseTaker(t);
      return;
    }
    if (o.remainingLots === 0) return;
    if (o.timeInForce === TimeInForce.IOC) {
      this.emitOrderEnd(EventKind.ORDER_EXPIRED, o, CancelReason.IOC_REMAINDER, o.remainingLots, 0);
      this.releaseTaker(t);
      return;
    }
    assert(o.timeInForce === TimeInForce.GTC, 'a FOK that passed its walk fills completely');
    this.rest(m, o);
  }

  /** Returns whatever the taker still has locked to available. */
  private releaseTaker(t: Taker): void {
    const o = t.order;
    const cfg = t.market.config;
    if (o.side === Side.BUY) {
      const amount = t.byBudget
        ? t.budgetLeft
        : notional(t.limitPrice, o.remainingLots, cfg.quoteAtomsPerTickLot);
      this.unlock(o.accountId, cfg.quoteAssetId, amount);
      t.budgetLeft = 0;
    } else {
      const lots = t.byBudget ? t.lotsLockedLeft : o.remainingLots;
      this.unlock(o.accountId, cfg.baseAssetId, small(big(lots) * big(cfg.baseAtomsPerLot)));
      t.lotsLockedLeft = 0;
    }
  }

  private expireMakerForSelfTrade(m: NaiveMarket, maker: NaiveOrder, reported: number): void {
    const lock = this.restingLock(m, maker);
    this.unlock(maker.accountId, lock.assetId, lock.amount);
    this.removeFromBook(m, maker);
    this.emitOrderEnd(EventKind.ORDER_EXPIRED, maker, CancelReason.SELF_TRADE, reported, 0);
  }

  private trade(t: Taker, maker: NaiveOrder, x: number): void {
    const o = t.order;
    const cfg = t.market.config;
    const p = maker.priceTicks;
    const qptl = cfg.quoteAtomsPerTickLot;
    const base = small(big(x) * big(cfg.baseAtomsPerLot));
    const quote = notional(p, x, qptl);
    const taker = this.accounts.get(o.accountId)!;
    const makerAcc = this.accounts.get(maker.accountId)!;

    // The taker spends from its lock.
    if (o.side === Side.BUY) {
      if (t.byBudget) {
        this.spendLocked(o.accountId, cfg.quoteAssetId, quote);
        t.budgetLeft -= quote;
      } else {
        const released = notional(t.limitPrice, x, qptl);
        this.unlock(o.accountId, cfg.quoteAssetId, released);
        this.debitAvailable(o.accountId, cfg.quoteAssetId, quote);
      }
    } else {
      this.spendLocked(o.accountId, cfg.baseAssetId, base);
      if (t.byBudget) {
        t.budgetLeft -= quote;
        t.lotsLockedLeft -= x;
      }
    }
    // The maker spends from its lock (at its own price, so exactly).
    if (maker.side === Side.BUY) {
      this.spendLocked(maker.accountId, cfg.quoteAssetId, quote);
    } else {
      this.spendLocked(maker.accountId, cfg.baseAssetId, base);
    }

    // Proceeds minus fees.
    const takerReceivesAsset = o.side === Side.BUY ? cfg.baseAssetId : cfg.quoteAssetId;
    const takerReceives = o.side === Side.BUY ? base : quote;
    const makerReceivesAsset = o.side === Side.BUY ? cfg.quoteAssetId : cfg.baseAssetId;
    const makerReceives = o.side === Side.BUY ? quote : base;

    const takerFee = naiveFee(takerReceives, taker.takerFeeBps);
    this.credit(o.accountId, takerReceivesAsset, takerReceives - takerFee);
    this.credit(this.feeAccountId, takerReceivesAsset, takerFee);

    let makerFee: number;
    if (makerAcc.makerFeeBps >= 0) {
      makerFee = naiveFee(makerReceives, makerAcc.makerFeeBps);
      this.credit(maker.accountId, makerReceivesAsset, makerReceives - makerFee);
      this.credit(this.feeAccountId, makerReceivesAsset, makerFee);
    } else {
      const owed = naiveRebate(makerReceives, makerAcc.makerFeeBps);
      const fund = this.balance(this.feeAccountId, makerReceivesAsset).available;
      const paid = Math.min(owed, fund);
      this.debitAvailable(this.feeAccountId, makerReceivesAsset, paid);
      this.credit(maker.accountId, makerReceivesAsset, makerReceives + paid);
      makerFee = paid === 0 ? 0 : -paid;
    }

    // Quantities.
    maker.filledLots += x;
    maker.remainingLots -= x;
    if (!t.byBudget) {
      o.filledLots += x;
      o.remainingLots -= x;
    }
    if (maker.remainingLots === 0) this.removeFromBook(t.market, maker);

    const ev = this.emit(EventKind.TRADE);
    ev.tradeId = this.nextTradeId;
    this.nextTradeId += 1;
    ev.marketId = cfg.marketId;
    ev.orderId = o.orderId;
    ev.accountId = o.accountId;
    ev.side = o.side;
    ev.makerOrderId = maker.orderId;
    ev.makerAccountId = maker.accountId;
    ev.priceTicks = p;
    ev.qtyLots = x;
    ev.quoteAtoms = quote;
    ev.remainingLots = t.byBudget ? 0 : o.remainingLots;
    ev.makerRemainingLots = maker.remainingLots;
    ev.takerFeeAtoms = takerFee;
    ev.makerFeeAtoms = makerFee;
  }

  // ------------------------------------------------------------ CANCEL_ORDER / CANCEL_ALL

  private cancelOrder(cmd: unknown): RejectReason {
    const accountId = field(cmd, 'accountId');
    const orderId = field(cmd, 'orderId');
    const clientOrderId = field(cmd, 'clientOrderId');
    const rej = (reason: RejectReason) =>
      this.reject(CommandKind.CANCEL_ORDER, reason, { accountId, orderId, clientOrderId });
    const o = this.findOrder(accountId, orderId, clientOrderId);
    if (o === null) return rej(RejectReason.ORDER_UNKNOWN);
    const m = this.markets.get(o.marketId)!;
    if (m.status === MarketStatus.HALTED) return rej(RejectReason.MARKET_HALTED);
    this.cancelResting(m, o, CancelReason.USER);
    return RejectReason.NONE;
  }

  private cancelResting(m: NaiveMarket, o: NaiveOrder, reason: CancelReason): void {
    this.emitOrderEnd(EventKind.ORDER_CANCELED, o, reason, o.remainingLots, 0);
    const lock = this.restingLock(m, o);
    this.unlock(o.accountId, lock.assetId, lock.amount);
    this.removeFromBook(m, o);
  }

  private cancelAll(cmd: unknown): RejectReason {
    const accountId = field(cmd, 'accountId');
    const marketId = field(cmd, 'marketId');
    const reasonIn = field(cmd, 'reason');
    const rej = (reason: RejectReason) =>
      this.reject(CommandKind.CANCEL_ALL, reason, { accountId, marketId });
    if (typeof accountId !== 'number' || !this.accounts.has(accountId)) {
      return rej(RejectReason.ACCOUNT_UNKNOWN);
    }
    if (marketId !== 0 && (typeof marketId !== 'number' || !this.markets.has(marketId))) {
      return rej(RejectReason.MARKET_UNKNOWN);
    }
    // SEMANTICS: USER (reported as CANCEL_ALL), CANCEL_ON_DISCONNECT or
    // DEAD_MAN_SWITCH; any other reason rejects the command.
    let reason: CancelReason;
    if (reasonIn === CancelReason.USER) reason = CancelReason.CANCEL_ALL;
    else if (reasonIn === CancelReason.CANCEL_ON_DISCONNECT)
      reason = CancelReason.CANCEL_ON_DISCONNECT;
    else if (reasonIn === CancelReason.DEAD_MAN_SWITCH) reason = CancelReason.DEAD_MAN_SWITCH;
    else return rej(RejectReason.INVALID_COMMAND);
    const targets = this.openOrdersOf(accountId)
      .filter((o) => marketId === 0 || o.marketId === marketId)
      .filter((o) => this.markets.get(o.marketId)!.status !== MarketStatus.HALTED)
      .sort((a, b) => a.entry - b.entry);
    for (const o of targets) {
      this.cancelResting(this.markets.get(o.marketId)!, o, reason as CancelReason);
    }
    return RejectReason.NONE;
  }

  // ------------------------------------------------------ dead-man's switch

  private setDeadManSwitch(cmd: unknown): RejectReason {
    const accountId = field(cmd, 'accountId');
    const marketId = field(cmd, 'marketId');
    const timeoutMs = field(cmd, 'timeoutMs');
    const rej = (reason: RejectReason) =>
      this.reject(CommandKind.SET_DEAD_MAN_SWITCH, reason, { accountId, marketId });
    if (typeof accountId !== 'number' || !this.accounts.has(accountId)) {
      return rej(RejectReason.ACCOUNT_UNKNOWN);
    }
    if (marketId !== 0 && (typeof marketId !== 'number' || !this.markets.has(marketId))) {
      return rej(RejectReason.MARKET_UNKNOWN);
    }
    const timeout = timeoutMs === 0 ? 0 : timeoutMs;
    if (
      timeout !== 0 &&
      !(
        typeof timeout === 'number' &&
        Number.isSafeInteger(timeout) &&
        timeout >= DEAD_MAN_MIN_TIMEOUT_MS &&
        timeout <= DEAD_MAN_MAX_TIMEOUT_MS
      )
    ) {
      return rej(RejectReason.INVALID_COMMAND);
    }
    const market = marketId === 0 ? 0 : (marketId as number);
    const key = `${accountId}:${market}`;
    let deadlineUs = 0;
    if (timeout === 0) {
      this.deadMan.delete(key);
    } else {
      deadlineUs = Math.min(this.nowUs + (timeout as number) * 1000, Number.MAX_SAFE_INTEGER);
      this.deadMan.set(key, {
        accountId,
        marketId: market,
        deadlineUs,
        timeoutMs: timeout as number,
      });
    }
    const ev = this.emit(EventKind.DEAD_MAN_SWITCH_SET);
    ev.accountId = accountId;
    ev.marketId = market;
    ev.timeoutMs = timeout as number;
    ev.deadlineUs = deadlineUs;
    return RejectReason.NONE;
  }

  /** Fires every due switch in (deadline, account, market) order, each like its own cancel-all. */
  private timer(): RejectReason {
    const due = [...this.deadMan.values()]
      .filter((d) => d.deadlineUs <= this.nowUs)
      .sort(
        (a, b) =>
          a.deadlineUs - b.deadlineUs || a.accountId - b.accountId || a.marketId - b.marketId,
      );
    for (const d of due) {
      this.deadMan.delete(`${d.accountId}:${d.marketId}`);
      this.withDiff(() => {
        const ev = this.emit(EventKind.DEAD_MAN_SWITCH_FIRED);
        ev.accountId = d.accountId;
        ev.marketId = d.marketId;
        ev.deadlineUs = d.deadlineUs;
        const targets = this.openOrdersOf(d.accountId)
          .filter((o) => d.marketId === 0 || o.marketId === d.marketId)
          .filter((o) => this.markets.get(o.marketId)!.status !== MarketStatus.HALTED)
          .sort((a, b) => a.entry - b.entry);
        for (const o of targets) {
          this.cancelResting(this.markets.get(o.marketId)!, o, CancelReason.DEAD_MAN_SWITCH);
        }
        return RejectReason.NONE;
      });
    }
    return RejectReason.NONE;
  }

  // ------------------------------------------------------------ AMEND_ORDER

  private amendOrder(cmd: unknown): RejectReason {
    const accountId = field(cmd, 'accountId');
    const orderId = field(cmd, 'orderId');
    const clientOrderId = field(cmd, 'clientOrderId');
    const newPrice = field(cmd, 'newPriceTicks');
    const newQty = field(cmd, 'newQtyLots');
    const rej = (reason: RejectReason) =>
      this.reject(CommandKind.AMEND_ORDER, reason, { accountId, orderId, clientOrderId });
    const o = this.findOrder(accountId, orderId, clientOrderId);
    if (o === null) return rej(RejectReason.ORDER_UNKNOWN);
    const m = this.markets.get(o.marketId)!;
    const cfg = m.config;
    if (m.status === MarketStatus.HALTED) return rej(RejectReason.MARKET_HALTED);
    if (m.status === MarketStatus.CANCEL_ONLY) return rej(RejectReason.MARKET_CANCEL_ONLY);
    if ((newPrice === 0 || newPrice === o.priceTicks) && (newQty === 0 || newQty === o.qtyLots)) {
      return rej(RejectReason.AMEND_NO_CHANGE);
    }
    if (newPrice !== 0) {
      if (!isPositiveSafeInt(newPrice)) return rej(RejectReason.INVALID_TICK_SIZE);
      if (newPrice > cfg.maxPriceTicks) return rej(RejectReason.PRICE_OUT_OF_RANGE);
    }
    if (newQty !== 0) {
      if (!isPositiveSafeInt(newQty)) return rej(RejectReason.INVALID_LOT_SIZE);
      if (newQty < cfg.minQtyLots) return rej(RejectReason.QUANTITY_BELOW_MIN);
      if (newQty > cfg.maxQtyLots) return rej(RejectReason.QUANTITY_ABOVE_MAX);
      if (newQty <= o.filledLots) return rej(RejectReason.QUANTITY_BELOW_MIN);
    }
    const price = newPrice === 0 ? o.priceTicks : (newPrice as number);
    const qty = newQty === 0 ? o.qtyLots : (newQty as number);
    if (notional(price, qty, cfg.quoteAtomsPerTickLot) < cfg.minNotionalAtoms) {
      return rej(RejectReason.NOTIONAL_BELOW_MIN);
    }
    const newRemaining = qty - o.filledLots;

    if (price === o.priceTicks && qty < o.qtyLots) {
      // In place, keeps priority.
      const before = this.restingLock(m, o);
      o.qtyLots = qty;
      o.remainingLots = newRemaining;
      const after = this.restingLock(m, o);
      this.unlock(o.accountId, before.assetId, before.amount - after.amount);
      this.emitAmended(o, FLAG_KEPT_PRIORITY);
      return RejectReason.NONE;
    }

    // Re-enters: a new price, or more quantity.
    if (o.postOnly) {
      const best = this.sideList(m, o.side === Side.BUY ? Side.SELL : Side.BUY)[0];
      if (best !== undefined) {
        const wouldTake = o.side === Side.BUY ? best.priceTicks <= price : best.priceTicks >= price;
        if (wouldTake) return rej(RejectReason.POST_ONLY_WOULD_TAKE);
      }
    }
    const current = this.restingLock(m, o);
    const newLock =
      o.side === Side.BUY
        ? notional(price, newRemaining, cfg.quoteAtomsPerTickLot)
        : small(big(newRemaining) * big(cfg.baseAtomsPerLot));
    const available = this.balance(o.accountId, current.assetId).available;
    if (newLock > available + current.amount) return rej(RejectReason.INSUFFICIENT_FUNDS);

    this.removeFromBook(m, o);
    this.unlock(o.accountId, current.assetId, current.amount);
    o.priceTicks = price;
    o.qtyLots = qty;
    o.remainingLots = newRemaining;
    this.lock(o.accountId, current.assetId, newLock);
    this.emitAmended(o, 0);
    this.matchAndFinish({
      order: o,
      market: m,
      orderType: OrderType.LIMIT,
      limitPrice: price,
      byBudget: false,
      budgetLeft: 0,
      lotsLockedLeft: 0,
    });
    return RejectReason.NONE;
  }

  private emitAmended(o: NaiveOrder, flags: number): void {
    const ev = this.emit(EventKind.ORDER_AMENDED);
    ev.orderId = o.orderId;
    ev.accountId = o.accountId;
    ev.marketId = o.marketId;
    ev.priceTicks = o.priceTicks;
    ev.qtyLots = o.qtyLots;
    ev.remainingLots = o.remainingLots;
    ev.flags = flags;
    ev.clientOrderId = o.clientOrderId;
  }

  // ------------------------------------------------------------ balances commands

  private deposit(cmd: unknown): RejectReason {
    const accountId = field(cmd, 'accountId');
    const assetId = field(cmd, 'assetId');
    const amount = field(cmd, 'amountAtoms');
    const refId = field(cmd, 'refId');
    const rej = (reason: RejectReason) =>
      this.reject(CommandKind.DEPOSIT, reason, { accountId, refId });
    if (typeof accountId !== 'number' || !this.accounts.has(accountId)) {
      return rej(RejectReason.ACCOUNT_UNKNOWN);
    }
    if (typeof assetId !== 'number' || !this.assets.has(assetId)) {
      return rej(RejectReason.ASSET_UNKNOWN);
    }
    if (!isPositiveSafeInt(amount)) return rej(RejectReason.INVALID_AMOUNT);
    if (!isPositiveSafeInt(refId)) return rej(RejectReason.INVALID_AMOUNT);
    if (this.depositRefs.has(refId)) return rej(RejectReason.DUPLICATE_REFERENCE);
    // The asset's total supply (every balance of it) stays <= 2^53-1, so no
    // balance can overflow later: trades only move existing supply.
    let supply = BigInt(amount);
    for (const [key, other] of this.balances) {
      if (key.endsWith(`:${assetId}`)) supply += BigInt(other.available) + BigInt(other.locked);
    }
    if (supply > BigInt(MAX_SAFE)) return rej(RejectReason.BALANCE_OVERFLOW);
    const b = this.balance(accountId, assetId);
    this.depositRefs.add(refId);
    const ev = this.emit(EventKind.DEPOSITED);
    ev.accountId = accountId;
    ev.assetId = assetId;
    ev.amountAtoms = amount;
    ev.refId = refId;
    b.available += amount;
    return RejectReason.NONE;
  }

  private withdrawLock(cmd: unknown): RejectReason {
    const accountId = field(cmd, 'accountId');
    const assetId = field(cmd, 'assetId');
    const amount = field(cmd, 'amountAtoms');
    const refId = field(cmd, 'refId');
    const rej = (reason: RejectReason) =>
      this.reject(CommandKind.WITHDRAW_LOCK, reason, { accountId, refId });
    if (typeof accountId !== 'number' || !this.accounts.has(accountId)) {
      return rej(RejectReason.ACCOUNT_UNKNOWN);
    }
    if (typeof assetId !== 'number' || !this.assets.has(assetId)) {
      return rej(RejectReason.ASSET_UNKNOWN);
    }
    if (!isPositiveSafeInt(amount)) return rej(RejectReason.INVALID_AMOUNT);
    if (!isPositiveSafeInt(refId)) return rej(RejectReason.INVALID_AMOUNT);
    if (this.withdrawalRefs.has(refId)) return rej(RejectReason.DUPLICATE_REFERENCE);
    if (this.balance(accountId, assetId).available < amount) {
      return rej(RejectReason.INSUFFICIENT_FUNDS);
    }
    this.withdrawalRefs.add(refId);
    this.pendingWithdrawals.set(refId, { accountId, assetId, amountAtoms: amount });
    const ev = this.emit(EventKind.WITHDRAWAL_LOCKED);
    ev.accountId = accountId;
    ev.assetId = assetId;
    ev.amountAtoms = amount;
    ev.refId = refId;
    this.lock(accountId, assetId, amount);
    return RejectReason.NONE;
  }

  private withdrawEnd(
    cmd: unknown,
    kind: CommandKind.WITHDRAW_FINALIZE | CommandKind.WITHDRAW_RELEASE,
  ): RejectReason {
    const refId = field(cmd, 'refId');
    const w = typeof refId === 'number' ? this.pendingWithdrawals.get(refId) : undefined;
    if (w === undefined) return this.reject(kind, RejectReason.REFERENCE_UNKNOWN, { refId });
    this.pendingWithdrawals.delete(refId as number);
    const ev = this.emit(
      kind === CommandKind.WITHDRAW_FINALIZE
        ? EventKind.WITHDRAWAL_FINALIZED
        : EventKind.WITHDRAWAL_RELEASED,
    );
    ev.accountId = w.accountId;
    ev.assetId = w.assetId;
    ev.amountAtoms = w.amountAtoms;
    ev.refId = refId as number;
    if (kind === CommandKind.WITHDRAW_FINALIZE) {
      this.spendLocked(w.accountId, w.assetId, w.amountAtoms);
    } else {
      this.unlock(w.accountId, w.assetId, w.amountAtoms);
    }
    return RejectReason.NONE;
  }

  // ------------------------------------------------------------ fees and admin

  private feesValid(maker: unknown, taker: unknown): boolean {
    return (
      typeof maker === 'number' &&
      Number.isInteger(maker) &&
      maker >= MIN_MAKER_FEE_BPS &&
      maker <= MAX_MAKER_FEE_BPS &&
      typeof taker === 'number' &&
      Number.isInteger(taker) &&
      taker >= 0 &&
      taker <= MAX_TAKER_FEE_BPS
    );
  }

  private setFees(cmd: unknown): RejectReason {
    const accountId = field(cmd, 'accountId');
    const maker = field(cmd, 'makerFeeBps');
    const taker = field(cmd, 'takerFeeBps');
    const rej = (reason: RejectReason) => this.reject(CommandKind.SET_FEES, reason, { accountId });
    if (typeof accountId !== 'number' || !this.accounts.has(accountId)) {
      return rej(RejectReason.ACCOUNT_UNKNOWN);
    }
    if (!this.feesValid(maker, taker)) return rej(RejectReason.INVALID_FEE);
    // `+ 0`: a -0 from the command is stored (and hashed) as 0.
    this.accounts.set(accountId, {
      makerFeeBps: (maker as number) + 0,
      takerFeeBps: (taker as number) + 0,
    });
    const ev = this.emit(EventKind.FEES_SET);
    ev.accountId = accountId;
    ev.makerFeeBps = (maker as number) + 0;
    ev.takerFeeBps = (taker as number) + 0;
    return RejectReason.NONE;
  }

  private addAsset(cmd: unknown): RejectReason {
    const assetId = field(cmd, 'assetId');
    if (!isPositiveSafeInt(assetId) || assetId > MAX_ASSETS - 1) {
      return this.reject(CommandKind.ADD_ASSET, RejectReason.INVALID_COMMAND, {});
    }
    if (this.assets.has(assetId)) {
      return this.reject(CommandKind.ADD_ASSET, RejectReason.ASSET_EXISTS, {});
    }
    this.assets.add(assetId);
    this.emit(EventKind.ASSET_ADDED).assetId = assetId;
    return RejectReason.NONE;
  }

  private addAccount(cmd: unknown): RejectReason {
    const accountId = field(cmd, 'accountId');
    const maker = field(cmd, 'makerFeeBps');
    const taker = field(cmd, 'takerFeeBps');
    const rej = (reason: RejectReason) =>
      this.reject(CommandKind.ADD_ACCOUNT, reason, { accountId });
    if (!isPositiveSafeInt(accountId) || accountId > MAX_ACCOUNTS - 1) {
      return rej(RejectReason.INVALID_COMMAND);
    }
    if (this.accounts.has(accountId)) return rej(RejectReason.ACCOUNT_EXISTS);
    if (!this.feesValid(maker, taker)) return rej(RejectReason.INVALID_FEE);
    // `+ 0`: a -0 from the command is stored (and hashed) as 0.
    this.accounts.set(accountId, {
      makerFeeBps: (maker as number) + 0,
      takerFeeBps: (taker as number) + 0,
    });
    const ev = this.emit(EventKind.ACCOUNT_ADDED);
    ev.accountId = accountId;
    ev.makerFeeBps = (maker as number) + 0;
    ev.takerFeeBps = (taker as number) + 0;
    return RejectReason.NONE;
  }

  private addMarket(cmd: unknown): RejectReason {
    const marketId = field(cmd, 'marketId');
    const rej = (reason: RejectReason) => this.reject(CommandKind.ADD_MARKET, reason, { marketId });
    if (!isPositiveSafeInt(marketId) || marketId > MAX_MARKETS - 1) {
      return rej(RejectReason.INVALID_COMMAND);
    }
    if (this.markets.has(marketId)) return rej(RejectReason.MARKET_EXISTS);
    const base = field(cmd, 'baseAssetId');
    const quote = field(cmd, 'quoteAssetId');
    const bapl = field(cmd, 'baseAtomsPerLot');
    const qptl = field(cmd, 'quoteAtomsPerTickLot');
    const minQty = field(cmd, 'minQtyLots');
    const maxQty = field(cmd, 'maxQtyLots');
    const maxPrice = field(cmd, 'maxPriceTicks');
    const minNotional = field(cmd, 'minNotionalAtoms');
    const band = field(cmd, 'priceBandBps');
    if (
      !isPositiveSafeInt(base) ||
      !isPositiveSafeInt(quote) ||
      !isPositiveSafeInt(bapl) ||
      !isPositiveSafeInt(qptl) ||
      !isPositiveSafeInt(minQty) ||
      !isPositiveSafeInt(maxQty) ||
      !isPositiveSafeInt(maxPrice) ||
      !isNonNegativeSafeInt(minNotional) ||
      !isNonNegativeSafeInt(band) ||
      base === quote ||
      !this.assets.has(base) ||
      !this.assets.has(quote) ||
      minQty > maxQty ||
      big(maxPrice) * big(maxQty) * big(qptl) > BigInt(MAX_SAFE) ||
      big(maxQty) * big(bapl) > BigInt(MAX_SAFE) ||
      big(maxPrice) * 20000n > BigInt(MAX_SAFE) ||
      band > MAX_PRICE_BAND_BPS
    ) {
      return rej(RejectReason.INVALID_MARKET_CONFIG);
    }
    const status = field(cmd, 'status');
    if (
      status !== MarketStatus.ACTIVE &&
      status !== MarketStatus.CANCEL_ONLY &&
      status !== MarketStatus.HALTED
    ) {
      return rej(RejectReason.INVALID_MARKET_STATUS);
    }
    this.markets.set(marketId, {
      config: {
        marketId,
        baseAssetId: base,
        quoteAssetId: quote,
        baseAtomsPerLot: bapl,
        quoteAtomsPerTickLot: qptl,
        minQtyLots: minQty,
        maxQtyLots: maxQty,
        maxPriceTicks: maxPrice,
        minNotionalAtoms: minNotional + 0, // -0 -> 0
        priceBandBps: band + 0,
        allowSelfTrade: Boolean(field(cmd, 'allowSelfTrade')),
      },
      status,
      bids: [],
      asks: [],
    });
    this.emit(EventKind.MARKET_ADDED).marketId = marketId;
    return RejectReason.NONE;
  }

  private setMarketStatus(cmd: unknown): RejectReason {
    const marketId = field(cmd, 'marketId');
    const status = field(cmd, 'status');
    const rej = (reason: RejectReason) =>
      this.reject(CommandKind.SET_MARKET_STATUS, reason, { marketId });
    const m = typeof marketId === 'number' ? this.markets.get(marketId) : undefined;
    if (m === undefined) return rej(RejectReason.MARKET_UNKNOWN);
    if (
      status !== MarketStatus.ACTIVE &&
      status !== MarketStatus.CANCEL_ONLY &&
      status !== MarketStatus.HALTED
    ) {
      return rej(RejectReason.INVALID_MARKET_STATUS);
    }
    m.status = status;
    const ev = this.emit(EventKind.MARKET_STATUS_SET);
    ev.marketId = marketId as number;
    ev.status = status;
    return RejectReason.NONE;
  }
}
