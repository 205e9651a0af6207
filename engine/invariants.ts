// Invariants any MatchingEngine must keep between commands, checked through the
// StateView interface only (so the same checks hold the fast engine and the
// reference model), plus an InvariantTracker that folds the engine's own
// events into what the state cannot tell by itself: totals deposited and
// withdrawn (conservation), the order in which orders entered the book (FIFO),
// and the levels and balances the BOOK_LEVEL / BALANCE events describe (so the
// event stream is checked to be a faithful account of the state).
import { MAX_SAFE } from './constants';
import { type Event, EventKind, FLAG_KEPT_PRIORITY, type PlainEvent } from './event';
import type { RestingOrderView, StateView } from './state-view';
import { type MarketConfig, type MarketStatus, OrderType, Side, TimeInForce } from './types';

type AnyEvent = Event | PlainEvent;

function num(ev: AnyEvent, f: string): number {
  return (ev as unknown as Record<string, number>)[f] ?? 0;
}

export class InvariantTracker {
  /** Per asset: total deposited and total finalized withdrawals. */
  readonly deposited = new Map<number, bigint>();
  readonly withdrawn = new Map<number, bigint>();
  /** orderId -> arrival counter of its latest (re-)entry to the book. */
  readonly entryOf = new Map<number, number>();
  private entryCounter = 0;
  /** `${market}:${side}:${price}` -> `${qty}:${count}` as BOOK_LEVEL events left it. */
  readonly levels = new Map<string, string>();
  /** `${account}:${asset}` -> `${available}:${locked}` as BALANCE events left it. */
  readonly balances = new Map<string, string>();
  /** Accounts ACCOUNT_ADDED events announced (the fee account is not among them). */
  readonly accounts = new Set<number>();

  observe(ev: AnyEvent): void {
    switch (ev.kind) {
      case EventKind.ORDER_ACCEPTED:
        if (
          num(ev, 'orderType') === OrderType.LIMIT &&
          num(ev, 'timeInForce') === TimeInForce.GTC
        ) {
          this.entryOf.set(num(ev, 'orderId'), ++this.entryCounter);
        }
        break;
      case EventKind.ORDER_AMENDED:
        if ((num(ev, 'flags') & FLAG_KEPT_PRIORITY) === 0) {
          this.entryOf.set(num(ev, 'orderId'), ++this.entryCounter);
        }
        break;
      case EventKind.ORDER_CANCELED:
      case EventKind.ORDER_EXPIRED:
        this.entryOf.delete(num(ev, 'orderId'));
        break;
      case EventKind.TRADE:
        if (num(ev, 'makerRemainingLots') === 0) this.entryOf.delete(num(ev, 'makerOrderId'));
        break;
      case EventKind.ACCOUNT_ADDED:
        this.accounts.add(num(ev, 'accountId'));
        break;
      case EventKind.DEPOSITED: {
        const a = num(ev, 'assetId');
        this.deposited.set(a, (this.deposited.get(a) ?? 0n) + BigInt(num(ev, 'amountAtoms')));
        break;
      }
      case EventKind.WITHDRAWAL_FINALIZED: {
        const a = num(ev, 'assetId');
        this.withdrawn.set(a, (this.withdrawn.get(a) ?? 0n) + BigInt(num(ev, 'amountAtoms')));
        break;
      }
      case EventKind.BOOK_LEVEL: {
        const key = `${num(ev, 'marketId')}:${num(ev, 'side')}:${num(ev, 'priceTicks')}`;
        const qty = num(ev, 'qtyLots');
        const count = num(ev, 'orderCount');
        if (qty === 0 && count === 0) this.levels.delete(key);
        else this.levels.set(key, `${qty}:${count}`);
        break;
      }
      case EventKind.BALANCE: {
        const key = `${num(ev, 'accountId')}:${num(ev, 'assetId')}`;
        const available = num(ev, 'availableAtoms');
        const locked = num(ev, 'lockedAtoms');
        if (available === 0 && locked === 0) this.balances.delete(key);
        else this.balances.set(key, `${available}:${locked}`);
        break;
      }
      default:
        break;
    }
  }
}

function isSafeNonNeg(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

export interface CheckOptions {
  /**
   * Walk view.forEachAccount() and compare it with the ACCOUNT_ADDED events
   * (default true). An engine may make that walk cost O(largest account id),
   * so frequent checks can turn it off and take the accounts from the events.
   */
  walkAccounts?: boolean;
}

/**
 * Every invariant of SEMANTICS.md / design.md that the state (plus the
 * tracker's history) can show. Returns the violations found (empty = ok).
 */
export function checkInvariants(
  view: StateView,
  tracker: InvariantTracker,
  options: CheckOptions = {},
): string[] {
  const out: string[] = [];
  const bad = (msg: string) => {
    if (out.length < 50) out.push(msg);
  };

  const assets = new Set<number>();
  view.forEachAsset((a) => assets.add(a));
  const accounts = new Set<number>([...tracker.accounts, view.feeAccountId]);
  if (options.walkAccounts ?? true) {
    const walked = new Set<number>();
    view.forEachAccount((id) => walked.add(id));
    for (const id of accounts)
      if (!walked.has(id)) bad(`account ${id}: added but not in the state`);
    for (const id of walked)
      if (!accounts.has(id)) bad(`account ${id}: in the state but never added`);
  }

  const markets: { cfg: MarketConfig; status: MarketStatus }[] = [];
  view.forEachMarket((cfg, status) => markets.push({ cfg: { ...cfg }, status }));

  // Expected locks: `${account}:${asset}` -> atoms (BigInt: sums can pass 2^53 in a bad state).
  const expectedLocked = new Map<string, bigint>();
  const addLock = (account: number, asset: number, amount: bigint) => {
    const key = `${account}:${asset}`;
    expectedLocked.set(key, (expectedLocked.get(key) ?? 0n) + amount);
  };
  const seenOrderIds = new Set<number>();
  const clientIds = new Set<string>();
  const levels = new Map<string, { qty: number; count: number }>();

  for (const { cfg } of markets) {
    const bestPrice: Record<number, number | undefined> = {};
    for (const side of [Side.BUY, Side.SELL]) {
      let prev: RestingOrderView | undefined;
      let prevEntry = 0;
      view.forEachRestingOrder(cfg.marketId, side, (o) => {
        const where = `market ${cfg.marketId} side ${side} order ${o.orderId}`;
        if (bestPrice[side] === undefined) bestPrice[side] = o.priceTicks;
        if (o.marketId !== cfg.marketId || o.side !== side) {
          bad(`${where}: listed under the wrong market/side (${o.marketId}/${o.side})`);
        }
        if (!Number.isSafeInteger(o.orderId) || o.orderId < 1 || o.orderId >= view.nextOrderId) {
          bad(`${where}: orderId outside 1..nextOrderId-1 (${view.nextOrderId})`);
        }
        if (seenOrderIds.has(o.orderId)) bad(`${where}: orderId rests twice`);
        seenOrderIds.add(o.orderId);
        if (!accounts.has(o.accountId) || o.accountId === view.feeAccountId) {
          bad(`${where}: account ${o.accountId} unknown or the fee account`);
        }
        if (!(Number.isSafeInteger(o.priceTicks) && o.priceTicks >= 1)) {
          bad(`${where}: price ${o.priceTicks} not a positive integer`);
        }
        if (o.priceTicks > cfg.maxPriceTicks) {
          bad(`${where}: price ${o.priceTicks} > maxPriceTicks ${cfg.maxPriceTicks}`);
        }
        if (!isSafeNonNeg(o.filledLots) || !isSafeNonNeg(o.remainingLots)) {
          bad(`${where}: filled ${o.filledLots} / remaining ${o.remainingLots} not integers >= 0`);
        }
        if (o.remainingLots <= 0) bad(`${where}: rests with remaining ${o.remainingLots}`);
        if (o.filledLots + o.remainingLots !== o.qtyLots) {
          bad(
            `${where}: filled ${o.filledLots} + remaining ${o.remainingLots} != qty ${o.qtyLots}`,
          );
        }
        if (o.qtyLots > cfg.maxQtyLots) bad(`${where}: qty ${o.qtyLots} > maxQtyLots`);
        if (o.timeInForce !== TimeInForce.GTC) bad(`${where}: rests with tif ${o.timeInForce}`);
        if (o.stpMode < 1 || o.stpMode > 5) bad(`${where}: effective stpMode ${o.stpMode}`);
        if (o.clientOrderId !== '') {
          const k = `${o.accountId}:${o.clientOrderId}`;
          if (clientIds.has(k)) bad(`${where}: clientOrderId ${o.clientOrderId} not unique`);
          clientIds.add(k);
        }
        // Priority: price, then time of (re-)entry.
        const entry = tracker.entryOf.get(o.orderId);
        if (entry === undefined) bad(`${where}: no entry to the book seen in the events`);
        if (prev !== undefined) {
          const worse =
            side === Side.BUY ? o.priceTicks > prev.priceTicks : o.priceTicks < prev.priceTicks;
          if (worse) bad(`${where}: price ${o.priceTicks} out of priority order`);
          if (
            o.priceTicks === prev.priceTicks &&
            entry !== undefined &&
            prevEntry !== 0 &&
            entry <= prevEntry
          ) {
            bad(`${where}: FIFO broken (after order ${prev.orderId} that entered later)`);
          }
        }
        prev = o;
        prevEntry = entry ?? 0;
        // Locks.
        if (side === Side.BUY) {
          addLock(
            o.accountId,
            cfg.quoteAssetId,
            BigInt(o.priceTicks) * BigInt(o.remainingLots) * BigInt(cfg.quoteAtomsPerTickLot),
          );
        } else {
          addLock(
            o.accountId,
            cfg.baseAssetId,
            BigInt(o.remainingLots) * BigInt(cfg.baseAtomsPerLot),
          );
        }
        const lk = `${cfg.marketId}:${side}:${o.priceTicks}`;
        const lv = levels.get(lk) ?? { qty: 0, count: 0 };
        lv.qty += o.remainingLots;
        lv.count += 1;
        levels.set(lk, lv);
      });
    }
    const bid = bestPrice[Side.BUY];
    const ask = bestPrice[Side.SELL];
    if (bid !== undefined && ask !== undefined && bid >= ask) {
      bad(`market ${cfg.marketId}: crossed book (best bid ${bid} >= best ask ${ask})`);
    }
  }

  // Levels as the BOOK_LEVEL events describe them.
  for (const [key, lv] of levels) {
    const seen = tracker.levels.get(key);
    if (seen !== `${lv.qty}:${lv.count}`) {
      bad(`level ${key}: state ${lv.qty}:${lv.count}, BOOK_LEVEL events say ${seen ?? 'none'}`);
    }
  }
  for (const [key, seen] of tracker.levels) {
    if (!levels.has(key)) bad(`level ${key}: BOOK_LEVEL events say ${seen}, state has none`);
  }

  // Pending withdrawals hold their amounts locked.
  const withdrawalRefs = new Set<number>();
  view.forEachWithdrawalRef((r) => withdrawalRefs.add(r));
  view.forEachPendingWithdrawal((refId, accountId, assetId, amount) => {
    if (!withdrawalRefs.has(refId)) bad(`withdrawal ${refId}: pending but not a known ref`);
    if (!accounts.has(accountId) || !assets.has(assetId)) {
      bad(`withdrawal ${refId}: unknown account ${accountId} or asset ${assetId}`);
    }
    if (!(Number.isSafeInteger(amount) && amount > 0)) bad(`withdrawal ${refId}: amount ${amount}`);
    addLock(accountId, assetId, BigInt(amount));
  });

  // Balances: non-negative, safe, locks exact, and as the BALANCE events say.
  const totals = new Map<number, bigint>();
  const seenBalances = new Set<string>();
  view.forEachBalance((accountId, assetId, available, locked) => {
    const key = `${accountId}:${assetId}`;
    seenBalances.add(key);
    if (!accounts.has(accountId) || !assets.has(assetId)) {
      bad(`balance ${key}: unknown account or asset`);
    }
    if (!isSafeNonNeg(available) || !isSafeNonNeg(locked)) {
      bad(`balance ${key}: available ${available} / locked ${locked} not safe integers >= 0`);
    }
    if (available + locked > MAX_SAFE) bad(`balance ${key}: available + locked > 2^53-1`);
    const expected = expectedLocked.get(key) ?? 0n;
    if (BigInt(locked) !== expected) {
      bad(`balance ${key}: locked ${locked} but open orders and withdrawals hold ${expected}`);
    }
    const seen = tracker.balances.get(key);
    if (seen !== `${available}:${locked}`) {
      bad(`balance ${key}: state ${available}:${locked}, BALANCE events say ${seen ?? 'none'}`);
    }
    totals.set(assetId, (totals.get(assetId) ?? 0n) + BigInt(available) + BigInt(locked));
  });
  for (const [key, amount] of expectedLocked) {
    if (amount !== 0n && !seenBalances.has(key)) {
      bad(`balance ${key}: no balance, but open orders and withdrawals hold ${amount}`);
    }
  }
  for (const [key, seen] of tracker.balances) {
    if (!seenBalances.has(key)) bad(`balance ${key}: BALANCE events say ${seen}, state has none`);
  }

  // Conservation per asset.
  const allAssets = new Set<number>([
    ...totals.keys(),
    ...tracker.deposited.keys(),
    ...tracker.withdrawn.keys(),
  ]);
  for (const asset of allAssets) {
    const held = totals.get(asset) ?? 0n;
    const expected = (tracker.deposited.get(asset) ?? 0n) - (tracker.withdrawn.get(asset) ?? 0n);
    if (held !== expected) {
      bad(`asset ${asset}: balances sum to ${held}, deposits - withdrawals = ${expected}`);
    }
  }
  return out;
}
