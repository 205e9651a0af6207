// The fast matching engine: a deterministic state machine (no I/O, clock,
// randomness or logging) implementing SEMANTICS.md to the letter.
//
// Layout (see each file): orders live in a struct-of-arrays OrderPool; each
// price level is an intrusive FIFO in a LevelPool; each book side keeps its
// levels sorted with the best at the end (BookSide); balances sit in a hashed
// BalanceTable; accounts in dense AccountTable columns. Events are written
// as records of doubles into one reused log (EventBuffer, read through
// Event-shaped views). Level and balance events are
// derived at the end of each command (or batch item) from what it touched:
// every touched level/balance is stamped with the command's generation and
// remembers its values from before, and only the changed ones are emitted,
// sorted as SEMANTICS "Event order" says.
//
// Commands are untrusted: every field is read as `unknown` and checked before
// use; a bad command returns a RejectReason and never throws. Broken
// invariants (a negative balance, lock or level) throw AssertionFailure.
import { AssertionFailure, assert, ExchangeError } from '../common/errors';
import { AccountTable } from './account-table';
import { BalanceF64, BalanceI32, BalanceTable } from './balance-table';
import { type BookSide, HINT_MASK } from './book-side';
import {
  assertConstants,
  MAX_ACCOUNTS,
  MAX_ASSETS,
  MAX_BATCH_ITEMS,
  MAX_MAKER_FEE_BPS,
  MAX_MARKETS,
  MAX_OPEN_ORDERS_PER_ACCOUNT,
  MAX_ORDERS,
  MAX_SAFE,
  MAX_TAKER_FEE_BPS,
  MIN_MAKER_FEE_BPS,
} from './constants';
import {
  AcceptedRec,
  AmendedRec,
  BalanceRec,
  DmsFiredRec,
  DmsSetRec,
  EventKind,
  FeesRec,
  FLAG_KEPT_PRIORITY,
  FLAG_POST_ONLY,
  FundsRec,
  IdRec,
  LevelRec,
  OutRec,
  RejectedRec,
  StatusRec,
  StpRec,
  TradeRec,
} from './event';
import { EventBuffer } from './event-buffer';
import { feeAtoms, rebateAtoms } from './fees';
import { LevelF64, LevelI32, LevelPool, LevelU8 } from './level-pool';
import { checkMarketConfig, Market } from './market';
import type { EngineOptions, MatchingEngine } from './matching-engine';
import { OrderIndex } from './order-index';
import { Link, OrderF64, OrderI32, OrderPool, OrderU8 } from './order-pool';
import { RejectReason } from './reject-reason';
import { corrupt, readSnapshotHeader, SnapshotReader, SnapshotWriter } from './snapshot-codec';
import { SnapshotError } from './snapshot-error';
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
import {
  echoNum,
  echoStr,
  isIdBelow,
  isPosSafeInt,
  isSafeInt,
  isValidClientOrderId,
} from './validate';

/** A command as it may arrive from plain JavaScript: any field, any value. */
type Fields = Record<string, unknown>;
const NO_FIELDS: Fields = Object.freeze({}) as Fields;

/** Snapshot body terminator ("END!"). */
const SNAPSHOT_END = 0x21444e45;

export interface FastEngineOptions extends EngineOptions {
  /**
   * Order pool limit (default MAX_ORDERS); a GTC order that could rest beyond
   * it is rejected ORDER_CAPACITY. Kept in snapshots.
   */
  maxOrders?: number;
}

/** An (available, locked) pair, as returned by Engine.getBalance. */
export interface BalanceView {
  availableAtoms: number;
  lockedAtoms: number;
}

/** One aggregated price level, as returned by Engine.depth. */
export interface DepthLevel {
  priceTicks: number;
  qtyLots: number;
  orderCount: number;
}

/** One armed dead-man's switch. */
class DeadManSwitch {
  constructor(
    readonly accountId: number,
    readonly marketId: number,
    readonly deadlineUs: number,
    readonly timeoutMs: number,
  ) {}
}

/** Firing order: (deadlineUs, accountId, marketId) ascending. */
function dmsBefore(a: DeadManSwitch, b: DeadManSwitch): boolean {
  if (a.deadlineUs !== b.deadlineUs) return a.deadlineUs < b.deadlineUs;
  if (a.accountId !== b.accountId) return a.accountId < b.accountId;
  return a.marketId < b.marketId;
}

class PendingWithdrawal {
  constructor(
    readonly accountId: number,
    readonly assetId: number,
    readonly amountAtoms: number,
  ) {}
}

export class Engine implements MatchingEngine {
  /** Events appended since the caller last cleared it (reused objects: copy what you keep). */
  readonly events = new EventBuffer();
  readonly feeAccountId: number;

  private seq = 0;
  private orderIdNext = 1;
  private tradeIdNext = 1;

  private readonly pool: OrderPool;
  private readonly lv = new LevelPool();
  private readonly acc = new AccountTable();
  private readonly bal = new BalanceTable();
  private readonly markets: (Market | undefined)[] = new Array(MAX_MARKETS).fill(undefined);
  /** Market ids ascending. */
  private readonly marketIds: number[] = [];
  private readonly assetExists = new Uint8Array(MAX_ASSETS);
  /**
   * Per asset, the sum of every balance (available + locked, all accounts).
   * Deposits keep it <= MAX_SAFE, and trades only move existing supply, so no
   * single balance can ever overflow. Derived state: rebuilt on restore.
   */
  private readonly supplyAtoms = new Float64Array(MAX_ASSETS);
  private readonly orderIndex = new OrderIndex();
  private readonly depositRefs = new Set<number>();
  private readonly withdrawalRefs = new Set<number>();
  private readonly pending = new Map<number, PendingWithdrawal>();
  /** Armed dead-man's switches by accountId * MAX_MARKETS + marketId. */
  private readonly dms = new Map<number, DeadManSwitch>();
  /** The same switches in firing order (few: insert and remove shift the array). */
  private readonly dmsQueue: DeadManSwitch[] = [];
  /** The time of the command being applied (SEMANTICS: a bad timeUs reads as 0). */
  private nowUs = 0;

  // What the current command (or batch item) touched; see the file comment.
  private gen = 0;
  private touchedLevels = new Int32Array(64);
  private nTouchedLevels = 0;
  private touchedBalances = new Int32Array(64);
  private nTouchedBalances = 0;

  // The taker being matched (a new order, or an amended one re-entering).
  private tkOrderId = 0;
  private tkAccount = 0;
  private tkIsBuy = false;
  private tkStp = 0;
  /** The worst acceptable price: the limit, or the protection price P of a market order. */
  private tkLimit = 0;
  private tkByBudget = false;
  private tkQty = 0;
  private tkRem = 0;
  private tkBudget = 0;
  /** Base lots a quote-budget sell still has locked. */
  private tkLockedLots = 0;
  private tkStopSelf = false;
  private tkSpendSlot = -1;
  private tkRecvSlot = -1;
  private tkTakerBps = 0;
  private tkCoid = '';

  constructor(options: FastEngineOptions) {
    assertConstants();
    const feeAccountId = options?.feeAccountId;
    if (!isIdBelow(feeAccountId, MAX_ACCOUNTS)) {
      throw new ExchangeError(
        'E_ENGINE_OPTIONS',
        `feeAccountId must be an integer in 1..${MAX_ACCOUNTS - 1}`,
      );
    }
    const maxOrders = options.maxOrders ?? MAX_ORDERS;
    if (!isIdBelow(maxOrders, MAX_ORDERS + 1)) {
      throw new ExchangeError(
        'E_ENGINE_OPTIONS',
        `maxOrders must be an integer in 1..${MAX_ORDERS}`,
      );
    }
    this.feeAccountId = feeAccountId;
    this.pool = new OrderPool(maxOrders);
    this.acc.add(feeAccountId, 0, 0);
  }

  // ---------------------------------------------------------------- commands

  submit(command: EngineCommand, timeUs: number): RejectReason {
    this.seq++;
    this.nowUs = isSafeInt(timeUs) && timeUs >= 0 ? timeUs + 0 : 0;
    this.begin();
    const r = this.dispatch(command as unknown);
    this.finish();
    return r;
  }

  private dispatch(cmd: unknown): RejectReason {
    if (typeof cmd !== 'object' || cmd === null) {
      return this.reject(0, RejectReason.INVALID_COMMAND, 0, 0, 0, 0, '');
    }
    const c = cmd as Fields;
    switch (c.kind) {
      case CommandKind.PLACE_ORDER:
        return this.place(c);
      case CommandKind.CANCEL_ORDER:
        return this.cancel(c);
      case CommandKind.CANCEL_ALL:
        return this.cancelAll(c);
      case CommandKind.AMEND_ORDER:
        return this.amend(c);
      case CommandKind.BATCH_PLACE:
        return this.batch(c.orders, CommandKind.BATCH_PLACE);
      case CommandKind.BATCH_CANCEL:
        return this.batch(c.cancels, CommandKind.BATCH_CANCEL);
      case CommandKind.DEPOSIT:
        return this.deposit(c);
      case CommandKind.WITHDRAW_LOCK:
        return this.withdrawLock(c);
      case CommandKind.WITHDRAW_FINALIZE:
        return this.withdrawEnd(c, CommandKind.WITHDRAW_FINALIZE);
      case CommandKind.WITHDRAW_RELEASE:
        return this.withdrawEnd(c, CommandKind.WITHDRAW_RELEASE);
      case CommandKind.SET_FEES:
        return this.setFees(c);
      case CommandKind.ADD_ASSET:
        return this.addAsset(c);
      case CommandKind.ADD_ACCOUNT:
        return this.addAccount(c);
      case CommandKind.ADD_MARKET:
        return this.addMarket(c);
      case CommandKind.SET_MARKET_STATUS:
        return this.setMarketStatus(c);
      case CommandKind.SET_DEAD_MAN_SWITCH:
        return this.setDeadManSwitch(c);
      case CommandKind.TIMER:
        return this.timer();
      default:
        return this.reject(echoNum(c.kind), RejectReason.INVALID_COMMAND, 0, 0, 0, 0, '');
    }
  }

  private batch(items: unknown, kind: CommandKind): RejectReason {
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH_ITEMS) {
      return this.reject(kind, RejectReason.BATCH_TOO_LARGE, 0, 0, 0, 0, '');
    }
    const n = items.length;
    for (let i = 0; i < n; i++) {
      const item: unknown = items[i];
      const f = typeof item === 'object' && item !== null ? (item as Fields) : NO_FIELDS;
      this.begin();
      if (kind === CommandKind.BATCH_PLACE) this.place(f);
      else this.cancel(f);
      this.finish();
    }
    return RejectReason.NONE;
  }

  // ------------------------------------------------------------ PLACE_ORDER

  private place(c: Fields): RejectReason {
    const accountId = c.accountId;
    const marketId = c.marketId;
    const coid = c.clientOrderId;
    const K = CommandKind.PLACE_ORDER;
    // 1
    if (!this.acc.has(accountId) || accountId === this.feeAccountId) {
      return this.reject(K, RejectReason.ACCOUNT_UNKNOWN, accountId, marketId, 0, 0, coid);
    }
    // 2
    const m = this.market(marketId);
    if (m === undefined) {
      return this.reject(K, RejectReason.MARKET_UNKNOWN, accountId, marketId, 0, 0, coid);
    }
    if (m.status !== MarketStatus.ACTIVE) {
      const r =
        m.status === MarketStatus.HALTED
          ? RejectReason.MARKET_HALTED
          : RejectReason.MARKET_CANCEL_ONLY;
      return this.reject(K, r, accountId, marketId, 0, 0, coid);
    }
    // 3
    const side = c.side;
    if (side !== Side.BUY && side !== Side.SELL) {
      return this.reject(K, RejectReason.INVALID_SIDE, accountId, marketId, 0, 0, coid);
    }
    const type = c.orderType;
    if (type !== OrderType.LIMIT && type !== OrderType.MARKET) {
      return this.reject(K, RejectReason.INVALID_ORDER_TYPE, accountId, marketId, 0, 0, coid);
    }
    const isLimit = type === OrderType.LIMIT;
    // 4
    const tif = c.timeInForce;
    const postOnly = Boolean(c.postOnly);
    if (
      (isLimit
        ? tif !== TimeInForce.GTC && tif !== TimeInForce.IOC && tif !== TimeInForce.FOK
        : tif !== TimeInForce.UNSPECIFIED && tif !== TimeInForce.IOC) ||
      (postOnly && !(isLimit && tif === TimeInForce.GTC))
    ) {
      return this.reject(K, RejectReason.INVALID_TIME_IN_FORCE, accountId, marketId, 0, 0, coid);
    }
    // 5
    const stpIn = c.stpMode;
    if (
      !(
        stpIn === StpMode.UNSPECIFIED ||
        stpIn === StpMode.NONE ||
        stpIn === StpMode.EXPIRE_TAKER ||
        stpIn === StpMode.EXPIRE_MAKER ||
        stpIn === StpMode.EXPIRE_BOTH ||
        stpIn === StpMode.DECREMENT
      ) ||
      (stpIn === StpMode.NONE && !m.allowSelfTrade)
    ) {
      return this.reject(K, RejectReason.INVALID_STP_MODE, accountId, marketId, 0, 0, coid);
    }
    const stp: number = stpIn === StpMode.UNSPECIFIED ? StpMode.EXPIRE_TAKER : stpIn;
    // 6
    if (typeof coid !== 'string' || (coid.length !== 0 && !isValidClientOrderId(coid))) {
      return this.reject(K, RejectReason.INVALID_CLIENT_ORDER_ID, accountId, marketId, 0, 0, coid);
    }
    // 7
    const price = c.priceTicks;
    const qty = c.qtyLots;
    const budget = c.quoteBudgetAtoms;
    let byBudget = false;
    if (isLimit) {
      if (!isPosSafeInt(price)) {
        return this.reject(K, RejectReason.INVALID_TICK_SIZE, accountId, marketId, 0, 0, coid);
      }
      if (price > m.maxPriceTicks) {
        return this.reject(K, RejectReason.PRICE_OUT_OF_RANGE, accountId, marketId, 0, 0, coid);
      }
      if (budget !== 0) {
        return this.reject(K, RejectReason.INVALID_LOT_SIZE, accountId, marketId, 0, 0, coid);
      }
    } else {
      if (price !== 0) {
        return this.reject(K, RejectReason.INVALID_TICK_SIZE, accountId, marketId, 0, 0, coid);
      }
      byBudget = budget !== 0;
      if ((qty !== 0) === byBudget || (byBudget && !isPosSafeInt(budget))) {
        return this.reject(K, RejectReason.INVALID_LOT_SIZE, accountId, marketId, 0, 0, coid);
      }
    }
    // 8
    if (!byBudget) {
      if (!isPosSafeInt(qty)) {
        return this.reject(K, RejectReason.INVALID_LOT_SIZE, accountId, marketId, 0, 0, coid);
      }
      if (qty < m.minQtyLots) {
        return this.reject(K, RejectReason.QUANTITY_BELOW_MIN, accountId, marketId, 0, 0, coid);
      }
      if (qty > m.maxQtyLots) {
        return this.reject(K, RejectReason.QUANTITY_ABOVE_MAX, accountId, marketId, 0, 0, coid);
      }
    }
    const k = m.quoteAtomsPerTickLot;
    // 9
    if (
      isLimit
        ? (price as number) * (qty as number) * k < m.minNotionalAtoms
        : byBudget && (budget as number) < m.minNotionalAtoms
    ) {
      return this.reject(K, RejectReason.NOTIONAL_BELOW_MIN, accountId, marketId, 0, 0, coid);
    }
    // 10
    if (coid.length !== 0) {
      if (this.acc.coids[accountId]?.has(coid)) {
        return this.reject(
          K,
          RejectReason.DUPLICATE_CLIENT_ORDER_ID,
          accountId,
          marketId,
          0,
          0,
          coid,
        );
      }
    }
    const isBuy = side === Side.BUY;
    const opp = isBuy ? m.asks : m.bids;
    // 11
    if (postOnly && opp.n !== 0) {
      const best = opp.bestPrice();
      if (isBuy ? best <= (price as number) : best >= (price as number)) {
        return this.reject(K, RejectReason.POST_ONLY_WOULD_TAKE, accountId, marketId, 0, 0, coid);
      }
    }
    // 12
    let limit = price as number;
    if (!isLimit) {
      if (opp.n === 0) {
        return this.reject(K, RejectReason.NO_LIQUIDITY, accountId, marketId, 0, 0, coid);
      }
      const b = opp.bestPrice();
      if (isBuy) {
        limit = Math.floor((b * (10_000 + m.priceBandBps)) / 10_000);
        if (limit > m.maxPriceTicks) limit = m.maxPriceTicks;
      } else {
        limit = Math.ceil((b * (10_000 - m.priceBandBps)) / 10_000);
        if (limit < 1) limit = 1;
      }
    }
    // 13
    if (isLimit && tif === TimeInForce.GTC) {
      if (this.acc.openCount[accountId]! >= MAX_OPEN_ORDERS_PER_ACCOUNT) {
        return this.reject(K, RejectReason.TOO_MANY_OPEN_ORDERS, accountId, marketId, 0, 0, coid);
      }
      if (this.pool.live >= this.pool.maxOrders) {
        return this.reject(K, RejectReason.ORDER_CAPACITY, accountId, marketId, 0, 0, coid);
      }
    }
    // 14
    let lock: number;
    let lockedLots = 0;
    if (isBuy) {
      lock = byBudget ? (budget as number) : limit * (qty as number) * k;
    } else if (byBudget) {
      lockedLots = Math.floor((budget as number) / (limit * k));
      if (lockedLots === 0) {
        return this.reject(K, RejectReason.QUANTITY_BELOW_MIN, accountId, marketId, 0, 0, coid);
      }
      lock = lockedLots * m.baseAtomsPerLot;
    } else {
      lock = (qty as number) * m.baseAtomsPerLot;
    }
    const spendSlot = this.bal.find(accountId, isBuy ? m.quoteAssetId : m.baseAssetId);
    if (spendSlot < 0 || this.bal.f[(spendSlot << 3) + BalanceF64.available]! < lock) {
      return this.reject(K, RejectReason.INSUFFICIENT_FUNDS, accountId, marketId, 0, 0, coid);
    }

    // Accepted.
    const orderId = this.orderIdNext++;
    const events = this.events;
    const p = events.begin(EventKind.ORDER_ACCEPTED, this.seq, AcceptedRec.SIZE);
    const f = events.f;
    f[p + AcceptedRec.orderId] = orderId;
    f[p + AcceptedRec.accountId] = accountId;
    f[p + AcceptedRec.marketId] = m.id;
    f[p + AcceptedRec.side] = side;
    f[p + AcceptedRec.orderType] = type;
    f[p + AcceptedRec.timeInForce] = (tif as number) + 0; // -0 (UNSPECIFIED) as 0
    f[p + AcceptedRec.stpMode] = stp;
    f[p + AcceptedRec.flags] = postOnly ? FLAG_POST_ONLY : 0;
    f[p + AcceptedRec.priceTicks] = limit;
    f[p + AcceptedRec.qtyLots] = byBudget ? 0 : (qty as number);
    f[p + AcceptedRec.quoteAtoms] = byBudget ? (budget as number) : 0;
    events.setString(coid);
    this.lockFunds(spendSlot, lock);

    this.tkOrderId = orderId;
    this.tkAccount = accountId;
    this.tkIsBuy = isBuy;
    this.tkStp = stp;
    this.tkLimit = limit;
    this.tkByBudget = byBudget;
    this.tkQty = byBudget ? 0 : (qty as number);
    this.tkRem = this.tkQty;
    this.tkBudget = byBudget ? (budget as number) : 0;
    this.tkLockedLots = lockedLots;
    this.tkStopSelf = false;
    this.tkSpendSlot = spendSlot;
    this.tkRecvSlot = -1;
    this.tkTakerBps = this.acc.takerBps[accountId]!;
    this.tkCoid = coid;

    if (tif === TimeInForce.FOK && !this.fokFillable(opp)) {
      this.releaseTakerLock(m);
      this.orderOut(
        EventKind.ORDER_EXPIRED,
        orderId,
        accountId,
        m.id,
        CancelReason.FOK_UNFILLABLE,
        this.tkRem,
        0,
        coid,
      );
      return RejectReason.NONE;
    }
    if (opp.n !== 0 && (isBuy ? opp.bestPrice() <= limit : opp.bestPrice() >= limit)) {
      this.match(m, opp);
    }

    if (this.tkStopSelf) {
      this.expireTaker(m, CancelReason.SELF_TRADE);
    } else if (!isLimit) {
      if (byBudget ? this.tkBudget > 0 : this.tkRem > 0) {
        this.expireTaker(m, CancelReason.MARKET_REMAINDER);
      } else {
        this.releaseTakerLock(m);
      }
    } else if (tif === TimeInForce.GTC) {
      if (this.tkRem > 0) this.restNew(m, side, limit, stp, postOnly, coid);
    } else if (this.tkRem > 0) {
      assert(tif === TimeInForce.IOC, 'a FOK that passed its walk fills completely');
      this.expireTaker(m, CancelReason.IOC_REMAINDER);
    }
    return RejectReason.NONE;
  }

  /** FOK pre-check: can the opposite side fill tkRem at acceptable prices, given STP? */
  private fokFillable(opp: BookSide): boolean {
    const need = this.tkRem;
    const isBuy = this.tkIsBuy;
    const limit = this.tkLimit;
    const account = this.tkAccount;
    const stp = this.tkStp;
    const pool = this.pool;
    const lv = this.lv;
    let sum = 0;
    for (let i = opp.n - 1; i >= 0; i--) {
      const l = opp.levels[i]!;
      const p = lv.f[(l << 3) + LevelF64.price]!;
      if (isBuy ? p > limit : p < limit) return false;
      for (
        let s = lv.i[(l << 4) + LevelI32.head]!;
        s !== Link.NIL;
        s = pool.i[(s << 4) + OrderI32.next]!
      ) {
        if (pool.i[(s << 4) + OrderI32.account] === account && stp !== StpMode.NONE) {
          if (stp === StpMode.EXPIRE_MAKER) continue;
          return false;
        }
        sum += pool.f[(s << 3) + OrderF64.rem]!;
        if (sum >= need) return true;
      }
    }
    return false;
  }

  /** The matching loop of SEMANTICS "Matching": the taker is in the tk* fields. */
  private match(m: Market, opp: BookSide): void {
    const pool = this.pool;
    const lv = this.lv;
    const k = m.quoteAtomsPerTickLot;
    const isBuy = this.tkIsBuy;
    const limit = this.tkLimit;
    const account = this.tkAccount;
    const stp = this.tkStp;
    const byBudget = this.tkByBudget;
    for (;;) {
      const n = opp.n;
      if (n === 0) return;
      const l = opp.levels[n - 1]!;
      const p = lv.f[(l << 3) + LevelF64.price]!;
      if (isBuy ? p > limit : p < limit) return;
      let takerLots: number;
      if (byBudget) {
        takerLots = Math.floor(this.tkBudget / (p * k));
        if (!isBuy && takerLots > this.tkLockedLots) takerLots = this.tkLockedLots;
      } else {
        takerLots = this.tkRem;
      }
      if (takerLots === 0) return;
      const mk = lv.i[(l << 4) + LevelI32.head]!;
      const mkRem = pool.f[(mk << 3) + OrderF64.rem]!;
      const x = mkRem < takerLots ? mkRem : takerLots;
      if (stp !== StpMode.NONE && pool.i[(mk << 4) + OrderI32.account] === account) {
        this.selfTradePrevented(m, mk, x);
        if (stp === StpMode.EXPIRE_TAKER) {
          this.tkStopSelf = true;
          return;
        }
        if (stp === StpMode.EXPIRE_MAKER) {
          this.expireMaker(m, mk, mkRem);
          continue;
        }
        if (stp === StpMode.EXPIRE_BOTH) {
          this.expireMaker(m, mk, mkRem);
          this.tkStopSelf = true;
          return;
        }
        this.decrement(m, mk, l, x, p);
        if (byBudget ? this.tkBudget === 0 : this.tkRem === 0) {
          this.tkStopSelf = true;
          return;
        }
        continue;
      }
      this.fill(m, mk, l, x, p);
    }
  }

  /** One trade of x lots at the maker's price p. */
  private fill(m: Market, mk: number, l: number, x: number, p: number): void {
    const pool = this.pool;
    const bal = this.bal;
    const k = m.quoteAtomsPerTickLot;
    const notional = p * x * k;
    const baseAtoms = x * m.baseAtomsPerLot;
    const mkAccount = pool.i[(mk << 4) + OrderI32.account]!;
    const makerBps = this.acc.makerBps[mkAccount]!;
    let takerFee: number;
    let makerFee: number;
    if (this.tkIsBuy) {
      const tq = this.tkSpendSlot;
      this.touchBalance(tq);
      if (this.tkByBudget) {
        bal.f[(tq << 3) + BalanceF64.locked]! -= notional;
        this.tkBudget -= notional;
      } else {
        const release = this.tkLimit * x * k;
        bal.f[(tq << 3) + BalanceF64.locked]! -= release;
        bal.f[(tq << 3) + BalanceF64.available]! += release - notional;
        this.tkRem -= x;
      }
      assert(bal.f[(tq << 3) + BalanceF64.locked]! >= 0, 'taker quote lock covers the fill');
      if (this.tkRecvSlot < 0) this.tkRecvSlot = bal.slot(this.tkAccount, m.baseAssetId);
      takerFee = feeAtoms(baseAtoms, this.tkTakerBps);
      this.credit(this.tkRecvSlot, baseAtoms - takerFee);
      if (takerFee !== 0) this.credit(m.feeBaseSlot, takerFee);
      // The maker sold base at its price and receives quote.
      this.spendLocked(bal.find(mkAccount, m.baseAssetId), baseAtoms);
      makerFee = this.payMaker(
        bal.slot(mkAccount, m.quoteAssetId),
        notional,
        m.feeQuoteSlot,
        makerBps,
      );
    } else {
      this.spendLocked(this.tkSpendSlot, baseAtoms);
      if (this.tkByBudget) {
        this.tkLockedLots -= x;
        this.tkBudget -= notional;
      } else {
        this.tkRem -= x;
      }
      if (this.tkRecvSlot < 0) this.tkRecvSlot = bal.slot(this.tkAccount, m.quoteAssetId);
      takerFee = feeAtoms(notional, this.tkTakerBps);
      this.credit(this.tkRecvSlot, notional - takerFee);
      if (takerFee !== 0) this.credit(m.feeQuoteSlot, takerFee);
      // The maker bought base at its own price p: its lock was p per lot.
      this.spendLocked(bal.find(mkAccount, m.quoteAssetId), notional);
      makerFee = this.payMaker(
        bal.slot(mkAccount, m.baseAssetId),
        baseAtoms,
        m.feeBaseSlot,
        makerBps,
      );
    }
    const mkRem = pool.f[(mk << 3) + OrderF64.rem]! - x;
    pool.f[(mk << 3) + OrderF64.rem] = mkRem;
    this.touchLevel(l);
    this.lv.f[(l << 3) + LevelF64.qty]! -= x;

    const at = this.events.begin(EventKind.TRADE, this.seq, TradeRec.SIZE);
    const f = this.events.f;
    f[at + TradeRec.tradeId] = this.tradeIdNext++;
    f[at + TradeRec.marketId] = m.id;
    f[at + TradeRec.orderId] = this.tkOrderId;
    f[at + TradeRec.accountId] = this.tkAccount;
    f[at + TradeRec.side] = this.tkIsBuy ? Side.BUY : Side.SELL;
    f[at + TradeRec.makerOrderId] = pool.f[(mk << 3) + OrderF64.id]!;
    f[at + TradeRec.makerAccountId] = mkAccount;
    f[at + TradeRec.priceTicks] = p;
    f[at + TradeRec.qtyLots] = x;
    f[at + TradeRec.quoteAtoms] = notional;
    f[at + TradeRec.remainingLots] = this.tkByBudget ? 0 : this.tkRem;
    f[at + TradeRec.makerRemainingLots] = mkRem;
    f[at + TradeRec.takerFeeAtoms] = takerFee;
    f[at + TradeRec.makerFeeAtoms] = makerFee;

    if (mkRem === 0) this.removeOrder(mk);
  }

  /** Credits a maker's proceeds net of its fee, or plus its rebate; returns makerFeeAtoms. */
  private payMaker(recvSlot: number, amount: number, feeSlot: number, bps: number): number {
    if (bps >= 0) {
      const fee = feeAtoms(amount, bps);
      this.credit(recvSlot, amount - fee);
      if (fee !== 0) this.credit(feeSlot, fee);
      return fee;
    }
    let rebate = rebateAtoms(amount, -bps);
    const cap = this.bal.f[(feeSlot << 3) + BalanceF64.available]!;
    if (rebate > cap) rebate = cap;
    if (rebate === 0) {
      this.credit(recvSlot, amount);
      return 0;
    }
    this.touchBalance(feeSlot);
    this.bal.f[(feeSlot << 3) + BalanceF64.available]! -= rebate;
    this.credit(recvSlot, amount + rebate);
    return -rebate;
  }

  private selfTradePrevented(m: Market, mk: number, x: number): void {
    const p = this.events.begin(EventKind.SELF_TRADE_PREVENTED, this.seq, StpRec.SIZE);
    const f = this.events.f;
    f[p + StpRec.marketId] = m.id;
    f[p + StpRec.orderId] = this.tkOrderId;
    f[p + StpRec.accountId] = this.tkAccount;
    f[p + StpRec.makerOrderId] = this.pool.f[(mk << 3) + OrderF64.id]!;
    f[p + StpRec.stpMode] = this.tkStp;
    f[p + StpRec.qtyLots] = x;
  }

  /** EXPIRE_MAKER / EXPIRE_BOTH: the maker leaves with ORDER_EXPIRED(SELF_TRADE). */
  private expireMaker(m: Market, mk: number, rem: number): void {
    const pool = this.pool;
    this.orderOut(
      EventKind.ORDER_EXPIRED,
      pool.f[(mk << 3) + OrderF64.id]!,
      pool.i[(mk << 4) + OrderI32.account]!,
      m.id,
      CancelReason.SELF_TRADE,
      rem,
      0,
      pool.coid[mk]!,
    );
    this.releaseOrderLock(m, mk, rem);
    this.removeOrder(mk);
  }

  /** DECREMENT: maker and taker both lose x lots (a quote-budget taker x * p * qptl of budget). */
  private decrement(m: Market, mk: number, l: number, x: number, p: number): void {
    const pool = this.pool;
    const mkRem = pool.f[(mk << 3) + OrderF64.rem]! - x;
    pool.f[(mk << 3) + OrderF64.rem] = mkRem;
    pool.f[(mk << 3) + OrderF64.qty]! -= x;
    this.touchLevel(l);
    this.lv.f[(l << 3) + LevelF64.qty]! -= x;
    this.releaseOrderLock(m, mk, x);
    if (mkRem === 0) {
      this.orderOut(
        EventKind.ORDER_EXPIRED,
        pool.f[(mk << 3) + OrderF64.id]!,
        pool.i[(mk << 4) + OrderI32.account]!,
        m.id,
        CancelReason.SELF_TRADE,
        0,
        0,
        pool.coid[mk]!,
      );
      this.removeOrder(mk);
    }
    if (this.tkByBudget) {
      const quote = x * p * m.quoteAtomsPerTickLot;
      this.tkBudget -= quote;
      if (this.tkIsBuy) {
        this.unlock(this.tkSpendSlot, quote);
      } else {
        this.tkLockedLots -= x;
        this.unlock(this.tkSpendSlot, x * m.baseAtomsPerLot);
      }
    } else {
      this.tkQty -= x;
      this.tkRem -= x;
      this.unlock(
        this.tkSpendSlot,
        this.tkIsBuy ? this.tkLimit * x * m.quoteAtomsPerTickLot : x * m.baseAtomsPerLot,
      );
    }
  }

  /** Releases whatever the taker still has locked (it is not going to rest). */
  private releaseTakerLock(m: Market): void {
    let amount: number;
    if (this.tkIsBuy) {
      amount = this.tkByBudget ? this.tkBudget : this.tkLimit * this.tkRem * m.quoteAtomsPerTickLot;
    } else {
      amount = (this.tkByBudget ? this.tkLockedLots : this.tkRem) * m.baseAtomsPerLot;
    }
    if (amount !== 0) this.unlock(this.tkSpendSlot, amount);
  }

  /** The taker's final ORDER_EXPIRED, releasing its remaining lock. */
  private expireTaker(m: Market, reason: CancelReason): void {
    this.orderOut(
      EventKind.ORDER_EXPIRED,
      this.tkOrderId,
      this.tkAccount,
      m.id,
      reason,
      this.tkByBudget ? 0 : this.tkRem,
      this.tkByBudget ? this.tkBudget : 0,
      this.tkCoid,
    );
    this.releaseTakerLock(m);
  }

  /** A new GTC order's remainder rests at the back of its level. */
  private restNew(
    m: Market,
    side: number,
    price: number,
    stp: number,
    postOnly: boolean,
    coid: string,
  ): void {
    const pool = this.pool;
    const s = pool.alloc();
    assert(s !== Link.NIL, 'order pool has room (checked before acceptance)');
    pool.f[(s << 3) + OrderF64.id] = this.tkOrderId;
    pool.f[(s << 3) + OrderF64.price] = price;
    pool.f[(s << 3) + OrderF64.qty] = this.tkQty;
    pool.f[(s << 3) + OrderF64.rem] = this.tkRem;
    pool.i[(s << 4) + OrderI32.account] = this.tkAccount;
    pool.i[(s << 4) + OrderI32.market] = m.id;
    pool.b[(s << 6) + OrderU8.side] = side;
    pool.b[(s << 6) + OrderU8.tif] = TimeInForce.GTC;
    pool.b[(s << 6) + OrderU8.stp] = stp;
    pool.b[(s << 6) + OrderU8.postOnly] = postOnly ? 1 : 0;
    pool.setCoid(s, coid);
    this.orderIndex.set(this.tkOrderId, s);
    const account = this.tkAccount;
    this.acc.openCount[account]!++;
    if (coid.length !== 0) {
      let map = this.acc.coids[account];
      if (map === undefined) {
        map = new Map();
        this.acc.coids[account] = map;
      }
      map.set(coid, s);
    }
    this.joinLevel(m, s);
    this.joinAccount(s);
  }

  // ------------------------------------------------------ CANCEL / AMEND

  /** The account's open order named by orderId (non-zero) or else clientOrderId; Link.NIL if none. */
  private findOrder(accountId: unknown, orderId: unknown, coid: unknown): number {
    if (orderId !== 0) {
      if (typeof orderId !== 'number') return Link.NIL;
      const s = this.orderIndex.get(orderId);
      if (s < 0 || this.pool.i[(s << 4) + OrderI32.account] !== accountId) return Link.NIL;
      return s;
    }
    if (typeof coid !== 'string' || coid.length === 0 || !this.acc.has(accountId)) return Link.NIL;
    const s = this.acc.coids[accountId]?.get(coid);
    return s === undefined ? Link.NIL : s;
  }

  private cancel(c: Fields): RejectReason {
    const accountId = c.accountId;
    const orderId = c.orderId;
    const coid = c.clientOrderId;
    const K = CommandKind.CANCEL_ORDER;
    const s = this.findOrder(accountId, orderId, coid);
    if (s === Link.NIL)
      return this.reject(K, RejectReason.ORDER_UNKNOWN, accountId, 0, orderId, 0, coid);
    const m = this.markets[this.pool.i[(s << 4) + OrderI32.market]!]!;
    if (m.status === MarketStatus.HALTED) {
      return this.reject(K, RejectReason.MARKET_HALTED, accountId, 0, orderId, 0, coid);
    }
    this.cancelOrder(m, s, CancelReason.USER);
    return RejectReason.NONE;
  }

  private cancelOrder(m: Market, s: number, reason: CancelReason): void {
    const pool = this.pool;
    const rem = pool.f[(s << 3) + OrderF64.rem]!;
    this.orderOut(
      EventKind.ORDER_CANCELED,
      pool.f[(s << 3) + OrderF64.id]!,
      pool.i[(s << 4) + OrderI32.account]!,
      m.id,
      reason,
      rem,
      0,
      pool.coid[s]!,
    );
    this.releaseOrderLock(m, s, rem);
    this.removeOrder(s);
  }

  private cancelAll(c: Fields): RejectReason {
    const accountId = c.accountId;
    const marketId = c.marketId;
    const K = CommandKind.CANCEL_ALL;
    if (!this.acc.has(accountId)) {
      return this.reject(K, RejectReason.ACCOUNT_UNKNOWN, accountId, marketId, 0, 0, '');
    }
    const only = marketId === 0 ? undefined : this.market(marketId);
    if (marketId !== 0 && only === undefined) {
      return this.reject(K, RejectReason.MARKET_UNKNOWN, accountId, marketId, 0, 0, '');
    }
    const reason = cancelAllReason(c.reason);
    if (reason === CancelReason.NONE) {
      return this.reject(K, RejectReason.INVALID_COMMAND, accountId, marketId, 0, 0, '');
    }
    this.cancelAllOf(accountId as number, only, reason);
    return RejectReason.NONE;
  }

  /** Cancels the account's open orders (in `only`, or everywhere) in entry order, skipping HALTED markets. */
  private cancelAllOf(accountId: number, only: Market | undefined, reason: CancelReason): void {
    const pool = this.pool;
    let s = this.acc.head[accountId]!;
    while (s !== Link.NIL) {
      const next = pool.i[(s << 4) + OrderI32.aNext]!;
      const m = this.markets[pool.i[(s << 4) + OrderI32.market]!]!;
      if ((only === undefined || m === only) && m.status !== MarketStatus.HALTED) {
        this.cancelOrder(m, s, reason);
      }
      s = next;
    }
  }

  private amend(c: Fields): RejectReason {
    const accountId = c.accountId;
    const orderId = c.orderId;
    const coidIn = c.clientOrderId;
    const K = CommandKind.AMEND_ORDER;
    const s = this.findOrder(accountId, orderId, coidIn);
    if (s === Link.NIL)
      return this.reject(K, RejectReason.ORDER_UNKNOWN, accountId, 0, orderId, 0, coidIn);
    const pool = this.pool;
    const m = this.markets[pool.i[(s << 4) + OrderI32.market]!]!;
    if (m.status !== MarketStatus.ACTIVE) {
      const r =
        m.status === MarketStatus.HALTED
          ? RejectReason.MARKET_HALTED
          : RejectReason.MARKET_CANCEL_ONLY;
      return this.reject(K, r, accountId, 0, orderId, 0, coidIn);
    }
    const curPrice = pool.f[(s << 3) + OrderF64.price]!;
    const curQty = pool.f[(s << 3) + OrderF64.qty]!;
    const curRem = pool.f[(s << 3) + OrderF64.rem]!;
    const filled = curQty - curRem;
    const newPrice = c.newPriceTicks;
    const newQty = c.newQtyLots;
    if ((newPrice === 0 || newPrice === curPrice) && (newQty === 0 || newQty === curQty)) {
      return this.reject(K, RejectReason.AMEND_NO_CHANGE, accountId, 0, orderId, 0, coidIn);
    }
    if (newPrice !== 0) {
      if (!isPosSafeInt(newPrice)) {
        return this.reject(K, RejectReason.INVALID_TICK_SIZE, accountId, 0, orderId, 0, coidIn);
      }
      if (newPrice > m.maxPriceTicks) {
        return this.reject(K, RejectReason.PRICE_OUT_OF_RANGE, accountId, 0, orderId, 0, coidIn);
      }
    }
    if (newQty !== 0) {
      if (!isPosSafeInt(newQty)) {
        return this.reject(K, RejectReason.INVALID_LOT_SIZE, accountId, 0, orderId, 0, coidIn);
      }
      if (newQty < m.minQtyLots || newQty <= filled) {
        return this.reject(K, RejectReason.QUANTITY_BELOW_MIN, accountId, 0, orderId, 0, coidIn);
      }
      if (newQty > m.maxQtyLots) {
        return this.reject(K, RejectReason.QUANTITY_ABOVE_MAX, accountId, 0, orderId, 0, coidIn);
      }
    }
    const price = newPrice === 0 ? curPrice : (newPrice as number);
    const qty = newQty === 0 ? curQty : (newQty as number);
    const k = m.quoteAtomsPerTickLot;
    if (price * qty * k < m.minNotionalAtoms) {
      return this.reject(K, RejectReason.NOTIONAL_BELOW_MIN, accountId, 0, orderId, 0, coidIn);
    }
    const isBuy = pool.b[(s << 6) + OrderU8.side] === Side.BUY;
    const rem = qty - filled;
    const coid = pool.coid[s]!;
    const id = pool.f[(s << 3) + OrderF64.id]!;
    const account = pool.i[(s << 4) + OrderI32.account]!;

    if (price === curPrice && qty < curQty) {
      // In place, keeping priority.
      const cut = curQty - qty;
      pool.f[(s << 3) + OrderF64.qty] = qty;
      pool.f[(s << 3) + OrderF64.rem] = rem;
      const l = pool.i[(s << 4) + OrderI32.level]!;
      this.touchLevel(l);
      this.lv.f[(l << 3) + LevelF64.qty]! -= cut;
      this.amended(id, account, m.id, price, qty, rem, FLAG_KEPT_PRIORITY, coid);
      this.releaseOrderLock(m, s, cut);
      return RejectReason.NONE;
    }

    const opp = isBuy ? m.asks : m.bids;
    if (pool.b[(s << 6) + OrderU8.postOnly] === 1 && opp.n !== 0) {
      const best = opp.bestPrice();
      if (isBuy ? best <= price : best >= price) {
        return this.reject(K, RejectReason.POST_ONLY_WOULD_TAKE, accountId, 0, orderId, 0, coidIn);
      }
    }
    const spendSlot = this.bal.find(account, isBuy ? m.quoteAssetId : m.baseAssetId);
    const curLock = isBuy ? curPrice * curRem * k : curRem * m.baseAtomsPerLot;
    const newLock = isBuy ? price * rem * k : rem * m.baseAtomsPerLot;
    if (newLock > this.bal.f[(spendSlot << 3) + BalanceF64.available]! + curLock) {
      return this.reject(K, RejectReason.INSUFFICIENT_FUNDS, accountId, 0, orderId, 0, coidIn);
    }

    // Loses priority: leave the book, replace the lock, match as a GTC taker, rest at the back.
    this.leaveLevel(s);
    this.leaveAccount(s);
    this.unlock(spendSlot, curLock);
    this.lockFunds(spendSlot, newLock);
    pool.f[(s << 3) + OrderF64.price] = price;
    pool.f[(s << 3) + OrderF64.qty] = qty;
    pool.f[(s << 3) + OrderF64.rem] = rem;
    this.amended(id, account, m.id, price, qty, rem, 0, coid);

    this.tkOrderId = id;
    this.tkAccount = account;
    this.tkIsBuy = isBuy;
    this.tkStp = pool.b[(s << 6) + OrderU8.stp]!;
    this.tkLimit = price;
    this.tkByBudget = false;
    this.tkQty = qty;
    this.tkRem = rem;
    this.tkBudget = 0;
    this.tkLockedLots = 0;
    this.tkStopSelf = false;
    this.tkSpendSlot = spendSlot;
    this.tkRecvSlot = -1;
    this.tkTakerBps = this.acc.takerBps[account]!;
    this.tkCoid = coid;
    if (opp.n !== 0 && (isBuy ? opp.bestPrice() <= price : opp.bestPrice() >= price)) {
      this.match(m, opp);
    }

    if (this.tkStopSelf) {
      this.expireTaker(m, CancelReason.SELF_TRADE);
      this.dropOrder(s);
    } else if (this.tkRem > 0) {
      pool.f[(s << 3) + OrderF64.qty] = this.tkQty;
      pool.f[(s << 3) + OrderF64.rem] = this.tkRem;
      this.joinLevel(m, s);
      this.joinAccount(s);
    } else {
      this.dropOrder(s);
    }
    return RejectReason.NONE;
  }

  /** ORDER_AMENDED. */
  private amended(
    orderId: number,
    accountId: number,
    marketId: number,
    price: number,
    qty: number,
    rem: number,
    flags: number,
    coid: string,
  ): void {
    const events = this.events;
    const p = events.begin(EventKind.ORDER_AMENDED, this.seq, AmendedRec.SIZE);
    const f = events.f;
    f[p + AmendedRec.orderId] = orderId;
    f[p + AmendedRec.accountId] = accountId;
    f[p + AmendedRec.marketId] = marketId;
    f[p + AmendedRec.priceTicks] = price;
    f[p + AmendedRec.qtyLots] = qty;
    f[p + AmendedRec.remainingLots] = rem;
    f[p + AmendedRec.flags] = flags;
    events.setString(coid);
  }

  // ------------------------------------------------- balances, fees, admin

  private deposit(c: Fields): RejectReason {
    const accountId = c.accountId;
    const assetId = c.assetId;
    const amount = c.amountAtoms;
    const refId = c.refId;
    const K = CommandKind.DEPOSIT;
    if (!this.acc.has(accountId)) {
      return this.reject(K, RejectReason.ACCOUNT_UNKNOWN, accountId, 0, 0, refId, '');
    }
    if (!this.hasAsset(assetId)) {
      return this.reject(K, RejectReason.ASSET_UNKNOWN, accountId, 0, 0, refId, '');
    }
    if (!isPosSafeInt(amount) || !isPosSafeInt(refId)) {
      return this.reject(K, RejectReason.INVALID_AMOUNT, accountId, 0, 0, refId, '');
    }
    if (this.depositRefs.has(refId)) {
      return this.reject(K, RejectReason.DUPLICATE_REFERENCE, accountId, 0, 0, refId, '');
    }
    if (this.supplyAtoms[assetId]! + amount > MAX_SAFE) {
      return this.reject(K, RejectReason.BALANCE_OVERFLOW, accountId, 0, 0, refId, '');
    }
    const s = this.bal.slot(accountId, assetId);
    this.supplyAtoms[assetId]! += amount;
    this.depositRefs.add(refId);
    this.funds(EventKind.DEPOSITED, accountId, assetId, amount, refId);
    this.credit(s, amount);
    return RejectReason.NONE;
  }

  private withdrawLock(c: Fields): RejectReason {
    const accountId = c.accountId;
    const assetId = c.assetId;
    const amount = c.amountAtoms;
    const refId = c.refId;
    const K = CommandKind.WITHDRAW_LOCK;
    if (!this.acc.has(accountId)) {
      return this.reject(K, RejectReason.ACCOUNT_UNKNOWN, accountId, 0, 0, refId, '');
    }
    if (!this.hasAsset(assetId)) {
      return this.reject(K, RejectReason.ASSET_UNKNOWN, accountId, 0, 0, refId, '');
    }
    if (!isPosSafeInt(amount) || !isPosSafeInt(refId)) {
      return this.reject(K, RejectReason.INVALID_AMOUNT, accountId, 0, 0, refId, '');
    }
    if (this.withdrawalRefs.has(refId)) {
      return this.reject(K, RejectReason.DUPLICATE_REFERENCE, accountId, 0, 0, refId, '');
    }
    const s = this.bal.find(accountId, assetId);
    if (s < 0 || this.bal.f[(s << 3) + BalanceF64.available]! < amount) {
      return this.reject(K, RejectReason.INSUFFICIENT_FUNDS, accountId, 0, 0, refId, '');
    }
    this.withdrawalRefs.add(refId);
    this.pending.set(refId, new PendingWithdrawal(accountId, assetId, amount));
    this.funds(EventKind.WITHDRAWAL_LOCKED, accountId, assetId, amount, refId);
    this.lockFunds(s, amount);
    return RejectReason.NONE;
  }

  private withdrawEnd(c: Fields, kind: CommandKind): RejectReason {
    const refId = c.refId;
    const w = typeof refId === 'number' ? this.pending.get(refId) : undefined;
    if (w === undefined)
      return this.reject(kind, RejectReason.REFERENCE_UNKNOWN, 0, 0, 0, refId, '');
    this.pending.delete(refId as number);
    const s = this.bal.find(w.accountId, w.assetId);
    const finalize = kind === CommandKind.WITHDRAW_FINALIZE;
    this.funds(
      finalize ? EventKind.WITHDRAWAL_FINALIZED : EventKind.WITHDRAWAL_RELEASED,
      w.accountId,
      w.assetId,
      w.amountAtoms,
      refId as number,
    );
    if (finalize) {
      this.spendLocked(s, w.amountAtoms);
      this.supplyAtoms[w.assetId]! -= w.amountAtoms;
    } else this.unlock(s, w.amountAtoms);
    return RejectReason.NONE;
  }

  private setFees(c: Fields): RejectReason {
    const accountId = c.accountId;
    const K = CommandKind.SET_FEES;
    if (!this.acc.has(accountId)) {
      return this.reject(K, RejectReason.ACCOUNT_UNKNOWN, accountId, 0, 0, 0, '');
    }
    const maker = c.makerFeeBps;
    const taker = c.takerFeeBps;
    if (!validFees(maker, taker)) {
      return this.reject(K, RejectReason.INVALID_FEE, accountId, 0, 0, 0, '');
    }
    this.acc.makerBps[accountId] = maker as number;
    this.acc.takerBps[accountId] = taker as number;
    this.feesEvent(EventKind.FEES_SET, accountId, (maker as number) + 0, (taker as number) + 0);
    return RejectReason.NONE;
  }

  private addAsset(c: Fields): RejectReason {
    const assetId = c.assetId;
    const K = CommandKind.ADD_ASSET;
    if (!isIdBelow(assetId, MAX_ASSETS)) {
      return this.reject(K, RejectReason.INVALID_COMMAND, 0, 0, 0, 0, '');
    }
    if (this.assetExists[assetId] === 1) {
      return this.reject(K, RejectReason.ASSET_EXISTS, 0, 0, 0, 0, '');
    }
    this.assetExists[assetId] = 1;
    const p = this.events.begin(EventKind.ASSET_ADDED, this.seq, IdRec.SIZE);
    this.events.f[p + IdRec.id] = assetId;
    return RejectReason.NONE;
  }

  private addAccount(c: Fields): RejectReason {
    const accountId = c.accountId;
    const K = CommandKind.ADD_ACCOUNT;
    if (!isIdBelow(accountId, MAX_ACCOUNTS)) {
      return this.reject(K, RejectReason.INVALID_COMMAND, accountId, 0, 0, 0, '');
    }
    if (this.acc.has(accountId)) {
      return this.reject(K, RejectReason.ACCOUNT_EXISTS, accountId, 0, 0, 0, '');
    }
    const maker = c.makerFeeBps;
    const taker = c.takerFeeBps;
    if (!validFees(maker, taker)) {
      return this.reject(K, RejectReason.INVALID_FEE, accountId, 0, 0, 0, '');
    }
    this.acc.add(accountId, maker as number, taker as number);
    this.feesEvent(
      EventKind.ACCOUNT_ADDED,
      accountId,
      (maker as number) + 0,
      (taker as number) + 0,
    );
    return RejectReason.NONE;
  }

  private addMarket(c: Fields): RejectReason {
    const marketId = c.marketId;
    const K = CommandKind.ADD_MARKET;
    if (!isIdBelow(marketId, MAX_MARKETS)) {
      return this.reject(K, RejectReason.INVALID_COMMAND, 0, marketId, 0, 0, '');
    }
    if (this.markets[marketId] !== undefined) {
      return this.reject(K, RejectReason.MARKET_EXISTS, 0, marketId, 0, 0, '');
    }
    const config = checkMarketConfig(c);
    if (
      config === undefined ||
      !this.hasAsset(config.baseAssetId) ||
      !this.hasAsset(config.quoteAssetId)
    ) {
      return this.reject(K, RejectReason.INVALID_MARKET_CONFIG, 0, marketId, 0, 0, '');
    }
    const status = c.status;
    if (!isMarketStatus(status)) {
      return this.reject(K, RejectReason.INVALID_MARKET_STATUS, 0, marketId, 0, 0, '');
    }
    this.installMarket(config, status);
    const p = this.events.begin(EventKind.MARKET_ADDED, this.seq, IdRec.SIZE);
    this.events.f[p + IdRec.id] = marketId;
    return RejectReason.NONE;
  }

  private installMarket(config: MarketConfig, status: MarketStatus): Market {
    const m = new Market(config, status);
    m.feeBaseSlot = this.bal.slot(this.feeAccountId, config.baseAssetId);
    m.feeQuoteSlot = this.bal.slot(this.feeAccountId, config.quoteAssetId);
    this.markets[m.id] = m;
    const ids = this.marketIds;
    let i = ids.length;
    ids.push(m.id);
    while (i > 0 && ids[i - 1]! > m.id) {
      ids[i] = ids[i - 1]!;
      i--;
    }
    ids[i] = m.id;
    return m;
  }

  private setMarketStatus(c: Fields): RejectReason {
    const marketId = c.marketId;
    const K = CommandKind.SET_MARKET_STATUS;
    const m = this.market(marketId);
    if (m === undefined) return this.reject(K, RejectReason.MARKET_UNKNOWN, 0, marketId, 0, 0, '');
    const status = c.status;
    if (!isMarketStatus(status)) {
      return this.reject(K, RejectReason.INVALID_MARKET_STATUS, 0, marketId, 0, 0, '');
    }
    m.status = status;
    const p = this.events.begin(EventKind.MARKET_STATUS_SET, this.seq, StatusRec.SIZE);
    const f = this.events.f;
    f[p + StatusRec.marketId] = m.id;
    f[p + StatusRec.status] = status;
    return RejectReason.NONE;
  }

  // ------------------------------------------------------ dead-man's switch

  private setDeadManSwitch(c: Fields): RejectReason {
    const accountId = c.accountId;
    const marketId = c.marketId;
    const timeoutMs = c.timeoutMs;
    const K = CommandKind.SET_DEAD_MAN_SWITCH;
    if (!this.acc.has(accountId)) {
      return this.reject(K, RejectReason.ACCOUNT_UNKNOWN, accountId, marketId, 0, 0, '');
    }
    if (marketId !== 0 && this.market(marketId) === undefined) {
      return this.reject(K, RejectReason.MARKET_UNKNOWN, accountId, marketId, 0, 0, '');
    }
    if (
      timeoutMs !== 0 &&
      !(
        isSafeInt(timeoutMs) &&
        timeoutMs >= DEAD_MAN_MIN_TIMEOUT_MS &&
        timeoutMs <= DEAD_MAN_MAX_TIMEOUT_MS
      )
    ) {
      return this.reject(K, RejectReason.INVALID_COMMAND, accountId, marketId, 0, 0, '');
    }
    const a = accountId as number;
    const mk = (marketId as number) + 0;
    const timeout = (timeoutMs as number) + 0;
    const key = a * MAX_MARKETS + mk;
    const old = this.dms.get(key);
    if (old !== undefined) this.dmsRemove(old);
    let deadlineUs = 0;
    if (timeout !== 0) {
      deadlineUs = Math.min(this.nowUs + timeout * 1000, MAX_SAFE);
      this.dmsInsert(new DeadManSwitch(a, mk, deadlineUs, timeout));
    }
    const p = this.events.begin(EventKind.DEAD_MAN_SWITCH_SET, this.seq, DmsSetRec.SIZE);
    const f = this.events.f;
    f[p + DmsSetRec.accountId] = a;
    f[p + DmsSetRec.marketId] = mk;
    f[p + DmsSetRec.timeoutMs] = timeout;
    f[p + DmsSetRec.deadlineUs] = deadlineUs;
    return RejectReason.NONE;
  }

  /** Fires every switch due at the command's time, each as its own cancel-all (own level/balance events). */
  private timer(): RejectReason {
    const q = this.dmsQueue;
    while (q.length > 0 && q[0]!.deadlineUs <= this.nowUs) {
      const sw = q.shift()!;
      this.dms.delete(sw.accountId * MAX_MARKETS + sw.marketId);
      this.finish();
      this.begin();
      const p = this.events.begin(EventKind.DEAD_MAN_SWITCH_FIRED, this.seq, DmsFiredRec.SIZE);
      const f = this.events.f;
      f[p + DmsFiredRec.accountId] = sw.accountId;
      f[p + DmsFiredRec.marketId] = sw.marketId;
      f[p + DmsFiredRec.deadlineUs] = sw.deadlineUs;
      this.cancelAllOf(
        sw.accountId,
        sw.marketId === 0 ? undefined : this.markets[sw.marketId],
        CancelReason.DEAD_MAN_SWITCH,
      );
    }
    return RejectReason.NONE;
  }

  private dmsInsert(sw: DeadManSwitch): void {
    const q = this.dmsQueue;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (dmsBefore(q[mid]!, sw)) lo = mid + 1;
      else hi = mid;
    }
    q.splice(lo, 0, sw);
    this.dms.set(sw.accountId * MAX_MARKETS + sw.marketId, sw);
  }

  private dmsRemove(sw: DeadManSwitch): void {
    const q = this.dmsQueue;
    const i = q.indexOf(sw);
    assert(i >= 0, 'armed switch is queued');
    q.splice(i, 1);
    this.dms.delete(sw.accountId * MAX_MARKETS + sw.marketId);
  }

  /** When the earliest armed dead-man's switch fires (microseconds); 0 = none armed. */
  nextDeadManDeadlineUs(): number {
    const q = this.dmsQueue;
    return q.length === 0 ? 0 : q[0]!.deadlineUs;
  }

  // ----------------------------------------------------------- book upkeep

  /** Appends order s at the back of its price level, creating the level if needed. */
  private joinLevel(m: Market, s: number): void {
    const pool = this.pool;
    const lv = this.lv;
    const side = pool.b[(s << 6) + OrderU8.side]!;
    const price = pool.f[(s << 3) + OrderF64.price]!;
    const book = side === Side.BUY ? m.bids : m.asks;
    // Alive levels are exactly those in their book side, one per (market, side, price).
    const h = price & HINT_MASK;
    let l = book.hint[h]!;
    if (
      l < 0 ||
      lv.b[(l << 6) + LevelU8.alive] !== 1 ||
      lv.f[(l << 3) + LevelF64.price] !== price ||
      lv.i[(l << 4) + LevelI32.market] !== m.id ||
      lv.b[(l << 6) + LevelU8.side] !== side
    ) {
      const key = side === Side.BUY ? price : -price;
      const pos = book.search(key);
      if (pos >= 0) {
        l = book.levels[pos]!;
      } else {
        l = this.reviveLevel(m.id, side, price);
        if (l === Link.NIL) l = lv.alloc(m.id, side, price);
        book.insertAt(-pos - 1, key, l);
      }
      book.hint[h] = l;
    }
    this.touchLevel(l);
    const tail = lv.i[(l << 4) + LevelI32.tail]!;
    pool.i[(s << 4) + OrderI32.prev] = tail;
    pool.i[(s << 4) + OrderI32.next] = Link.NIL;
    if (tail === Link.NIL) lv.i[(l << 4) + LevelI32.head] = s;
    else pool.i[(tail << 4) + OrderI32.next] = s;
    lv.i[(l << 4) + LevelI32.tail] = s;
    lv.f[(l << 3) + LevelF64.qty]! += pool.f[(s << 3) + OrderF64.rem];
    lv.i[(l << 4) + LevelI32.count]!++;
    pool.i[(s << 4) + OrderI32.level] = l;
  }

  /**
   * A level of this (market, side, price) emptied earlier in the same
   * command is brought back rather than replaced, so it is reported once,
   * against its values from before the command.
   */
  private reviveLevel(marketId: number, side: number, price: number): number {
    const lv = this.lv;
    const t = this.touchedLevels;
    for (let i = 0; i < this.nTouchedLevels; i++) {
      const l = t[i]!;
      if (
        lv.b[(l << 6) + LevelU8.alive] === 0 &&
        lv.i[(l << 4) + LevelI32.market] === marketId &&
        lv.b[(l << 6) + LevelU8.side] === side &&
        lv.f[(l << 3) + LevelF64.price] === price
      ) {
        lv.b[(l << 6) + LevelU8.alive] = 1;
        return l;
      }
    }
    return Link.NIL;
  }

  /** Unlinks order s from its level; an emptied level leaves its book side. */
  private leaveLevel(s: number): void {
    const pool = this.pool;
    const lv = this.lv;
    const l = pool.i[(s << 4) + OrderI32.level]!;
    this.touchLevel(l);
    const prev = pool.i[(s << 4) + OrderI32.prev]!;
    const next = pool.i[(s << 4) + OrderI32.next]!;
    if (prev === Link.NIL) lv.i[(l << 4) + LevelI32.head] = next;
    else pool.i[(prev << 4) + OrderI32.next] = next;
    if (next === Link.NIL) lv.i[(l << 4) + LevelI32.tail] = prev;
    else pool.i[(next << 4) + OrderI32.prev] = prev;
    const qty = lv.f[(l << 3) + LevelF64.qty]! - pool.f[(s << 3) + OrderF64.rem]!;
    lv.f[(l << 3) + LevelF64.qty] = qty;
    const count = lv.i[(l << 4) + LevelI32.count]! - 1;
    lv.i[(l << 4) + LevelI32.count] = count;
    if (qty < 0 || count < 0) throw new AssertionFailure('level totals never go negative');
    if (count === 0) {
      assert(qty === 0, 'an empty level holds no quantity');
      const m = this.markets[lv.i[(l << 4) + LevelI32.market]!]!;
      const isBuy = lv.b[(l << 6) + LevelU8.side] === Side.BUY;
      const book = isBuy ? m.bids : m.asks;
      const pos = book.search(
        isBuy ? lv.f[(l << 3) + LevelF64.price]! : -lv.f[(l << 3) + LevelF64.price]!,
      );
      assert(pos >= 0 && book.levels[pos] === l, 'level is in its book side');
      book.removeAt(pos);
      lv.b[(l << 6) + LevelU8.alive] = 0; // freed at the end of the command (see finish)
    }
  }

  private joinAccount(s: number): void {
    const pool = this.pool;
    const a = pool.i[(s << 4) + OrderI32.account]!;
    const tail = this.acc.tail[a]!;
    pool.i[(s << 4) + OrderI32.aPrev] = tail;
    pool.i[(s << 4) + OrderI32.aNext] = Link.NIL;
    if (tail === Link.NIL) this.acc.head[a] = s;
    else pool.i[(tail << 4) + OrderI32.aNext] = s;
    this.acc.tail[a] = s;
  }

  private leaveAccount(s: number): void {
    const pool = this.pool;
    const a = pool.i[(s << 4) + OrderI32.account]!;
    const prev = pool.i[(s << 4) + OrderI32.aPrev]!;
    const next = pool.i[(s << 4) + OrderI32.aNext]!;
    if (prev === Link.NIL) this.acc.head[a] = next;
    else pool.i[(prev << 4) + OrderI32.aNext] = next;
    if (next === Link.NIL) this.acc.tail[a] = prev;
    else pool.i[(next << 4) + OrderI32.aPrev] = prev;
  }

  /** Forgets order s (already out of its level and account list) and frees its slot. */
  private dropOrder(s: number): void {
    const pool = this.pool;
    const a = pool.i[(s << 4) + OrderI32.account]!;
    this.orderIndex.delete(pool.f[(s << 3) + OrderF64.id]!);
    const coid = pool.coid[s]!;
    if (coid.length !== 0) this.acc.coids[a]!.delete(coid);
    this.acc.openCount[a]!--;
    pool.release(s);
  }

  /** Takes a resting order off the book entirely (its lock is the caller's business). */
  private removeOrder(s: number): void {
    this.leaveLevel(s);
    this.leaveAccount(s);
    this.dropOrder(s);
  }

  /** Releases the lock of `lots` lots of resting order s. */
  private releaseOrderLock(m: Market, s: number, lots: number): void {
    const pool = this.pool;
    const acct = pool.i[(s << 4) + OrderI32.account]!;
    if (pool.b[(s << 6) + OrderU8.side] === Side.BUY) {
      this.unlock(
        this.bal.find(acct, m.quoteAssetId),
        pool.f[(s << 3) + OrderF64.price]! * lots * m.quoteAtomsPerTickLot,
      );
    } else {
      this.unlock(this.bal.find(acct, m.baseAssetId), lots * m.baseAtomsPerLot);
    }
  }

  // --------------------------------------------------- balance primitives

  private lockFunds(s: number, amount: number): void {
    const bal = this.bal;
    this.touchBalance(s);
    const avail = bal.f[(s << 3) + BalanceF64.available]! - amount;
    if (avail < 0) throw new AssertionFailure('available balance never goes negative');
    bal.f[(s << 3) + BalanceF64.available] = avail;
    bal.f[(s << 3) + BalanceF64.locked]! += amount;
  }

  private unlock(s: number, amount: number): void {
    const bal = this.bal;
    this.touchBalance(s);
    const locked = bal.f[(s << 3) + BalanceF64.locked]! - amount;
    if (locked < 0) throw new AssertionFailure('locked balance never goes negative');
    bal.f[(s << 3) + BalanceF64.locked] = locked;
    bal.f[(s << 3) + BalanceF64.available]! += amount;
  }

  private spendLocked(s: number, amount: number): void {
    const bal = this.bal;
    this.touchBalance(s);
    const locked = bal.f[(s << 3) + BalanceF64.locked]! - amount;
    if (locked < 0) throw new AssertionFailure('locked balance never goes negative');
    bal.f[(s << 3) + BalanceF64.locked] = locked;
  }

  private credit(s: number, amount: number): void {
    const bal = this.bal;
    this.touchBalance(s);
    const avail = bal.f[(s << 3) + BalanceF64.available]! + amount;
    if (avail + bal.f[(s << 3) + BalanceF64.locked]! > MAX_SAFE) {
      throw new AssertionFailure('a balance stays within 2^53-1');
    }
    bal.f[(s << 3) + BalanceF64.available] = avail;
  }

  // ----------------------------------------------- per-command change log

  private begin(): void {
    this.gen++;
    this.nTouchedLevels = 0;
    this.nTouchedBalances = 0;
  }

  private touchLevel(l: number): void {
    const lv = this.lv;
    if (lv.f[(l << 3) + LevelF64.stamp] === this.gen) return;
    lv.f[(l << 3) + LevelF64.stamp] = this.gen;
    lv.f[(l << 3) + LevelF64.beforeQty] = lv.f[(l << 3) + LevelF64.qty]!;
    lv.i[(l << 4) + LevelI32.beforeCount] = lv.i[(l << 4) + LevelI32.count]!;
    if (this.nTouchedLevels === this.touchedLevels.length) {
      this.touchedLevels = growList(this.touchedLevels);
    }
    this.touchedLevels[this.nTouchedLevels++] = l;
  }

  private touchBalance(s: number): void {
    const bal = this.bal;
    if (bal.f[(s << 3) + BalanceF64.stamp] === this.gen) return;
    bal.f[(s << 3) + BalanceF64.stamp] = this.gen;
    bal.f[(s << 3) + BalanceF64.beforeAvailable] = bal.f[(s << 3) + BalanceF64.available]!;
    bal.f[(s << 3) + BalanceF64.beforeLocked] = bal.f[(s << 3) + BalanceF64.locked]!;
    if (this.nTouchedBalances === this.touchedBalances.length) {
      this.touchedBalances = growList(this.touchedBalances);
    }
    this.touchedBalances[this.nTouchedBalances++] = s;
  }

  /** Emits BOOK_LEVEL then BALANCE events for what changed, sorted; frees emptied levels. */
  private finish(): void {
    const nl = this.nTouchedLevels;
    if (nl !== 0) {
      const lv = this.lv;
      const t = this.touchedLevels;
      sortLevels(t, nl, lv.f);
      for (let i = 0; i < nl; i++) {
        const l = t[i]!;
        const qty = lv.f[(l << 3) + LevelF64.qty]!;
        const count = lv.i[(l << 4) + LevelI32.count]!;
        if (
          qty !== lv.f[(l << 3) + LevelF64.beforeQty] ||
          count !== lv.i[(l << 4) + LevelI32.beforeCount]
        ) {
          const p = this.events.begin(EventKind.BOOK_LEVEL, this.seq, LevelRec.SIZE);
          const f = this.events.f;
          f[p + LevelRec.marketId] = lv.i[(l << 4) + LevelI32.market]!;
          f[p + LevelRec.side] = lv.b[(l << 6) + LevelU8.side]!;
          f[p + LevelRec.priceTicks] = lv.f[(l << 3) + LevelF64.price]!;
          f[p + LevelRec.qtyLots] = qty;
          f[p + LevelRec.orderCount] = count;
        }
        if (lv.b[(l << 6) + LevelU8.alive] === 0) lv.release(l);
      }
      this.nTouchedLevels = 0;
    }
    const nb = this.nTouchedBalances;
    if (nb !== 0) {
      const bal = this.bal;
      const t = this.touchedBalances;
      sortBalances(t, nb, bal.i);
      for (let i = 0; i < nb; i++) {
        const s = t[i]!;
        const avail = bal.f[(s << 3) + BalanceF64.available]!;
        const locked = bal.f[(s << 3) + BalanceF64.locked]!;
        if (
          avail !== bal.f[(s << 3) + BalanceF64.beforeAvailable] ||
          locked !== bal.f[(s << 3) + BalanceF64.beforeLocked]
        ) {
          const p = this.events.begin(EventKind.BALANCE, this.seq, BalanceRec.SIZE);
          const f = this.events.f;
          f[p + BalanceRec.accountId] = bal.i[(s << 4) + BalanceI32.account]!;
          f[p + BalanceRec.assetId] = bal.i[(s << 4) + BalanceI32.asset]!;
          f[p + BalanceRec.availableAtoms] = avail;
          f[p + BalanceRec.lockedAtoms] = locked;
        }
      }
      this.nTouchedBalances = 0;
    }
  }

  // ------------------------------------------------------------- events

  /** One ORDER_REJECTED (ids echoed when they are safe integers / strings); returns reason. */
  private reject(
    commandKind: number,
    reason: RejectReason,
    accountId: unknown,
    marketId: unknown,
    orderId: unknown,
    refId: unknown,
    clientOrderId: unknown,
  ): RejectReason {
    const events = this.events;
    const p = events.begin(EventKind.ORDER_REJECTED, this.seq, RejectedRec.SIZE);
    const f = events.f;
    f[p + RejectedRec.commandKind] = commandKind;
    f[p + RejectedRec.reason] = reason;
    f[p + RejectedRec.accountId] = echoNum(accountId);
    f[p + RejectedRec.marketId] = echoNum(marketId);
    f[p + RejectedRec.orderId] = echoNum(orderId);
    f[p + RejectedRec.refId] = echoNum(refId);
    events.setString(echoStr(clientOrderId));
    return reason;
  }

  /** ORDER_CANCELED / ORDER_EXPIRED. */
  private orderOut(
    kind: EventKind,
    orderId: number,
    accountId: number,
    marketId: number,
    reason: CancelReason,
    qtyLots: number,
    quoteAtoms: number,
    coid: string,
  ): void {
    const events = this.events;
    const p = events.begin(kind, this.seq, OutRec.SIZE);
    const f = events.f;
    f[p + OutRec.orderId] = orderId;
    f[p + OutRec.accountId] = accountId;
    f[p + OutRec.marketId] = marketId;
    f[p + OutRec.reason] = reason;
    f[p + OutRec.qtyLots] = qtyLots;
    f[p + OutRec.quoteAtoms] = quoteAtoms;
    events.setString(coid);
  }

  private funds(
    kind: EventKind,
    accountId: number,
    assetId: number,
    amount: number,
    refId: number,
  ): void {
    const p = this.events.begin(kind, this.seq, FundsRec.SIZE);
    const f = this.events.f;
    f[p + FundsRec.accountId] = accountId;
    f[p + FundsRec.assetId] = assetId;
    f[p + FundsRec.amountAtoms] = amount;
    f[p + FundsRec.refId] = refId;
  }

  private feesEvent(kind: EventKind, accountId: number, maker: number, taker: number): void {
    const p = this.events.begin(kind, this.seq, FeesRec.SIZE);
    const f = this.events.f;
    f[p + FeesRec.accountId] = accountId;
    f[p + FeesRec.makerFeeBps] = maker;
    f[p + FeesRec.takerFeeBps] = taker;
  }

  // ------------------------------------------------------------ lookups

  private market(id: unknown): Market | undefined {
    return isIdBelow(id, MAX_MARKETS) ? this.markets[id] : undefined;
  }

  private hasAsset(id: unknown): id is number {
    return isIdBelow(id, MAX_ASSETS) && this.assetExists[id] === 1;
  }

  private view(s: number): RestingOrderView {
    const pool = this.pool;
    return {
      orderId: pool.f[(s << 3) + OrderF64.id]!,
      accountId: pool.i[(s << 4) + OrderI32.account]!,
      marketId: pool.i[(s << 4) + OrderI32.market]!,
      side: pool.b[(s << 6) + OrderU8.side]! as Side,
      priceTicks: pool.f[(s << 3) + OrderF64.price]!,
      qtyLots: pool.f[(s << 3) + OrderF64.qty]!,
      filledLots: pool.f[(s << 3) + OrderF64.qty]! - pool.f[(s << 3) + OrderF64.rem]!,
      remainingLots: pool.f[(s << 3) + OrderF64.rem]!,
      timeInForce: pool.b[(s << 6) + OrderU8.tif]! as TimeInForce,
      stpMode: pool.b[(s << 6) + OrderU8.stp]! as StpMode,
      postOnly: pool.b[(s << 6) + OrderU8.postOnly] === 1,
      clientOrderId: pool.coid[s]!,
    };
  }

  // ---------------------------------------------------------- StateView

  get lastSeq(): number {
    return this.seq;
  }

  get nextOrderId(): number {
    return this.orderIdNext;
  }

  get nextTradeId(): number {
    return this.tradeIdNext;
  }

  stateHash(): string {
    return hashState(this);
  }

  forEachAsset(fn: (assetId: number) => void): void {
    for (let a = 1; a < MAX_ASSETS; a++) if (this.assetExists[a] === 1) fn(a);
  }

  forEachAccount(fn: (accountId: number, makerFeeBps: number, takerFeeBps: number) => void): void {
    const acc = this.acc;
    for (let a = 1; a < acc.capacity; a++) {
      if (acc.exists[a] === 1) fn(a, acc.makerBps[a]!, acc.takerBps[a]!);
    }
  }

  forEachBalance(
    fn: (accountId: number, assetId: number, availableAtoms: number, lockedAtoms: number) => void,
  ): void {
    const bal = this.bal;
    const slots: number[] = [];
    for (let s = 0; s < bal.count; s++) {
      if (bal.f[(s << 3) + BalanceF64.available] !== 0 || bal.f[(s << 3) + BalanceF64.locked] !== 0)
        slots.push(s);
    }
    slots.sort((x, y) => bal.i[(x << 4) + BalanceI32.key]! - bal.i[(y << 4) + BalanceI32.key]!);
    for (const s of slots) {
      const key = bal.i[(s << 4) + BalanceI32.key]!;
      fn(
        Math.floor(key / MAX_ASSETS),
        key % MAX_ASSETS,
        bal.f[(s << 3) + BalanceF64.available]!,
        bal.f[(s << 3) + BalanceF64.locked]!,
      );
    }
  }

  forEachMarket(fn: (config: MarketConfig, status: MarketStatus) => void): void {
    for (const id of this.marketIds) {
      const m = this.markets[id]!;
      fn(m.config, m.status);
    }
  }

  forEachRestingOrder(marketId: number, side: Side, fn: (order: RestingOrderView) => void): void {
    const m = this.market(marketId);
    if (m === undefined || (side !== Side.BUY && side !== Side.SELL)) return;
    const book = side === Side.BUY ? m.bids : m.asks;
    for (let i = book.n - 1; i >= 0; i--) {
      for (
        let s = this.lv.i[(book.levels[i]! << 4) + LevelI32.head]!;
        s !== Link.NIL;
        s = this.pool.i[(s << 4) + OrderI32.next]!
      ) {
        fn(this.view(s));
      }
    }
  }

  forEachPendingWithdrawal(
    fn: (refId: number, accountId: number, assetId: number, amountAtoms: number) => void,
  ): void {
    const refs = [...this.pending.keys()].sort((a, b) => a - b);
    for (const r of refs) {
      const w = this.pending.get(r)!;
      fn(r, w.accountId, w.assetId, w.amountAtoms);
    }
  }

  forEachDepositRef(fn: (refId: number) => void): void {
    for (const r of [...this.depositRefs].sort((a, b) => a - b)) fn(r);
  }

  forEachWithdrawalRef(fn: (refId: number) => void): void {
    for (const r of [...this.withdrawalRefs].sort((a, b) => a - b)) fn(r);
  }

  forEachDeadManSwitch(
    fn: (accountId: number, marketId: number, deadlineUs: number, timeoutMs: number) => void,
  ): void {
    for (const k of [...this.dms.keys()].sort((a, b) => a - b)) {
      const sw = this.dms.get(k)!;
      fn(sw.accountId, sw.marketId, sw.deadlineUs, sw.timeoutMs);
    }
  }

  // ------------------------------------------------------------ queries

  /** The open order with this id, or undefined. */
  getOrder(orderId: number): RestingOrderView | undefined {
    const s = typeof orderId === 'number' ? this.orderIndex.get(orderId) : -1;
    return s < 0 ? undefined : this.view(s);
  }

  /** The account's open order with this client order id, or undefined. */
  getOrderByClientId(accountId: number, clientOrderId: string): RestingOrderView | undefined {
    if (!this.acc.has(accountId) || typeof clientOrderId !== 'string') return undefined;
    const s = this.acc.coids[accountId]?.get(clientOrderId);
    return s === undefined ? undefined : this.view(s);
  }

  /** Available and locked atoms of (account, asset); zeros when none. */
  getBalance(accountId: number, assetId: number): BalanceView {
    const s =
      isIdBelow(accountId, MAX_ACCOUNTS) && isIdBelow(assetId, MAX_ASSETS)
        ? this.bal.find(accountId, assetId)
        : -1;
    return s < 0
      ? { availableAtoms: 0, lockedAtoms: 0 }
      : {
          availableAtoms: this.bal.f[(s << 3) + BalanceF64.available]!,
          lockedAtoms: this.bal.f[(s << 3) + BalanceF64.locked]!,
        };
  }

  /** Best bid in ticks, 0 when the side is empty or the market unknown. */
  bestBid(marketId: number): number {
    const m = this.market(marketId);
    return m === undefined ? 0 : m.bids.bestPrice();
  }

  /** Best ask in ticks, 0 when the side is empty or the market unknown. */
  bestAsk(marketId: number): number {
    const m = this.market(marketId);
    return m === undefined ? 0 : m.asks.bestPrice();
  }

  /** Aggregated levels, best first, at most maxLevels (Infinity: the whole side). */
  depth(marketId: number, side: Side, maxLevels: number = Number.POSITIVE_INFINITY): DepthLevel[] {
    const out: DepthLevel[] = [];
    const m = this.market(marketId);
    if (m === undefined || (side !== Side.BUY && side !== Side.SELL)) return out;
    const book = side === Side.BUY ? m.bids : m.asks;
    const lv = this.lv;
    for (let i = book.n - 1; i >= 0 && out.length < maxLevels; i--) {
      const l = book.levels[i]!;
      out.push({
        priceTicks: lv.f[(l << 3) + LevelF64.price]!,
        qtyLots: lv.f[(l << 3) + LevelF64.qty]!,
        orderCount: lv.i[(l << 4) + LevelI32.count]!,
      });
    }
    return out;
  }

  /** The market's status, or undefined when it does not exist. */
  marketStatus(marketId: number): MarketStatus | undefined {
    return this.market(marketId)?.status;
  }

  /** The market's configuration, or undefined when it does not exist. */
  marketConfig(marketId: number): Readonly<MarketConfig> | undefined {
    return this.market(marketId)?.config;
  }

  /** Open orders of the account (0 when unknown). */
  openOrderCount(accountId: number): number {
    return this.acc.has(accountId) ? this.acc.openCount[accountId]! : 0;
  }

  /** Orders resting in all books. */
  restingOrderCount(): number {
    return this.pool.live;
  }

  // ----------------------------------------------------------- snapshot

  /**
   * The whole state as compact versioned binary (header: magic, version,
   * length, CRC-32, lastSeq). Engine.restore(snapshot()) has the same
   * stateHash() and behaves identically from then on.
   */
  snapshot(): Uint8Array {
    const pool = this.pool;
    const lv = this.lv;
    const acc = this.acc;
    const bal = this.bal;
    let withOrders = 0;
    for (let a = 1; a < acc.capacity; a++) if (acc.openCount[a]! > 0) withOrders++;
    const w = new SnapshotWriter(
      64 +
        acc.capacity * 12 +
        bal.count * 20 +
        this.marketIds.length * 74 +
        pool.live * 48 +
        pool.coidChars +
        withOrders * 8 +
        this.pending.size * 24 +
        (this.depositRefs.size + this.withdrawalRefs.size) * 8,
    );
    w.f64(this.orderIdNext);
    w.f64(this.tradeIdNext);
    w.u32(this.feeAccountId);
    w.u32(pool.maxOrders);

    let n = 0;
    this.forEachAsset(() => n++);
    w.u32(n);
    this.forEachAsset((a) => w.u32(a));

    n = 0;
    this.forEachAccount(() => n++);
    w.u32(n);
    this.forEachAccount((a, maker, taker) => {
      w.u32(a);
      w.i32(maker);
      w.i32(taker);
    });

    const slots: number[] = [];
    for (let s = 0; s < bal.count; s++) {
      if (bal.f[(s << 3) + BalanceF64.available] !== 0 || bal.f[(s << 3) + BalanceF64.locked] !== 0)
        slots.push(s);
    }
    slots.sort((x, y) => bal.i[(x << 4) + BalanceI32.key]! - bal.i[(y << 4) + BalanceI32.key]!);
    w.u32(slots.length);
    for (const s of slots) {
      w.u32(bal.i[(s << 4) + BalanceI32.key]!);
      w.f64(bal.f[(s << 3) + BalanceF64.available]!);
      w.f64(bal.f[(s << 3) + BalanceF64.locked]!);
    }

    w.u32(this.marketIds.length);
    for (const id of this.marketIds) {
      const m = this.markets[id]!;
      w.u32(m.id);
      w.u32(m.baseAssetId);
      w.u32(m.quoteAssetId);
      w.f64(m.baseAtomsPerLot);
      w.f64(m.quoteAtomsPerTickLot);
      w.f64(m.minQtyLots);
      w.f64(m.maxQtyLots);
      w.f64(m.maxPriceTicks);
      w.f64(m.minNotionalAtoms);
      w.u32(m.priceBandBps);
      w.u8(m.allowSelfTrade ? 1 : 0);
      w.u8(m.status);
    }

    // Orders. A first pass walks the books (market ascending, BUY then SELL,
    // best first, FIFO) touching only the links, to give each order its book
    // rank and count each side; then the orders are written in slot order,
    // which reads the columns sequentially, each with its rank. Restore puts
    // order `rank` in slot `rank`, so it also comes back laid out in book order.
    const rank = new Int32Array(pool.capacity).fill(-1);
    // The list walks below hop between records far apart; a dense copy of
    // the links (one sequential pass) keeps those hops within 4 bytes an order.
    const links = new Int32Array(pool.capacity);
    for (let s = 0; s < pool.capacity; s++) links[s] = pool.i[(s << 4) + OrderI32.next]!;
    let ranked = 0;
    w.u32(pool.live);
    for (const id of this.marketIds) {
      const m = this.markets[id]!;
      for (const book of [m.bids, m.asks]) {
        const first = ranked;
        for (let i = book.n - 1; i >= 0; i--) {
          for (
            let s = lv.i[(book.levels[i]! << 4) + LevelI32.head]!;
            s !== Link.NIL;
            s = links[s]!
          ) {
            rank[s] = ranked++;
          }
        }
        w.u32(ranked - first);
      }
    }
    assert(ranked === pool.live, 'every live order is in a book');
    for (let s = 0; s < pool.capacity; s++) {
      const r = rank[s]!;
      if (r < 0) continue;
      w.reserve(64 + pool.coid[s]!.length);
      w.u32(r);
      w.f64(pool.f[(s << 3) + OrderF64.id]!);
      w.u32(pool.i[(s << 4) + OrderI32.account]!);
      w.f64(pool.f[(s << 3) + OrderF64.price]!);
      w.f64(pool.f[(s << 3) + OrderF64.qty]!);
      w.f64(pool.f[(s << 3) + OrderF64.qty]! - pool.f[(s << 3) + OrderF64.rem]!);
      w.u8(pool.b[(s << 6) + OrderU8.tif]!);
      w.u8(pool.b[(s << 6) + OrderU8.stp]!);
      w.u8(pool.b[(s << 6) + OrderU8.postOnly]!);
      w.ascii(pool.coid[s]!);
    }
    w.u32(withOrders);
    for (let s = 0; s < pool.capacity; s++) links[s] = pool.i[(s << 4) + OrderI32.aNext]!;
    for (let a = 1; a < acc.capacity; a++) {
      if (acc.openCount[a]! === 0) continue;
      w.u32(a);
      w.u32(acc.openCount[a]!);
      w.reserve(acc.openCount[a]! * 4);
      for (let s = acc.head[a]!; s !== Link.NIL; s = links[s]!) w.u32(rank[s]!);
    }

    w.u32(this.pending.size);
    this.forEachPendingWithdrawal((ref, a, asset, amount) => {
      w.f64(ref);
      w.u32(a);
      w.u32(asset);
      w.f64(amount);
    });
    w.u32(this.depositRefs.size);
    this.forEachDepositRef((r) => w.f64(r));
    w.u32(this.withdrawalRefs.size);
    this.forEachWithdrawalRef((r) => w.f64(r));
    // Version 2: armed dead-man's switches, ascending (account, market).
    w.u32(this.dms.size);
    this.forEachDeadManSwitch((a, mk, deadline, timeout) => {
      w.u32(a);
      w.u32(mk);
      w.f64(deadline);
      w.u32(timeout);
    });
    w.u32(SNAPSHOT_END);
    return w.finish(this.seq);
  }

  /**
   * An engine from snapshot() bytes. Throws SnapshotError (code
   * E_SNAPSHOT_CORRUPT, or E_SNAPSHOT_VERSION) on truncated, damaged or
   * inconsistent input; never hangs.
   */
  static restore(bytes: Uint8Array): Engine {
    const header = readSnapshotHeader(bytes);
    try {
      return Engine.decode(bytes, header.lastSeq, header.version);
    } catch (e) {
      if (e instanceof SnapshotError) throw e;
      // A check inside a builder method (an assertion) on inconsistent input.
      throw corrupt(e instanceof Error ? e.message : String(e));
    }
  }

  private static decode(bytes: Uint8Array, lastSeq: number, version: number): Engine {
    const r = new SnapshotReader(bytes);
    const nextOrderId = r.int(1, MAX_SAFE, 'nextOrderId');
    const nextTradeId = r.int(1, MAX_SAFE, 'nextTradeId');
    const feeAccountId = r.small(1, MAX_ACCOUNTS - 1, 'feeAccountId');
    const maxOrders = r.small(1, MAX_ORDERS, 'maxOrders');
    const e = new Engine({ feeAccountId, maxOrders });
    e.seq = lastSeq;
    e.orderIdNext = nextOrderId;
    e.tradeIdNext = nextTradeId;

    let n = r.count(4, 'asset');
    let prev = 0;
    for (let i = 0; i < n; i++) {
      const a = r.small(prev + 1, MAX_ASSETS - 1, 'asset id');
      e.assetExists[a] = 1;
      prev = a;
    }

    n = r.count(12, 'account');
    prev = 0;
    for (let i = 0; i < n; i++) {
      const a = r.small(prev + 1, MAX_ACCOUNTS - 1, 'account id');
      const maker = r.i32();
      const taker = r.i32();
      if (!validFees(maker, taker)) throw corrupt(`fees of account ${a}`);
      if (a === feeAccountId) {
        e.acc.makerBps[a] = maker;
        e.acc.takerBps[a] = taker;
      } else {
        e.acc.add(a, maker, taker);
      }
      prev = a;
    }
    if (!e.acc.has(feeAccountId)) throw corrupt('fee account missing');

    n = r.count(20, 'balance');
    prev = -1;
    for (let i = 0; i < n; i++) {
      const key = r.small(prev + 1, MAX_ACCOUNTS * MAX_ASSETS - 1, 'balance key');
      const a = Math.floor(key / MAX_ASSETS);
      const asset = key % MAX_ASSETS;
      const avail = r.int(0, MAX_SAFE, 'available');
      const locked = r.int(0, MAX_SAFE, 'locked');
      if (!e.acc.has(a) || !e.hasAsset(asset) || avail + locked > MAX_SAFE) {
        throw corrupt(`balance ${a}/${asset}`);
      }
      const s = e.bal.slot(a, asset);
      e.bal.f[(s << 3) + BalanceF64.available] = avail;
      e.bal.f[(s << 3) + BalanceF64.locked] = locked;
      e.supplyAtoms[asset]! += avail + locked;
      if (e.supplyAtoms[asset]! > MAX_SAFE) throw corrupt(`supply of asset ${asset}`);
      prev = key;
    }

    n = r.count(66, 'market');
    prev = 0;
    for (let i = 0; i < n; i++) {
      const marketId = r.small(prev + 1, MAX_MARKETS - 1, 'market id');
      const fields: Fields = {
        marketId,
        baseAssetId: r.u32(),
        quoteAssetId: r.u32(),
        baseAtomsPerLot: r.f64(),
        quoteAtomsPerTickLot: r.f64(),
        minQtyLots: r.f64(),
        maxQtyLots: r.f64(),
        maxPriceTicks: r.f64(),
        minNotionalAtoms: r.f64(),
        priceBandBps: r.u32(),
      };
      const allow = r.u8();
      fields.allowSelfTrade = allow === 1;
      const status = r.u8();
      const config = checkMarketConfig(fields);
      if (
        config === undefined ||
        allow > 1 ||
        !isMarketStatus(status) ||
        !e.hasAsset(config.baseAssetId) ||
        !e.hasAsset(config.quoteAssetId)
      ) {
        throw corrupt(`market ${marketId}`);
      }
      e.installMarket(config, status);
      prev = marketId;
    }

    // Orders: see snapshot(). Order `rank` goes to slot `rank`.
    const pool = e.pool;
    const total = r.count(44, 'order');
    if (total > maxOrders) throw corrupt('more orders than maxOrders');
    const groups: number[] = [];
    let grouped = 0;
    for (let i = 0; i < e.marketIds.length * 2; i++) {
      const g = r.small(0, total, 'book side count');
      groups.push(g);
      grouped += g;
    }
    if (grouped !== total) throw corrupt('book side counts do not add up');
    if (!pool.reserveSequential(total)) throw corrupt('order pool');
    e.orderIndex.reserve(total);
    const seen = new Uint8Array(total);
    for (let i = 0; i < total; i++) {
      const s = r.small(0, total - 1, 'order rank');
      if (seen[s] === 1) throw corrupt(`duplicate order rank ${s}`);
      seen[s] = 1;
      const orderId = r.int(1, nextOrderId - 1, 'order id');
      const a = r.u32();
      const price = r.int(1, MAX_SAFE, 'price');
      const qty = r.int(1, MAX_SAFE, 'quantity');
      const filled = r.int(0, qty - 1, 'filled');
      const tif = r.u8();
      const stp = r.u8();
      const post = r.u8();
      const coid = r.ascii();
      if (!e.acc.has(a) || a === feeAccountId) throw corrupt(`order ${orderId} account`);
      if (tif !== TimeInForce.GTC || stp < StpMode.NONE || stp > StpMode.DECREMENT || post > 1) {
        throw corrupt(`order ${orderId} flags`);
      }
      if (coid.length !== 0 && !isValidClientOrderId(coid)) throw corrupt(`order ${orderId} coid`);
      if (e.orderIndex.get(orderId) >= 0) throw corrupt(`duplicate order ${orderId}`);
      if (e.acc.openCount[a]! >= MAX_OPEN_ORDERS_PER_ACCOUNT) throw corrupt('open order count');
      pool.f[(s << 3) + OrderF64.id] = orderId;
      pool.f[(s << 3) + OrderF64.price] = price;
      pool.f[(s << 3) + OrderF64.qty] = qty;
      pool.f[(s << 3) + OrderF64.rem] = qty - filled;
      pool.i[(s << 4) + OrderI32.account] = a;
      pool.b[(s << 6) + OrderU8.tif] = tif;
      pool.b[(s << 6) + OrderU8.stp] = stp;
      pool.b[(s << 6) + OrderU8.postOnly] = post;
      pool.setCoid(s, coid);
      pool.i[(s << 4) + OrderI32.aPrev] = Link.NIL;
      pool.i[(s << 4) + OrderI32.aNext] = Link.NIL;
      e.orderIndex.set(orderId, s);
      e.acc.openCount[a]!++;
      if (coid.length !== 0) {
        let map = e.acc.coids[a];
        if (map === undefined) {
          map = new Map();
          e.acc.coids[a] = map;
        }
        if (map.has(coid)) throw corrupt(`duplicate client order id ${coid}`);
        map.set(coid, s);
      }
    }
    // Link the books in rank order (sequential slots).
    let s = 0;
    let g = 0;
    for (const id of e.marketIds) {
      const m = e.markets[id]!;
      for (const side of [Side.BUY, Side.SELL]) {
        const book = side === Side.BUY ? m.bids : m.asks;
        const end = s + groups[g++]!;
        let lastPrice = 0;
        let l: number = Link.NIL;
        for (; s < end; s++) {
          const price = pool.f[(s << 3) + OrderF64.price]!;
          if (price > m.maxPriceTicks || pool.f[(s << 3) + OrderF64.qty]! > m.maxQtyLots) {
            throw corrupt(`order ${pool.f[(s << 3) + OrderF64.id]} outside market ${m.id} limits`);
          }
          if (pool.b[(s << 6) + OrderU8.stp] === StpMode.NONE && !m.allowSelfTrade) {
            throw corrupt(`order ${pool.f[(s << 3) + OrderF64.id]} stp`);
          }
          if (l !== Link.NIL && (side === Side.BUY ? price > lastPrice : price < lastPrice)) {
            throw corrupt('book out of priority order');
          }
          pool.i[(s << 4) + OrderI32.market] = m.id;
          pool.b[(s << 6) + OrderU8.side] = side;
          // Worst level last: append in reading order, reverse once the side is read.
          if (l === Link.NIL || price !== lastPrice) {
            l = e.lv.alloc(m.id, side, price);
            book.insertAt(book.n, side === Side.BUY ? price : -price, l);
          }
          const tail = e.lv.i[(l << 4) + LevelI32.tail]!;
          pool.i[(s << 4) + OrderI32.prev] = tail;
          pool.i[(s << 4) + OrderI32.next] = Link.NIL;
          if (tail === Link.NIL) e.lv.i[(l << 4) + LevelI32.head] = s;
          else pool.i[(tail << 4) + OrderI32.next] = s;
          e.lv.i[(l << 4) + LevelI32.tail] = s;
          e.lv.f[(l << 3) + LevelF64.qty]! += pool.f[(s << 3) + OrderF64.rem];
          e.lv.i[(l << 4) + LevelI32.count]!++;
          pool.i[(s << 4) + OrderI32.level] = l;
          lastPrice = price;
        }
        book.keys.subarray(0, book.n).reverse();
        book.levels.subarray(0, book.n).reverse();
      }
      if (m.bids.n !== 0 && m.asks.n !== 0 && m.bids.bestPrice() >= m.asks.bestPrice()) {
        throw corrupt(`market ${m.id} book crossed`);
      }
    }

    n = r.count(8, 'order list');
    prev = 0;
    let listed = 0;
    const listedRank = new Uint8Array(total);
    for (let i = 0; i < n; i++) {
      const a = r.small(prev + 1, MAX_ACCOUNTS - 1, 'order list account');
      const cnt = r.count(4, 'order list entry');
      if (!e.acc.has(a) || cnt !== e.acc.openCount[a]) throw corrupt(`order list of ${a}`);
      for (let j = 0; j < cnt; j++) {
        const o = r.small(0, total - 1, 'order rank');
        if (listedRank[o] === 1 || pool.i[(o << 4) + OrderI32.account] !== a)
          throw corrupt(`order list of ${a}`);
        listedRank[o] = 1;
        e.joinAccount(o);
      }
      listed += cnt;
      prev = a;
    }
    if (listed !== total) throw corrupt('orders missing from account lists');

    n = r.count(24, 'pending withdrawal');
    prev = 0;
    for (let i = 0; i < n; i++) {
      const ref = r.int(prev + 1, MAX_SAFE, 'withdrawal ref');
      const a = r.u32();
      const asset = r.u32();
      const amount = r.int(1, MAX_SAFE, 'withdrawal amount');
      if (!e.acc.has(a) || !e.hasAsset(asset)) throw corrupt(`withdrawal ${ref}`);
      e.pending.set(ref, new PendingWithdrawal(a, asset, amount));
      prev = ref;
    }
    n = r.count(8, 'deposit ref');
    prev = 0;
    for (let i = 0; i < n; i++) {
      prev = r.int(prev + 1, MAX_SAFE, 'deposit ref');
      e.depositRefs.add(prev);
    }
    n = r.count(8, 'withdrawal ref');
    prev = 0;
    for (let i = 0; i < n; i++) {
      prev = r.int(prev + 1, MAX_SAFE, 'withdrawal ref');
      e.withdrawalRefs.add(prev);
    }
    for (const ref of e.pending.keys()) {
      if (!e.withdrawalRefs.has(ref)) throw corrupt(`pending withdrawal ${ref} not a used ref`);
    }
    if (version >= 2) {
      // Armed dead-man's switches (version 1 snapshots have none).
      n = r.count(20, 'dead-man switch');
      prev = -1;
      for (let i = 0; i < n; i++) {
        const a = r.small(1, MAX_ACCOUNTS - 1, 'dead-man switch account');
        const mk = r.small(0, MAX_MARKETS - 1, 'dead-man switch market');
        const key = a * MAX_MARKETS + mk;
        const deadline = r.int(0, MAX_SAFE, 'dead-man switch deadline');
        const timeout = r.small(
          DEAD_MAN_MIN_TIMEOUT_MS,
          DEAD_MAN_MAX_TIMEOUT_MS,
          'dead-man timeout',
        );
        if (key <= prev || !e.acc.has(a) || (mk !== 0 && e.markets[mk] === undefined)) {
          throw corrupt(`dead-man switch ${a}/${mk}`);
        }
        e.dmsInsert(new DeadManSwitch(a, mk, deadline, timeout));
        prev = key;
      }
    }
    if (r.u32() !== SNAPSHOT_END) throw corrupt('missing end marker');
    r.end();
    e.checkLocks();
    return e;
  }

  /** Locked funds equal what open orders and pending withdrawals hold (restore check). */
  private checkLocks(): void {
    const bal = this.bal;
    const pool = this.pool;
    const want = new Float64Array(bal.count);
    const add = (account: number, assetId: number, amount: number): void => {
      const s = bal.find(account, assetId);
      if (s < 0) throw corrupt(`lock of ${account}/${assetId} without a balance`);
      want[s]! += amount;
    };
    // Restored orders occupy slots 0..live-1.
    for (let s = 0; s < pool.live; s++) {
      const m = this.markets[pool.i[(s << 4) + OrderI32.market]!]!;
      if (pool.b[(s << 6) + OrderU8.side] === Side.BUY) {
        add(
          pool.i[(s << 4) + OrderI32.account]!,
          m.quoteAssetId,
          pool.f[(s << 3) + OrderF64.price]! *
            pool.f[(s << 3) + OrderF64.rem]! *
            m.quoteAtomsPerTickLot,
        );
      } else {
        add(
          pool.i[(s << 4) + OrderI32.account]!,
          m.baseAssetId,
          pool.f[(s << 3) + OrderF64.rem]! * m.baseAtomsPerLot,
        );
      }
    }
    for (const w of this.pending.values()) add(w.accountId, w.assetId, w.amountAtoms);
    for (let s = 0; s < bal.count; s++) {
      if (want[s] !== bal.f[(s << 3) + BalanceF64.locked]) {
        throw corrupt('locked balance differs from open orders and pending withdrawals');
      }
    }
  }
}

function validFees(maker: unknown, taker: unknown): boolean {
  return (
    isSafeInt(maker) &&
    isSafeInt(taker) &&
    maker >= MIN_MAKER_FEE_BPS &&
    maker <= MAX_MAKER_FEE_BPS &&
    taker >= 0 &&
    taker <= MAX_TAKER_FEE_BPS
  );
}

function isMarketStatus(x: unknown): x is MarketStatus {
  return x === MarketStatus.ACTIVE || x === MarketStatus.CANCEL_ONLY || x === MarketStatus.HALTED;
}

function growList(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Sorts the first n entries of `a` by key[a[i]]: insertion sort when short (no allocation). */
/** Sorts level indexes by their records' keys (insertion sort: usually 1-3 levels). */
function sortLevels(a: Int32Array, n: number, f: Float64Array): void {
  if (n < 2) return;
  if (n > 48) {
    const tmp = Array.from(a.subarray(0, n));
    tmp.sort((x, y) => f[(x << 3) + LevelF64.key]! - f[(y << 3) + LevelF64.key]!);
    a.set(tmp);
    return;
  }
  for (let i = 1; i < n; i++) {
    const x = a[i]!;
    const kx = f[(x << 3) + LevelF64.key]!;
    let j = i - 1;
    while (j >= 0 && f[(a[j]! << 3) + LevelF64.key]! > kx) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
}

/** Sorts balance slots by key (insertion sort: usually 1-4 slots). */
function sortBalances(a: Int32Array, n: number, i32: Int32Array): void {
  if (n < 2) return;
  if (n > 48) {
    const tmp = Array.from(a.subarray(0, n));
    tmp.sort((x, y) => i32[(x << 4) + BalanceI32.key]! - i32[(y << 4) + BalanceI32.key]!);
    a.set(tmp);
    return;
  }
  for (let i = 1; i < n; i++) {
    const x = a[i]!;
    const kx = i32[(x << 4) + BalanceI32.key]!;
    let j = i - 1;
    while (j >= 0 && i32[(a[j]! << 4) + BalanceI32.key]! > kx) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
}

/**
 * SEMANTICS: a cancel-all carries USER (reported as CANCEL_ALL),
 * CANCEL_ON_DISCONNECT or DEAD_MAN_SWITCH; anything else is NONE (rejected).
 */
function cancelAllReason(reason: unknown): CancelReason {
  switch (reason) {
    case CancelReason.USER:
      return CancelReason.CANCEL_ALL;
    case CancelReason.CANCEL_ON_DISCONNECT:
    case CancelReason.DEAD_MAN_SWITCH:
      return reason;
    default:
      return CancelReason.NONE;
  }
}
