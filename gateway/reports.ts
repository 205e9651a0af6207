// Execution reports from engine events. One ReportBuilder folds a shard's
// commands, in seq order, into per-open-order state (price, quantity, filled,
// cumulative quote) and turns each order event into ExecutionReports.
//
// report_seq = engine seq * REPORT_SEQ_MULTIPLIER + ordinal of the report
// among this account's reports of that command. Which reports a command
// produces depends only on its events (never on what state the builder
// happens to hold), so any builder that reads the same commands numbers the
// same reports the same way: live delivery and a replay from the journal
// agree. Sequences are monotonic per account per shard, with gaps.

import { EventKind } from '../engine/event';
import { CommandKind } from '../engine/types';
import { exchange } from '../proto';
import { REPORT_SEQ_MULTIPLIER } from './limits';

const v1 = exchange.v1;
const ExecType = v1.ExecType;
const OrderStatus = v1.OrderStatus;

/** One command as it reaches the gateway (from the link or the journal). */
export interface FeedCommand {
  readonly seq: number;
  readonly timeUs: number;
  readonly events: readonly exchange.v1.IEvent[];
}

/** The state of one order the gateway knows (open, or closed within the current command). */
export class OrderState {
  filledLots = 0;
  cumQuoteAtoms = 0;
  constructor(
    readonly orderId: number,
    readonly accountId: number,
    readonly marketId: number,
    readonly side: number,
    readonly orderType: number,
    readonly timeInForce: number,
    public priceTicks: number,
    public qtyLots: number,
    /** Market order by quote budget: lots are not known in advance. */
    readonly byQuoteBudget: boolean,
    readonly clientOrderId: string,
    readonly acceptSeq: number,
  ) {}

  get remainingLots(): number {
    return this.byQuoteBudget ? 0 : Math.max(0, this.qtyLots - this.filledLots);
  }
}

/** Receives each report with the account it belongs to. */
export type ReportSink = (report: exchange.v1.IExecutionReport) => void;

/** Fee asset of a fill: what the side receives (buyer: base, seller: quote). */
export type FeeAssetResolver = (marketId: number, side: number) => number;

/** Whether anyone takes `accountId`'s reports now. */
export type ReportWants = (accountId: number) => boolean;

const everyAccount: ReportWants = () => true;

export class ReportBuilder {
  /** Open orders by id. */
  readonly orders = new Map<number, OrderState>();
  /** Newest report_seq per account. */
  readonly lastReportSeq = new Map<number, number>();
  /** Sparse index: every ~256th accepted order id with its accept seq (for replays). */
  readonly acceptIndexIds: number[] = [];
  readonly acceptIndexSeqs: number[] = [];
  /** Reports per account within the current command (arrays: a Map cleared per command allocated a table each time). */
  private readonly ordinalAccounts: number[] = [];
  private readonly ordinalCounts: number[] = [];
  private nOrdinals = 0;
  private readonly endOfCommand: OrderState[] = [];

  /**
   * accountFilter: build state and reports for that account only (replays);
   * 0 = every account (the live builder).
   */
  constructor(
    private readonly feeAsset: FeeAssetResolver,
    private readonly accountFilter = 0,
    private readonly maxOrders = Number.MAX_SAFE_INTEGER,
  ) {}

  /** Lowest seq at or before the acceptance of `orderId` that the sparse index knows (0 = from the start). */
  acceptSeqLowerBound(orderId: number): number {
    const ids = this.acceptIndexIds;
    let lo = 0;
    let hi = ids.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ids[mid]! <= orderId) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best < 0 ? 0 : this.acceptIndexSeqs[best]!;
  }

  /**
   * Applies one command's events; `sink` gets the reports (none when
   * undefined) of the accounts `wants` names: the others' report objects are
   * not built at all (their report sequence still advances).
   */
  apply(cmd: FeedCommand, sink: ReportSink | undefined, wants: ReportWants = everyAccount): void {
    const events = cmd.events;
    const filter = this.accountFilter;
    this.nOrdinals = 0;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!;
      const kind: number = ev.kind ?? 0;
      switch (kind) {
        case EventKind.ORDER_ACCEPTED: {
          const accountId = ev.accountId ?? 0;
          const orderId = ev.orderId ?? 0;
          if (filter === 0) this.indexAccept(orderId, cmd.seq);
          if (filter !== 0 && accountId !== filter) break;
          const qty = ev.qtyLots ?? 0;
          const st = new OrderState(
            orderId,
            accountId,
            ev.marketId ?? 0,
            ev.side ?? 0,
            ev.orderType ?? 0,
            ev.timeInForce ?? 0,
            ev.priceTicks ?? 0,
            qty,
            (ev.orderType ?? 0) === v1.OrderType.ORDER_TYPE_MARKET && qty === 0,
            ev.clientOrderId ?? '',
            cmd.seq,
          );
          if (this.orders.size < this.maxOrders) this.orders.set(orderId, st);
          if (
            st.orderType === v1.OrderType.ORDER_TYPE_MARKET ||
            st.timeInForce === v1.TimeInForce.TIME_IN_FORCE_IOC ||
            st.timeInForce === v1.TimeInForce.TIME_IN_FORCE_FOK
          ) {
            this.endOfCommand.push(st);
          }
          if (sink && wants(accountId))
            sink(this.report(cmd, accountId, st, ev, ExecType.EXEC_TYPE_NEW));
          else this.nextReportSeq(cmd.seq, accountId);
          break;
        }
        case EventKind.ORDER_REJECTED: {
          const accountId = ev.accountId ?? 0;
          if ((ev.commandKind ?? 0) !== CommandKind.PLACE_ORDER || accountId === 0) break;
          if (filter !== 0 && accountId !== filter) break;
          if (sink && wants(accountId)) {
            const r = this.report(cmd, accountId, undefined, ev, ExecType.EXEC_TYPE_REJECTED);
            r.orderStatus = OrderStatus.ORDER_STATUS_REJECTED;
            r.rejectReason = ev.rejectReason ?? 0;
            r.clientOrderId = ev.clientOrderId ?? '';
            sink(r);
          } else this.nextReportSeq(cmd.seq, accountId);
          break;
        }
        case EventKind.TRADE: {
          const qty = ev.qtyLots ?? 0;
          const quote = ev.quoteAtoms ?? 0;
          const price = ev.priceTicks ?? 0;
          const takerAccount = ev.accountId ?? 0;
          const makerAccount = ev.makerAccountId ?? 0;
          if (filter === 0 || takerAccount === filter) {
            const st = this.orders.get(ev.orderId ?? 0);
            if (st !== undefined) {
              st.filledLots += qty;
              st.cumQuoteAtoms += quote;
            }
            if (sink && wants(takerAccount)) {
              const r = this.report(cmd, takerAccount, st, ev, ExecType.EXEC_TYPE_TRADE);
              r.orderId = ev.orderId ?? 0;
              r.side = ev.side ?? 0;
              r.lastPriceTicks = price;
              r.lastQtyLots = qty;
              r.tradeId = ev.tradeId ?? 0;
              r.feeAtoms = ev.takerFeeAtoms ?? 0;
              r.feeAssetId = this.feeAsset(ev.marketId ?? 0, ev.side ?? 0);
              r.isMaker = false;
              if (st === undefined || !st.byQuoteBudget) {
                r.remainingLots = ev.remainingLots ?? 0;
              }
              r.orderStatus = this.fillStatus(
                st,
                ev.remainingLots ?? 0,
                events,
                i,
                ev.orderId ?? 0,
              );
              sink(r);
            } else this.nextReportSeq(cmd.seq, takerAccount);
            if (st !== undefined && !st.byQuoteBudget && (ev.remainingLots ?? 0) === 0) {
              this.orders.delete(st.orderId);
            }
          }
          if (filter === 0 || makerAccount === filter) {
            const makerId = ev.makerOrderId ?? 0;
            const st = this.orders.get(makerId);
            if (st !== undefined) {
              st.filledLots += qty;
              st.cumQuoteAtoms += quote;
            }
            const makerSide =
              (ev.side ?? 0) === v1.Side.SIDE_BUY ? v1.Side.SIDE_SELL : v1.Side.SIDE_BUY;
            if (sink && wants(makerAccount)) {
              const r = this.report(cmd, makerAccount, st, ev, ExecType.EXEC_TYPE_TRADE);
              r.orderId = makerId;
              r.side = makerSide;
              r.lastPriceTicks = price;
              r.lastQtyLots = qty;
              r.tradeId = ev.tradeId ?? 0;
              r.feeAtoms = ev.makerFeeAtoms ?? 0;
              r.feeAssetId = this.feeAsset(ev.marketId ?? 0, makerSide);
              r.isMaker = true;
              r.remainingLots = ev.makerRemainingLots ?? 0;
              r.orderStatus =
                (ev.makerRemainingLots ?? 0) === 0
                  ? OrderStatus.ORDER_STATUS_FILLED
                  : OrderStatus.ORDER_STATUS_PARTIALLY_FILLED;
              sink(r);
            } else this.nextReportSeq(cmd.seq, makerAccount);
            if (st !== undefined && (ev.makerRemainingLots ?? 0) === 0) this.orders.delete(makerId);
          }
          break;
        }
        case EventKind.ORDER_CANCELED:
        case EventKind.ORDER_EXPIRED: {
          const accountId = ev.accountId ?? 0;
          if (filter !== 0 && accountId !== filter) break;
          const orderId = ev.orderId ?? 0;
          const st = this.orders.get(orderId);
          if (sink && wants(accountId)) {
            const canceled = kind === EventKind.ORDER_CANCELED;
            const r = this.report(
              cmd,
              accountId,
              st,
              ev,
              canceled ? ExecType.EXEC_TYPE_CANCELED : ExecType.EXEC_TYPE_EXPIRED,
            );
            r.orderStatus = canceled
              ? OrderStatus.ORDER_STATUS_CANCELED
              : OrderStatus.ORDER_STATUS_EXPIRED;
            r.remainingLots = 0;
            r.cancelReason = ev.cancelReason ?? 0;
            sink(r);
          } else this.nextReportSeq(cmd.seq, accountId);
          this.orders.delete(orderId);
          break;
        }
        case EventKind.ORDER_AMENDED: {
          const accountId = ev.accountId ?? 0;
          if (filter !== 0 && accountId !== filter) break;
          const st = this.orders.get(ev.orderId ?? 0);
          if (st !== undefined) {
            st.priceTicks = ev.priceTicks ?? st.priceTicks;
            st.qtyLots = ev.qtyLots ?? st.qtyLots;
            st.filledLots = Math.max(0, st.qtyLots - (ev.remainingLots ?? 0));
          }
          if (sink && wants(accountId)) {
            const r = this.report(cmd, accountId, st, ev, ExecType.EXEC_TYPE_REPLACED);
            r.priceTicks = ev.priceTicks ?? 0;
            r.qtyLots = ev.qtyLots ?? 0;
            r.remainingLots = ev.remainingLots ?? 0;
            r.filledLots = Math.max(0, (ev.qtyLots ?? 0) - (ev.remainingLots ?? 0));
            r.orderStatus =
              r.filledLots > 0
                ? OrderStatus.ORDER_STATUS_PARTIALLY_FILLED
                : OrderStatus.ORDER_STATUS_NEW;
            sink(r);
          } else this.nextReportSeq(cmd.seq, accountId);
          break;
        }
        case EventKind.SELF_TRADE_PREVENTED: {
          const accountId = ev.accountId ?? 0;
          if (filter !== 0 && accountId !== filter) break;
          const overlap = ev.qtyLots ?? 0;
          const decrement = (ev.stpMode ?? 0) === v1.StpMode.STP_MODE_DECREMENT;
          const taker = this.orders.get(ev.orderId ?? 0);
          const maker = this.orders.get(ev.makerOrderId ?? 0);
          if (decrement) {
            if (taker !== undefined && !taker.byQuoteBudget) taker.qtyLots -= overlap;
            if (maker !== undefined) maker.qtyLots -= overlap;
          }
          if (sink && wants(accountId)) {
            for (const [st, orderId, isMaker] of [
              [taker, ev.orderId ?? 0, false],
              [maker, ev.makerOrderId ?? 0, true],
            ] as const) {
              const r = this.report(cmd, accountId, st, ev, ExecType.EXEC_TYPE_TRADE_PREVENTION);
              r.orderId = orderId;
              r.lastQtyLots = overlap;
              r.isMaker = isMaker;
              if (st === undefined) r.side = 0;
              sink(r);
            }
          } else {
            this.nextReportSeq(cmd.seq, accountId);
            this.nextReportSeq(cmd.seq, accountId);
          }
          break;
        }
        default:
          break;
      }
    }
    // Market, IOC and FOK orders never rest: whatever is left of them is gone
    // once their command is done (a quote-budget order that spent its budget
    // exactly gets no ORDER_EXPIRED).
    const ended = this.endOfCommand;
    for (let i = 0; i < ended.length; i++) this.orders.delete(ended[i]!.orderId);
    ended.length = 0;
  }

  private indexAccept(orderId: number, seq: number): void {
    const ids = this.acceptIndexIds;
    if (ids.length === 0 || orderId >= ids[ids.length - 1]! + 256) {
      ids.push(orderId);
      this.acceptIndexSeqs.push(seq);
    }
  }

  /** Next report_seq of `accountId` within this command. */
  private nextReportSeq(seq: number, accountId: number): number {
    let k = 0;
    while (k < this.nOrdinals && this.ordinalAccounts[k] !== accountId) k++;
    if (k === this.nOrdinals) {
      this.ordinalAccounts[k] = accountId;
      this.ordinalCounts[k] = 0;
      this.nOrdinals = k + 1;
    }
    const n = this.ordinalCounts[k]!;
    this.ordinalCounts[k] = n + 1;
    const ordinal = n < REPORT_SEQ_MULTIPLIER ? n : REPORT_SEQ_MULTIPLIER - 1;
    const reportSeq = seq * REPORT_SEQ_MULTIPLIER + ordinal;
    this.lastReportSeq.set(accountId, reportSeq);
    return reportSeq;
  }

  private report(
    cmd: FeedCommand,
    accountId: number,
    st: OrderState | undefined,
    ev: exchange.v1.IEvent,
    execType: number,
  ): exchange.v1.IExecutionReport {
    const r: exchange.v1.IExecutionReport = {
      reportSeq: this.nextReportSeq(cmd.seq, accountId),
      accountId,
      marketId: ev.marketId ?? st?.marketId ?? 0,
      orderId: ev.orderId ?? 0,
      clientOrderId: st?.clientOrderId ?? ev.clientOrderId ?? '',
      execType,
      engineSeq: cmd.seq,
      transactTimeUs: cmd.timeUs,
    };
    if (st !== undefined) {
      r.side = st.side;
      r.orderType = st.orderType;
      r.timeInForce = st.timeInForce;
      r.priceTicks = st.priceTicks;
      r.qtyLots = st.qtyLots;
      r.filledLots = st.filledLots;
      r.remainingLots = st.remainingLots;
      r.cumQuoteAtoms = st.cumQuoteAtoms;
      r.orderStatus =
        st.filledLots > 0
          ? OrderStatus.ORDER_STATUS_PARTIALLY_FILLED
          : OrderStatus.ORDER_STATUS_NEW;
    } else {
      r.side = ev.side ?? 0;
    }
    return r;
  }

  private fillStatus(
    st: OrderState | undefined,
    remaining: number,
    events: readonly exchange.v1.IEvent[],
    index: number,
    orderId: number,
  ): number {
    if (st === undefined || !st.byQuoteBudget) {
      return remaining === 0
        ? OrderStatus.ORDER_STATUS_FILLED
        : OrderStatus.ORDER_STATUS_PARTIALLY_FILLED;
    }
    // A quote-budget order is filled when nothing more happens to it in this command.
    for (let j = index + 1; j < events.length; j++) {
      const e = events[j]!;
      const k: number = e.kind ?? 0;
      if (
        (e.orderId ?? 0) === orderId &&
        (k === EventKind.TRADE || k === EventKind.ORDER_EXPIRED)
      ) {
        return OrderStatus.ORDER_STATUS_PARTIALLY_FILLED;
      }
    }
    return OrderStatus.ORDER_STATUS_FILLED;
  }
}
