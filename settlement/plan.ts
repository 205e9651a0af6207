// Journal entries -> the rows one job writes: trades, ledger entries (double
// entry, deterministic ids), the latest absolute balance per ledger account,
// deposit and withdrawal outcomes, and the events of every order touched.
// Pure (no I/O): apply.ts resolves references first and writes the result.
//
// Ledger legs of a fill of q lots at p (buyer B, seller S, fee account F;
// G = q x baseAtomsPerLot base atoms, N = the notional in quote atoms;
// bf / sf = the fee the buyer / seller pays in what it receives, negative =
// a rebate paid by F):
//   base  transfer (seq, event, 0):  leg 0 debit S G         (trade)
//                                    leg 1 credit B G - bf   (trade)
//                                    leg 2 credit F bf       (fee)    or debit F -bf (rebate)
//   quote transfer (seq, event, 1):  leg 3 debit B N         (trade)
//                                    leg 4 credit S N - sf   (trade)
//                                    leg 5 credit F sf       (fee)    or debit F -sf (rebate)
// Deposits: debit treasury, credit the account; a finalized withdrawal: debit
// the account, credit treasury. Zero legs are left out; every transfer sums
// to zero per asset, so all entries of an asset always sum to zero.
import { CommandKind, EventKind, Side, StpMode } from '../engine/enums';
import { atomsToDecimal, timesUnit } from './amounts';
import { SettlementError } from './errors';
import { IdKind, orderUuid, tradeUuid, uuidHead, uuidWith } from './ids';
import type { JEntry, JEvent } from './journal';
import type { ReferenceData } from './reference-data';

export type EntryRefType = 'trade' | 'fee' | 'rebate' | 'deposit' | 'withdrawal';

/** Ledger entries, column-wise (what unnest() takes). */
export class EntryColumns {
  readonly id: string[] = [];
  /** "accountUuid|asset": resolved to ledger_accounts.id by apply.ts. */
  readonly ledgerKey: string[] = [];
  readonly entryType: string[] = [];
  readonly amount: string[] = [];
  readonly refType: string[] = [];
  /** trades.id, or '' until apply.ts finds the deposits / withdrawals row. */
  readonly refId: string[] = [];
  readonly seq: number[] = [];
  readonly transferId: string[] = [];
  /** created_at: the command's journal time, ISO 8601 with microseconds. */
  readonly time: string[] = [];
  get length(): number {
    return this.id.length;
  }
}

export class TradeColumns {
  readonly id: string[] = [];
  readonly symbol: string[] = [];
  readonly makerOrderId: string[] = [];
  readonly takerOrderId: string[] = [];
  readonly price: string[] = [];
  readonly quantity: string[] = [];
  /** executed_at: the command's journal time, ISO 8601 with microseconds. */
  readonly time: string[] = [];
  readonly engineTradeId: number[] = [];
  readonly seq: number[] = [];
  readonly makerAccountId: string[] = [];
  readonly takerAccountId: string[] = [];
  readonly takerSide: string[] = [];
  readonly makerFee: string[] = [];
  readonly takerFee: string[] = [];
  readonly makerFeeAsset: string[] = [];
  readonly takerFeeAsset: string[] = [];
  get length(): number {
    return this.id.length;
  }
}

export interface BalanceValue {
  available: string;
  locked: string;
  seq: number;
}

/** A deposit or withdrawal reference whose ledger entries need the request row's id. */
export interface RefUse {
  kind: 'deposit' | 'withdrawal';
  refId: number;
  /** Index into EntryColumns. */
  entries: number[];
  accountUuid: string;
  asset: string;
  amount: string;
}

export interface OrderTouch {
  ev: JEvent;
  seq: number;
  timeUs: number;
}

export interface Plan {
  readonly shard: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly commands: number;
  readonly trades: TradeColumns;
  readonly entries: EntryColumns;
  /** Latest BALANCE per "accountUuid|asset" in the job. */
  readonly balances: Map<string, BalanceValue>;
  readonly refUses: RefUse[];
  /** DEPOSITED: engine ref -> seq. */
  readonly depositsCredited: Map<number, number>;
  /** Rejected DEPOSIT commands: engine ref -> seq. */
  readonly depositsRejected: Map<number, number>;
  /** Latest withdrawal outcome per engine ref in the job. */
  readonly withdrawals: Map<number, { status: 'locked' | 'completed' | 'released'; seq: number }>;
  /** Rejected WITHDRAW_LOCK commands: engine ref -> seq. */
  readonly withdrawalsRejected: Map<number, number>;
  /** Every order event, per engine order id, in journal order. */
  readonly orderEvents: Map<number, OrderTouch[]>;
}

/** Engine ids the entries mention, for ReferenceData.resolve(). */
export function referencedIds(entries: readonly JEntry[]): {
  accounts: Set<number>;
  assets: Set<number>;
  markets: Set<number>;
} {
  const accounts = new Set<number>();
  const assets = new Set<number>();
  const markets = new Set<number>();
  for (const e of entries) {
    for (const c of e.commands) {
      for (const ev of c.events) {
        switch (ev.kind) {
          case EventKind.ORDER_ACCEPTED:
            accounts.add(ev.accountId);
            markets.add(ev.marketId);
            break;
          case EventKind.TRADE:
            accounts.add(ev.accountId);
            accounts.add(ev.makerAccountId);
            markets.add(ev.marketId);
            break;
          case EventKind.BALANCE:
          case EventKind.DEPOSITED:
          case EventKind.WITHDRAWAL_FINALIZED:
            accounts.add(ev.accountId);
            assets.add(ev.assetId);
            break;
          default:
        }
      }
    }
  }
  return { accounts, assets, markets };
}

/** Microseconds since the epoch as ISO 8601 text, exactly (Postgres keeps microseconds). */
let isoSecond = Number.NaN;
let isoPrefix = '';

export function isoMicros(us: number): string {
  const sec = Math.floor(us / 1_000_000);
  if (sec !== isoSecond) {
    isoSecond = sec;
    isoPrefix = new Date(sec * 1000).toISOString().slice(0, 20); // YYYY-MM-DDTHH:MM:SS.
  }
  const frac = String(us - sec * 1_000_000);
  return `${isoPrefix}${'000000'.slice(frac.length)}${frac}Z`;
}

function ledgerKey(accountUuid: string, asset: string): string {
  return `${accountUuid}|${asset}`;
}

function touch(map: Map<number, OrderTouch[]>, orderId: number, t: OrderTouch): void {
  let list = map.get(orderId);
  if (list === undefined) {
    list = [];
    map.set(orderId, list);
  }
  list.push(t);
}

/** Builds the rows of the given (already claimed) entries. References must be resolved. */
export function buildPlan(shard: number, entries: readonly JEntry[], refs: ReferenceData): Plan {
  const trades = new TradeColumns();
  const le = new EntryColumns();
  const balances = new Map<string, BalanceValue>();
  const refUses: RefUse[] = [];
  const depositsCredited = new Map<number, number>();
  const depositsRejected = new Map<number, number>();
  const withdrawals = new Map<
    number,
    { status: 'locked' | 'completed' | 'released'; seq: number }
  >();
  const withdrawalsRejected = new Map<number, number>();
  const orderEvents = new Map<number, OrderTouch[]>();
  const fee = refs.feeAccount;
  const treasury = refs.treasuryAccount;
  let commands = 0;

  // Per event: the id prefixes of its legs and transfers (legs differ only in the last digits).
  let entryHead = '';
  let transferHead = '';
  const heads = (seq: number, ev: JEvent) => {
    entryHead = uuidHead(IdKind.ENTRY, shard, seq, ev.index);
    transferHead = uuidHead(IdKind.TRANSFER, shard, seq, ev.index);
  };
  const keyCache = new Map<string, Map<string, string>>();
  const ledgerKeyOf = (accountUuid: string, asset: string): string => {
    let m = keyCache.get(accountUuid);
    if (m === undefined) {
      m = new Map();
      keyCache.set(accountUuid, m);
    }
    let k = m.get(asset);
    if (k === undefined) {
      k = ledgerKey(accountUuid, asset);
      m.set(asset, k);
    }
    return k;
  };

  const leg = (
    seq: number,
    legNo: number,
    transferNo: number,
    key: string,
    type: 'debit' | 'credit',
    atoms: number,
    precision: number,
    refType: EntryRefType,
    refId: string,
    time: string,
  ): number => {
    if (atoms === 0) return -1;
    if (!(atoms > 0) || !Number.isSafeInteger(atoms)) {
      throw new SettlementError(
        'E_SETTLEMENT_INVARIANT',
        `seq ${seq}: ledger leg of ${atoms} atoms`,
      );
    }
    le.id.push(uuidWith(entryHead, legNo));
    le.ledgerKey.push(key);
    le.entryType.push(type);
    le.amount.push(atomsToDecimal(atoms, precision));
    le.refType.push(refType);
    le.refId.push(refId);
    le.seq.push(seq);
    le.transferId.push(uuidWith(transferHead, transferNo));
    le.time.push(time);
    return le.id.length - 1;
  };

  for (const entry of entries) {
    for (const cmd of entry.commands) {
      commands++;
      const seq = cmd.seq;
      const t = cmd.timeUs;
      const iso = isoMicros(t);
      for (const ev of cmd.events) {
        switch (ev.kind) {
          case EventKind.ORDER_ACCEPTED:
          case EventKind.ORDER_CANCELED:
          case EventKind.ORDER_EXPIRED:
          case EventKind.ORDER_AMENDED:
            touch(orderEvents, ev.orderId, { ev, seq, timeUs: t });
            break;
          case EventKind.SELF_TRADE_PREVENTED:
            if (ev.stpMode === StpMode.DECREMENT) {
              touch(orderEvents, ev.orderId, { ev, seq, timeUs: t });
              touch(orderEvents, ev.makerOrderId, { ev, seq, timeUs: t });
            }
            break;
          case EventKind.TRADE: {
            touch(orderEvents, ev.orderId, { ev, seq, timeUs: t });
            touch(orderEvents, ev.makerOrderId, { ev, seq, timeUs: t });
            const m = refs.market(ev.marketId);
            const expected =
              BigInt(ev.priceTicks) * BigInt(ev.qtyLots) * BigInt(m.quoteAtomsPerTickLot);
            if (BigInt(ev.quoteAtoms) !== expected) {
              throw new SettlementError(
                'E_SETTLEMENT_INVARIANT',
                `seq ${seq} trade ${ev.tradeId}: notional ${ev.quoteAtoms} != ${ev.priceTicks} x ${ev.qtyLots} x ${m.quoteAtomsPerTickLot}: market ${m.symbol} in Postgres does not match the engine's`,
              );
            }
            const taker = refs.account(ev.accountId);
            const maker = refs.account(ev.makerAccountId);
            const takerBuys = ev.side === Side.BUY;
            const buyer = takerBuys ? taker : maker;
            const seller = takerBuys ? maker : taker;
            const bf = takerBuys ? ev.takerFeeAtoms : ev.makerFeeAtoms;
            const sf = takerBuys ? ev.makerFeeAtoms : ev.takerFeeAtoms;
            const g = ev.qtyLots * m.baseAtomsPerLot;
            const n = ev.quoteAtoms;
            const tid = tradeUuid(shard, ev.tradeId);
            heads(seq, ev);
            const base = m.base;
            const quote = m.quote;
            const bp = base.precision;
            const qp = quote.precision;
            // base
            leg(seq, 0, 0, ledgerKeyOf(seller.id, base.symbol), 'debit', g, bp, 'trade', tid, iso);
            leg(
              seq,
              1,
              0,
              ledgerKeyOf(buyer.id, base.symbol),
              'credit',
              g - bf,
              bp,
              'trade',
              tid,
              iso,
            );
            if (bf >= 0)
              leg(seq, 2, 0, ledgerKeyOf(fee.id, base.symbol), 'credit', bf, bp, 'fee', tid, iso);
            else
              leg(
                seq,
                2,
                0,
                ledgerKeyOf(fee.id, base.symbol),
                'debit',
                -bf,
                bp,
                'rebate',
                tid,
                iso,
              );
            // quote
            leg(seq, 3, 1, ledgerKeyOf(buyer.id, quote.symbol), 'debit', n, qp, 'trade', tid, iso);
            leg(
              seq,
              4,
              1,
              ledgerKeyOf(seller.id, quote.symbol),
              'credit',
              n - sf,
              qp,
              'trade',
              tid,
              iso,
            );
            if (sf >= 0)
              leg(seq, 5, 1, ledgerKeyOf(fee.id, quote.symbol), 'credit', sf, qp, 'fee', tid, iso);
            else
              leg(
                seq,
                5,
                1,
                ledgerKeyOf(fee.id, quote.symbol),
                'debit',
                -sf,
                qp,
                'rebate',
                tid,
                iso,
              );

            const makerAsset = takerBuys ? quote : base;
            const takerAsset = takerBuys ? base : quote;
            trades.id.push(tid);
            trades.symbol.push(m.symbol);
            trades.makerOrderId.push(orderUuid(shard, ev.makerOrderId));
            trades.takerOrderId.push(orderUuid(shard, ev.orderId));
            trades.price.push(timesUnit(ev.priceTicks, m.tickSize));
            trades.quantity.push(timesUnit(ev.qtyLots, m.lotSize));
            trades.time.push(iso);
            trades.engineTradeId.push(ev.tradeId);
            trades.seq.push(seq);
            trades.makerAccountId.push(maker.id);
            trades.takerAccountId.push(taker.id);
            trades.takerSide.push(takerBuys ? 'buy' : 'sell');
            trades.makerFee.push(atomsToDecimal(ev.makerFeeAtoms, makerAsset.precision));
            trades.takerFee.push(atomsToDecimal(ev.takerFeeAtoms, takerAsset.precision));
            trades.makerFeeAsset.push(makerAsset.symbol);
            trades.takerFeeAsset.push(takerAsset.symbol);
            break;
          }
          case EventKind.BALANCE: {
            const acc = refs.account(ev.accountId);
            const asset = refs.asset(ev.assetId);
            if (acc.type === 'treasury') {
              throw new SettlementError(
                'E_SETTLEMENT_INVARIANT',
                `seq ${seq}: engine account ${ev.accountId} is the treasury account in Postgres`,
              );
            }
            balances.set(ledgerKeyOf(acc.id, asset.symbol), {
              available: atomsToDecimal(ev.availableAtoms, asset.precision),
              locked: atomsToDecimal(ev.lockedAtoms, asset.precision),
              seq,
            });
            break;
          }
          case EventKind.DEPOSITED:
          case EventKind.WITHDRAWAL_FINALIZED: {
            const acc = refs.account(ev.accountId);
            const asset = refs.asset(ev.assetId);
            const deposit = ev.kind === EventKind.DEPOSITED;
            const refType = deposit ? 'deposit' : 'withdrawal';
            const a = ledgerKeyOf(acc.id, asset.symbol);
            const tr = ledgerKeyOf(treasury.id, asset.symbol);
            heads(seq, ev);
            const p = asset.precision;
            const i0 = leg(
              seq,
              0,
              0,
              deposit ? tr : a,
              'debit',
              ev.amountAtoms,
              p,
              refType,
              '',
              iso,
            );
            const i1 = leg(
              seq,
              1,
              0,
              deposit ? a : tr,
              'credit',
              ev.amountAtoms,
              p,
              refType,
              '',
              iso,
            );
            refUses.push({
              kind: refType,
              refId: ev.refId,
              entries: [i0, i1].filter((i) => i >= 0),
              accountUuid: acc.id,
              asset: asset.symbol,
              amount: atomsToDecimal(ev.amountAtoms, p),
            });
            if (deposit) depositsCredited.set(ev.refId, seq);
            else withdrawals.set(ev.refId, { status: 'completed', seq });
            break;
          }
          case EventKind.WITHDRAWAL_LOCKED:
            withdrawals.set(ev.refId, { status: 'locked', seq });
            break;
          case EventKind.WITHDRAWAL_RELEASED:
            withdrawals.set(ev.refId, { status: 'released', seq });
            break;
          case EventKind.ORDER_REJECTED:
            if (ev.refId > 0 && ev.commandKind === CommandKind.DEPOSIT)
              depositsRejected.set(ev.refId, seq);
            else if (ev.refId > 0 && ev.commandKind === CommandKind.WITHDRAW_LOCK) {
              withdrawalsRejected.set(ev.refId, seq);
            }
            break;
          default:
        }
      }
    }
  }
  const first = entries[0];
  const last = entries[entries.length - 1];
  return {
    shard,
    firstSeq: first === undefined ? 0 : first.firstSeq,
    lastSeq: last === undefined ? 0 : last.lastSeq,
    commands,
    trades,
    entries: le,
    balances,
    refUses,
    depositsCredited,
    depositsRejected,
    withdrawals,
    withdrawalsRejected,
    orderEvents,
  };
}
