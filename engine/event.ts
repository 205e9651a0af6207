// Events are what the engine decided. One Event class with a fixed shape
// (monomorphic for V8) is reused from a pool by the fast engine; which fields
// mean something depends on `kind` (see EVENT_FIELDS). Read them only through
// that table, or through eventToPlain() for tests, the journal and reports.
import type { CommandKind } from './types';

export const enum EventKind {
  ORDER_ACCEPTED = 1,
  ORDER_REJECTED = 2,
  TRADE = 3,
  ORDER_CANCELED = 4,
  ORDER_EXPIRED = 5,
  ORDER_AMENDED = 6,
  SELF_TRADE_PREVENTED = 7,
  BOOK_LEVEL = 8,
  BALANCE = 9,
  DEPOSITED = 10,
  WITHDRAWAL_LOCKED = 11,
  WITHDRAWAL_FINALIZED = 12,
  WITHDRAWAL_RELEASED = 13,
  FEES_SET = 14,
  ASSET_ADDED = 15,
  ACCOUNT_ADDED = 16,
  MARKET_ADDED = 17,
  MARKET_STATUS_SET = 18,
  DEAD_MAN_SWITCH_SET = 19,
  DEAD_MAN_SWITCH_FIRED = 20,
}

/** Flag bits of Event.flags. */
export const FLAG_POST_ONLY = 1;
/** ORDER_AMENDED: the order kept its place in the queue. */
export const FLAG_KEPT_PRIORITY = 2;

export class Event {
  // Declared hottest first (BALANCE, BOOK_LEVEL, then order events): the
  // fields one event kind writes share as few cache lines as possible.
  kind: EventKind = 0 as EventKind;
  /** Sequence number of the command that produced it. */
  seq = 0;
  accountId = 0;
  assetId = 0;
  availableAtoms = 0;
  lockedAtoms = 0;
  marketId = 0;
  side = 0;
  priceTicks = 0;
  qtyLots = 0;
  orderCount = 0;
  orderId = 0;
  clientOrderId = '';
  quoteAtoms = 0;
  reason = 0;
  flags = 0;
  remainingLots = 0;
  orderType = 0;
  timeInForce = 0;
  stpMode = 0;
  tradeId = 0;
  makerOrderId = 0;
  makerAccountId = 0;
  makerRemainingLots = 0;
  takerFeeAtoms = 0;
  makerFeeAtoms = 0;
  commandKind: CommandKind = 0 as CommandKind;
  amountAtoms = 0;
  refId = 0;
  makerFeeBps = 0;
  takerFeeBps = 0;
  status = 0;
  /** DEAD_MAN_SWITCH_SET: the timeout armed (0 = disarmed). */
  timeoutMs = 0;
  /** DEAD_MAN_SWITCH_SET / _FIRED: when the switch fires, in microseconds (0 = disarmed). */
  deadlineUs = 0;
}

export type Field = Exclude<keyof Event, 'kind' | 'seq'>;

/**
 * The fields each kind carries, in the order the journal encodes them.
 * ORDER_ACCEPTED: priceTicks is the limit price, or for a market order its
 *   protection price; qtyLots 0 and quoteAtoms = budget for quote-budget orders.
 * ORDER_REJECTED: orderId is the target of a cancel/amend (0 otherwise);
 *   refId the reference of a balance command.
 * TRADE: orderId/accountId/side are the taker's; quoteAtoms the notional;
 *   remainingLots the taker's leaves after the fill (0 for quote-budget orders);
 *   fees in atoms of the asset each side receives; makerFeeAtoms < 0 is a rebate paid.
 * ORDER_CANCELED / ORDER_EXPIRED: qtyLots = leaves removed; quoteAtoms =
 *   unspent budget of a quote-budget market order.
 * ORDER_AMENDED: priceTicks/qtyLots the new price and total quantity,
 *   remainingLots the new leaves; FLAG_KEPT_PRIORITY.
 * SELF_TRADE_PREVENTED: orderId/accountId the taker, qtyLots the overlap
 *   (what would have traded; for DECREMENT what both lost).
 * BOOK_LEVEL: absolute qtyLots and orderCount at the level after the command
 *   (0 deletes it).
 * BALANCE: absolute available and locked after the command.
 * DEAD_MAN_SWITCH_SET: the switch (marketId 0 = every market) and its
 *   timeoutMs and deadlineUs (both 0 when disarmed).
 * DEAD_MAN_SWITCH_FIRED: the switch that fired and the deadline it had; its
 *   ORDER_CANCELED(DEAD_MAN_SWITCH) events follow.
 */
export const EVENT_FIELDS: Readonly<Record<EventKind, readonly Field[]>> = {
  [EventKind.ORDER_ACCEPTED]: [
    'orderId',
    'accountId',
    'marketId',
    'side',
    'orderType',
    'timeInForce',
    'stpMode',
    'flags',
    'priceTicks',
    'qtyLots',
    'quoteAtoms',
    'clientOrderId',
  ],
  [EventKind.ORDER_REJECTED]: [
    'commandKind',
    'reason',
    'accountId',
    'marketId',
    'orderId',
    'refId',
    'clientOrderId',
  ],
  [EventKind.TRADE]: [
    'tradeId',
    'marketId',
    'orderId',
    'accountId',
    'side',
    'makerOrderId',
    'makerAccountId',
    'priceTicks',
    'qtyLots',
    'quoteAtoms',
    'remainingLots',
    'makerRemainingLots',
    'takerFeeAtoms',
    'makerFeeAtoms',
  ],
  [EventKind.ORDER_CANCELED]: [
    'orderId',
    'accountId',
    'marketId',
    'reason',
    'qtyLots',
    'quoteAtoms',
    'clientOrderId',
  ],
  [EventKind.ORDER_EXPIRED]: [
    'orderId',
    'accountId',
    'marketId',
    'reason',
    'qtyLots',
    'quoteAtoms',
    'clientOrderId',
  ],
  [EventKind.ORDER_AMENDED]: [
    'orderId',
    'accountId',
    'marketId',
    'priceTicks',
    'qtyLots',
    'remainingLots',
    'flags',
    'clientOrderId',
  ],
  [EventKind.SELF_TRADE_PREVENTED]: [
    'marketId',
    'orderId',
    'accountId',
    'makerOrderId',
    'stpMode',
    'qtyLots',
  ],
  [EventKind.BOOK_LEVEL]: ['marketId', 'side', 'priceTicks', 'qtyLots', 'orderCount'],
  [EventKind.BALANCE]: ['accountId', 'assetId', 'availableAtoms', 'lockedAtoms'],
  [EventKind.DEPOSITED]: ['accountId', 'assetId', 'amountAtoms', 'refId'],
  [EventKind.WITHDRAWAL_LOCKED]: ['accountId', 'assetId', 'amountAtoms', 'refId'],
  [EventKind.WITHDRAWAL_FINALIZED]: ['accountId', 'assetId', 'amountAtoms', 'refId'],
  [EventKind.WITHDRAWAL_RELEASED]: ['accountId', 'assetId', 'amountAtoms', 'refId'],
  [EventKind.FEES_SET]: ['accountId', 'makerFeeBps', 'takerFeeBps'],
  [EventKind.ASSET_ADDED]: ['assetId'],
  [EventKind.ACCOUNT_ADDED]: ['accountId', 'makerFeeBps', 'takerFeeBps'],
  [EventKind.MARKET_ADDED]: ['marketId'],
  [EventKind.MARKET_STATUS_SET]: ['marketId', 'status'],
  [EventKind.DEAD_MAN_SWITCH_SET]: ['accountId', 'marketId', 'timeoutMs', 'deadlineUs'],
  [EventKind.DEAD_MAN_SWITCH_FIRED]: ['accountId', 'marketId', 'deadlineUs'],
};

/**
 * The fast engine's event log (event-buffer.ts) stores each event as one
 * record of doubles: [kind, seq, then the numeric fields of EVENT_FIELDS[kind]
 * in that order] (clientOrderId, the one string, is kept beside it). These
 * are the offsets the engine writes at; SIZE is the record length. The
 * reader derives its offsets from EVENT_FIELDS, and a test checks that both
 * agree for every kind and field.
 */
export const enum AcceptedRec {
  orderId = 2,
  accountId,
  marketId,
  side,
  orderType,
  timeInForce,
  stpMode,
  flags,
  priceTicks,
  qtyLots,
  quoteAtoms,
  SIZE,
}
export const enum RejectedRec {
  commandKind = 2,
  reason,
  accountId,
  marketId,
  orderId,
  refId,
  SIZE,
}
export const enum TradeRec {
  tradeId = 2,
  marketId,
  orderId,
  accountId,
  side,
  makerOrderId,
  makerAccountId,
  priceTicks,
  qtyLots,
  quoteAtoms,
  remainingLots,
  makerRemainingLots,
  takerFeeAtoms,
  makerFeeAtoms,
  SIZE,
}
/** ORDER_CANCELED and ORDER_EXPIRED. */
export const enum OutRec {
  orderId = 2,
  accountId,
  marketId,
  reason,
  qtyLots,
  quoteAtoms,
  SIZE,
}
export const enum AmendedRec {
  orderId = 2,
  accountId,
  marketId,
  priceTicks,
  qtyLots,
  remainingLots,
  flags,
  SIZE,
}
export const enum StpRec {
  marketId = 2,
  orderId,
  accountId,
  makerOrderId,
  stpMode,
  qtyLots,
  SIZE,
}
export const enum LevelRec {
  marketId = 2,
  side,
  priceTicks,
  qtyLots,
  orderCount,
  SIZE,
}
export const enum BalanceRec {
  accountId = 2,
  assetId,
  availableAtoms,
  lockedAtoms,
  SIZE,
}
/** DEPOSITED and the three WITHDRAWAL_* kinds. */
export const enum FundsRec {
  accountId = 2,
  assetId,
  amountAtoms,
  refId,
  SIZE,
}
/** FEES_SET and ACCOUNT_ADDED. */
export const enum FeesRec {
  accountId = 2,
  makerFeeBps,
  takerFeeBps,
  SIZE,
}
/** ASSET_ADDED (assetId) and MARKET_ADDED (marketId). */
export const enum IdRec {
  id = 2,
  SIZE,
}
export const enum StatusRec {
  marketId = 2,
  status,
  SIZE,
}
export const enum DmsSetRec {
  accountId = 2,
  marketId,
  timeoutMs,
  deadlineUs,
  SIZE,
}
export const enum DmsFiredRec {
  accountId = 2,
  marketId,
  deadlineUs,
  SIZE,
}

export type PlainEvent = { kind: EventKind; seq: number } & Partial<Record<Field, number | string>>;

/** A detached copy holding only the fields its kind defines. */
export function eventToPlain(ev: Event): PlainEvent {
  const out: PlainEvent = { kind: ev.kind, seq: ev.seq };
  const fields = EVENT_FIELDS[ev.kind];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    (out as Record<string, number | string>)[f] = ev[f] as number | string;
  }
  return out;
}

/** Where an engine appends its events; the caller drains it (once per batch). */
export interface EventSink {
  readonly count: number;
  /** The event at `index` (until the next clear()). */
  at(index: number): Event;
  /**
   * The same, possibly as ONE shared object re-pointed at each call (no
   * allocation): read it before the next view() call. For hot loops.
   */
  view(index: number): Event;
  clear(): void;
}
