// Order entry: NewOrder(Batch), CancelOrder(Batch), CancelAll, AmendOrder
// and OrderStatus routed by market to the shard that owns it, with the
// account from the session; per-key rate limits (cancels exempt); the
// dead-man's switch; cancel-on-disconnect. Every response echoes the
// request id and carries the key's rate-limit usage.
import { type exchange, isSafeUint } from '../proto';
import type { EngineLink } from './engine-link';
import { GatewayError } from './errors';
import type { Gateway } from './gateway';
import {
  DMS_MAX_TIMEOUT_MS,
  DMS_MIN_TIMEOUT_MS,
  MAX_BATCH_ITEMS,
  MAX_CLIENT_ORDER_ID_LENGTH,
  MAX_IN_FLIGHT_PER_SESSION,
  RATE_WINDOW_MS,
} from './limits';
import { amendAck, cancelAcks, cancelAllAcks, placeAck, placeAcks } from './order-acks';
import { engineFailureReason, Reason, v1 } from './protocol';
import type { RateDecision } from './rate-limiter';
import type { MarketInfo } from './reference-data';
import type { Session } from './session';

/** Command.place_order and PlaceOrder field numbers (proto/exchange/v1/engine.proto). */
const CMD_PLACE_ORDER = 1;
const PO_ACCOUNT_ID = 1;
const PO_MARKET_ID = 2;
const PO_SIDE = 3;
const PO_ORDER_TYPE = 4;
const PO_TIME_IN_FORCE = 5;
const PO_PRICE_TICKS = 6;
const PO_QTY_LOTS = 7;
const PO_QUOTE_BUDGET_ATOMS = 8;
const PO_POST_ONLY = 9;
const PO_STP_MODE = 10;
const PO_CLIENT_ORDER_ID = 11;

export class OrderEntry {
  /** The text of orderProblem()'s last refusal. */
  private problem = '';

  constructor(private readonly gw: Gateway) {}

  private usage(s: Session, decision?: RateDecision): exchange.v1.IRateLimitUsage {
    const limiter = s.limiter!;
    return {
      ordersUsed: decision?.used ?? limiter.used(Date.now()),
      ordersLimit: limiter.limit,
      windowMs: RATE_WINDOW_MS,
      retryAfterMs: decision !== undefined && !decision.ok ? decision.retryAfterMs : 0,
    };
  }

  /** Common checks of every order-entry request; false when a Reject was sent. */
  private canEnterOrders(s: Session, rid: number, recvUs: number): boolean {
    if (!s.canTrade) {
      this.gw.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_PERMISSION_DENIED,
        'this api key has no trade scope',
        this.usage(s),
      );
      return false;
    }
    if (s.inFlight >= MAX_IN_FLIGHT_PER_SESSION) {
      this.gw.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_RATE_LIMITED,
        `more than ${MAX_IN_FLIGHT_PER_SESSION} requests in flight`,
        this.usage(s),
      );
      return false;
    }
    return true;
  }

  private linkFor(shardId: number): EngineLink | undefined {
    return this.gw.links.get(shardId);
  }

  /** Sends one command and completes with its result or a RejectReason. */
  private command(
    s: Session,
    shardId: number,
    cmd: exchange.v1.ICommand,
    done: (
      result: exchange.v1.ICommandResult | undefined,
      failReason: number,
      failMessage: string,
    ) => void,
  ): void {
    const link = this.linkFor(shardId);
    if (link === undefined) {
      done(undefined, Reason.REJECT_REASON_MARKET_UNKNOWN, `no engine link for shard ${shardId}`);
      return;
    }
    s.inFlight++;
    link.request({ command: cmd }, (err, msg) => {
      s.inFlight--;
      if (err !== undefined) done(undefined, engineFailureReason(err), err.message);
      else done(msg!.result!, 0, '');
    });
  }

  private validOrderNumbers(o: exchange.v1.INewOrder): string | undefined {
    if (!isSafeUint(o.priceTicks)) return 'price_ticks above 2^53-1';
    if (!isSafeUint(o.qtyLots)) return 'qty_lots above 2^53-1';
    if (!isSafeUint(o.quoteBudgetAtoms)) return 'quote_budget_atoms above 2^53-1';
    return undefined;
  }

  /**
   * One NewOrder, the common case: the same checks and replies as
   * onNewOrders(..., [o], false), without its per-request arrays, map and
   * command object: the PlaceOrder is written straight into the link's
   * outgoing buffer and the reply is encoded by hand.
   */
  onNewOrder(s: Session, rid: number, recvUs: number, o: exchange.v1.INewOrder): void {
    const side = o.side ?? 0;
    const orderType = o.orderType ?? 0;
    const tif = o.timeInForce ?? 0;
    const stp = o.stpMode ?? 0;
    // Negative enums (int32 on the wire) take the general path, which encodes them as protobufjs does.
    if (side < 0 || orderType < 0 || tif < 0 || stp < 0) {
      this.onNewOrders(s, rid, recvUs, [o], false);
      return;
    }
    if (!this.canEnterOrders(s, rid, recvUs)) return;
    const cid = o.clientOrderId ?? '';
    const marketId = o.marketId ?? 0;
    const market = this.gw.refData.market(marketId);
    const reason = this.orderProblem(o, cid, market);
    if (reason !== 0) {
      this.gw.reject(s, rid, recvUs, reason, this.problem, this.usage(s));
      return;
    }
    if (this.rateLimited(s, rid, recvUs, 1) === undefined) return;
    this.gw.audit.keyUsed(s.key!.id, s.remoteAddress, s.id);
    const shardId = market!.shardId;
    const link = this.linkFor(shardId);
    if (link === undefined) {
      this.gw.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_MARKET_UNKNOWN,
        `no engine link for shard ${shardId}`,
        this.usage(s),
      );
      return;
    }
    const down = link.unavailable();
    if (down !== undefined) {
      this.gw.reject(s, rid, recvUs, engineFailureReason(down), down.message, this.usage(s));
      return;
    }
    const w = link.beginCommand();
    const place = w.beginLen(CMD_PLACE_ORDER);
    w.uint(PO_ACCOUNT_ID, s.accountId);
    w.uint(PO_MARKET_ID, marketId);
    w.uint(PO_SIDE, side);
    w.uint(PO_ORDER_TYPE, orderType);
    w.uint(PO_TIME_IN_FORCE, tif);
    w.uint(PO_PRICE_TICKS, o.priceTicks ?? 0);
    w.uint(PO_QTY_LOTS, o.qtyLots ?? 0);
    w.uint(PO_QUOTE_BUDGET_ATOMS, o.quoteBudgetAtoms ?? 0);
    w.bool(PO_POST_ONLY, o.postOnly ?? false);
    w.uint(PO_STP_MODE, stp);
    w.string(PO_CLIENT_ORDER_ID, cid);
    w.endLen(place);
    s.inFlight++;
    link.sendCommand((err, msg) => this.placed(s, rid, recvUs, cid, shardId, err, msg));
  }

  private placed(
    s: Session,
    rid: number,
    recvUs: number,
    cid: string,
    shardId: number,
    err: GatewayError | undefined,
    msg: exchange.v1.LinkMessage | undefined,
  ): void {
    s.inFlight--;
    if (err !== undefined) {
      this.gw.reject(s, rid, recvUs, engineFailureReason(err), err.message, this.usage(s));
      return;
    }
    const result = msg!.result!;
    const ack = placeAck(result, cid);
    const reason = ack.rejectReason ?? 0;
    if (reason !== 0) this.gw.metrics.reject(reason);
    else if (
      s.cancelOnDisconnect === v1.CancelOnDisconnect.CANCEL_ON_DISCONNECT_SESSION &&
      (ack.orderId ?? 0) > 0
    ) {
      this.trackPlaced(s, shardId, ack.orderId!);
    }
    this.gw.replyOrderAck(
      s,
      rid,
      recvUs,
      {
        orderId: ack.orderId ?? 0,
        clientOrderId: ack.clientOrderId ?? '',
        rejectReason: reason,
        status: ack.status ?? 0,
      },
      result.seq ?? 0,
    );
  }

  /** Why the gateway refuses order `o` before the engine sees it (0: it does not; the text in `problem`). */
  private orderProblem(
    o: exchange.v1.INewOrder,
    cid: string,
    market: MarketInfo | undefined,
  ): number {
    const bad = this.validOrderNumbers(o);
    if (bad !== undefined) {
      this.problem = bad;
      return Reason.REJECT_REASON_NUMBER_OUT_OF_RANGE;
    }
    if (cid.length > MAX_CLIENT_ORDER_ID_LENGTH) {
      this.problem = `client_order_id longer than ${MAX_CLIENT_ORDER_ID_LENGTH}`;
      return Reason.REJECT_REASON_INVALID_CLIENT_ORDER_ID;
    }
    if (market === undefined) {
      this.problem = `unknown market ${o.marketId ?? 0}`;
      return Reason.REJECT_REASON_MARKET_UNKNOWN;
    }
    return 0;
  }

  /** Counts `n` orders against the key's limit; undefined (a Reject was sent) when they do not fit. */
  private rateLimited(
    s: Session,
    rid: number,
    recvUs: number,
    n: number,
  ): RateDecision | undefined {
    const decision = s.limiter!.take(n, Date.now());
    if (decision.ok) return decision;
    this.gw.reject(
      s,
      rid,
      recvUs,
      Reason.REJECT_REASON_RATE_LIMITED,
      `order rate limit of ${s.limiter!.limit} per ${RATE_WINDOW_MS / 1000} s reached`,
      this.usage(s, decision),
    );
    return undefined;
  }

  onNewOrders(
    s: Session,
    rid: number,
    recvUs: number,
    orders: exchange.v1.INewOrder[],
    batch: boolean,
  ): void {
    if (!this.canEnterOrders(s, rid, recvUs)) return;
    if (batch && (orders.length === 0 || orders.length > MAX_BATCH_ITEMS)) {
      this.gw.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_BATCH_TOO_LARGE,
        `a batch holds 1 to ${MAX_BATCH_ITEMS} orders, got ${orders.length}`,
        this.usage(s),
      );
      return;
    }
    // Gateway-side checks per item; single orders get a Reject, batch items a rejected ack.
    const acks: exchange.v1.IOrderAck[] = new Array(orders.length);
    const byShard = new Map<number, number[]>();
    for (let i = 0; i < orders.length; i++) {
      const o = orders[i]!;
      const cid = o.clientOrderId ?? '';
      const market = this.gw.refData.market(o.marketId ?? 0);
      const reason = this.orderProblem(o, cid, market);
      if (reason !== 0) {
        if (!batch) {
          this.gw.reject(s, rid, recvUs, reason, this.problem, this.usage(s));
          return;
        }
        this.gw.metrics.reject(reason);
        acks[i] = {
          orderId: 0,
          clientOrderId: cid.slice(0, MAX_CLIENT_ORDER_ID_LENGTH),
          rejectReason: reason,
          status: v1.OrderStatus.ORDER_STATUS_REJECTED,
        };
        continue;
      }
      const list = byShard.get(market!.shardId);
      if (list === undefined) byShard.set(market!.shardId, [i]);
      else list.push(i);
    }
    const toSend = orders.length - [...acks].filter((a) => a !== undefined).length;
    const decision = this.rateLimited(s, rid, recvUs, toSend);
    if (decision === undefined) return;
    if (toSend === 0) {
      this.gw.reply(
        s,
        rid,
        recvUs,
        { orderResponse: { acks, engineSeq: 0 } },
        this.usage(s, decision),
      );
      return;
    }
    this.gw.audit.keyUsed(s.key!.id, s.remoteAddress, s.id);
    let waiting = byShard.size;
    let engineSeq = 0;
    let failure: { reason: number; message: string } | undefined;
    for (const [shardId, idx] of byShard) {
      const place = idx.map((i) => this.placeCommand(s, orders[i]!));
      const cmd: exchange.v1.ICommand = batch
        ? { batchPlace: { orders: place } }
        : { placeOrder: place[0]! };
      this.command(s, shardId, cmd, (result, failReason, failMessage) => {
        if (result === undefined) {
          failure = { reason: failReason, message: failMessage };
          for (const i of idx) {
            acks[i] = {
              orderId: 0,
              clientOrderId: orders[i]!.clientOrderId ?? '',
              rejectReason: failReason,
              status: v1.OrderStatus.ORDER_STATUS_UNKNOWN,
            };
          }
        } else {
          engineSeq = Math.max(engineSeq, result.seq ?? 0);
          const itemAcks = placeAcks(
            result,
            idx.length,
            idx.map((i) => orders[i]!.clientOrderId ?? ''),
          );
          for (let k = 0; k < idx.length; k++) {
            const ack = itemAcks[k]!;
            acks[idx[k]!] = ack;
            if ((ack.rejectReason ?? 0) !== 0) this.gw.metrics.reject(ack.rejectReason!);
            else if (
              s.cancelOnDisconnect === v1.CancelOnDisconnect.CANCEL_ON_DISCONNECT_SESSION &&
              (ack.orderId ?? 0) > 0
            ) {
              this.trackPlaced(s, shardId, ack.orderId!);
            }
          }
        }
        if (--waiting > 0) return;
        if (!batch && failure !== undefined) {
          this.gw.reject(s, rid, recvUs, failure.reason, failure.message, this.usage(s));
          return;
        }
        this.gw.reply(s, rid, recvUs, { orderResponse: { acks, engineSeq } }, this.usage(s));
      });
    }
  }

  private placeCommand(s: Session, o: exchange.v1.INewOrder): exchange.v1.IPlaceOrder {
    return {
      accountId: s.accountId,
      marketId: o.marketId ?? 0,
      side: o.side ?? 0,
      orderType: o.orderType ?? 0,
      timeInForce: o.timeInForce ?? 0,
      priceTicks: o.priceTicks ?? 0,
      qtyLots: o.qtyLots ?? 0,
      quoteBudgetAtoms: o.quoteBudgetAtoms ?? 0,
      postOnly: o.postOnly ?? false,
      stpMode: o.stpMode ?? 0,
      clientOrderId: o.clientOrderId ?? '',
    };
  }

  private trackPlaced(s: Session, shardId: number, orderId: number): void {
    let set = s.placed.get(shardId);
    if (set === undefined) {
      set = new Set();
      s.placed.set(shardId, set);
    }
    set.add(orderId);
    if (set.size % 4096 === 0) {
      // Prune orders that are no longer open so the set tracks open orders only.
      const open = this.gw.builders.get(shardId)!.orders;
      for (const id of set) if (!open.has(id)) set.delete(id);
    }
  }

  onCancels(
    s: Session,
    rid: number,
    recvUs: number,
    cancels: exchange.v1.ICancelOrderRequest[],
    batch: boolean,
  ): void {
    if (!this.canEnterOrders(s, rid, recvUs)) return;
    if (batch && (cancels.length === 0 || cancels.length > MAX_BATCH_ITEMS)) {
      this.gw.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_BATCH_TOO_LARGE,
        `a batch holds 1 to ${MAX_BATCH_ITEMS} cancels, got ${cancels.length}`,
        this.usage(s),
      );
      return;
    }
    const acks: exchange.v1.IOrderAck[] = new Array(cancels.length);
    const byShard = new Map<number, number[]>();
    for (let i = 0; i < cancels.length; i++) {
      const c = cancels[i]!;
      const cid = c.clientOrderId ?? '';
      let reason = 0;
      let message = '';
      const market = this.gw.refData.market(c.marketId ?? 0);
      if (!isSafeUint(c.orderId)) {
        reason = Reason.REJECT_REASON_NUMBER_OUT_OF_RANGE;
        message = 'order_id above 2^53-1';
      } else if (cid.length > MAX_CLIENT_ORDER_ID_LENGTH) {
        reason = Reason.REJECT_REASON_INVALID_CLIENT_ORDER_ID;
        message = `client_order_id longer than ${MAX_CLIENT_ORDER_ID_LENGTH}`;
      } else if (market === undefined) {
        reason = Reason.REJECT_REASON_MARKET_UNKNOWN;
        message = `unknown market ${c.marketId ?? 0} (market_id routes a cancel)`;
      }
      if (reason !== 0) {
        if (!batch) {
          this.gw.reject(s, rid, recvUs, reason, message, this.usage(s));
          return;
        }
        this.gw.metrics.reject(reason);
        acks[i] = {
          orderId: isSafeUint(c.orderId) ? c.orderId : 0,
          clientOrderId: cid.slice(0, MAX_CLIENT_ORDER_ID_LENGTH),
          rejectReason: reason,
          status: v1.OrderStatus.ORDER_STATUS_REJECTED,
        };
        continue;
      }
      const list = byShard.get(market!.shardId);
      if (list === undefined) byShard.set(market!.shardId, [i]);
      else list.push(i);
    }
    if (byShard.size === 0) {
      this.gw.reply(s, rid, recvUs, { orderResponse: { acks, engineSeq: 0 } }, this.usage(s));
      return;
    }
    let waiting = byShard.size;
    let engineSeq = 0;
    let failure: { reason: number; message: string } | undefined;
    for (const [shardId, idx] of byShard) {
      const items = idx.map((i) => ({
        accountId: s.accountId,
        orderId: cancels[i]!.orderId ?? 0,
        clientOrderId: cancels[i]!.clientOrderId ?? '',
      }));
      const cmd: exchange.v1.ICommand = batch
        ? { batchCancel: { cancels: items } }
        : { cancelOrder: items[0]! };
      this.command(s, shardId, cmd, (result, failReason, failMessage) => {
        if (result === undefined) {
          failure = { reason: failReason, message: failMessage };
          for (const i of idx) {
            acks[i] = {
              orderId: cancels[i]!.orderId ?? 0,
              clientOrderId: cancels[i]!.clientOrderId ?? '',
              rejectReason: failReason,
              status: v1.OrderStatus.ORDER_STATUS_UNKNOWN,
            };
          }
        } else {
          engineSeq = Math.max(engineSeq, result.seq ?? 0);
          const itemAcks = cancelAcks(
            result,
            idx.length,
            items.map((x) => x.clientOrderId),
          );
          for (let k = 0; k < idx.length; k++) {
            acks[idx[k]!] = itemAcks[k]!;
            if ((itemAcks[k]!.rejectReason ?? 0) !== 0)
              this.gw.metrics.reject(itemAcks[k]!.rejectReason!);
          }
        }
        if (--waiting > 0) return;
        if (!batch && failure !== undefined) {
          this.gw.reject(s, rid, recvUs, failure.reason, failure.message, this.usage(s));
          return;
        }
        this.gw.reply(s, rid, recvUs, { orderResponse: { acks, engineSeq } }, this.usage(s));
      });
    }
  }

  onCancelAll(s: Session, rid: number, recvUs: number, c: exchange.v1.ICancelAllRequest): void {
    if (!this.canEnterOrders(s, rid, recvUs)) return;
    const marketId = c.marketId ?? 0;
    let shards: number[];
    if (marketId === 0) shards = [...this.gw.links.keys()];
    else {
      const market = this.gw.refData.market(marketId);
      if (market === undefined) {
        this.gw.reject(
          s,
          rid,
          recvUs,
          Reason.REJECT_REASON_MARKET_UNKNOWN,
          `unknown market ${marketId}`,
          this.usage(s),
        );
        return;
      }
      shards = [market.shardId];
    }
    const acks: exchange.v1.IOrderAck[] = [];
    let waiting = shards.length;
    let engineSeq = 0;
    let failures = 0;
    let failure = { reason: 0, message: '' };
    for (const shardId of shards) {
      this.command(
        s,
        shardId,
        {
          cancelAll: {
            accountId: s.accountId,
            marketId,
            reason: v1.CancelReason.CANCEL_REASON_USER,
          },
        },
        (result, failReason, failMessage) => {
          if (result === undefined) {
            failures++;
            failure = { reason: failReason, message: failMessage };
            acks.push({
              orderId: 0,
              clientOrderId: '',
              rejectReason: failReason,
              status: v1.OrderStatus.ORDER_STATUS_UNKNOWN,
            });
          } else {
            engineSeq = Math.max(engineSeq, result.seq ?? 0);
            acks.push(...cancelAllAcks(result));
          }
          if (--waiting > 0) return;
          if (failures === shards.length) {
            this.gw.reject(s, rid, recvUs, failure.reason, failure.message, this.usage(s));
            return;
          }
          this.gw.reply(s, rid, recvUs, { orderResponse: { acks, engineSeq } }, this.usage(s));
        },
      );
    }
  }

  onAmend(s: Session, rid: number, recvUs: number, a: exchange.v1.IAmendOrderRequest): void {
    if (!this.canEnterOrders(s, rid, recvUs)) return;
    for (const [name, v] of [
      ['order_id', a.orderId],
      ['new_price_ticks', a.newPriceTicks],
      ['new_qty_lots', a.newQtyLots],
    ] as const) {
      if (!isSafeUint(v)) {
        this.gw.reject(
          s,
          rid,
          recvUs,
          Reason.REJECT_REASON_NUMBER_OUT_OF_RANGE,
          `${name} above 2^53-1`,
          this.usage(s),
        );
        return;
      }
    }
    const cid = a.clientOrderId ?? '';
    if (cid.length > MAX_CLIENT_ORDER_ID_LENGTH) {
      this.gw.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_INVALID_CLIENT_ORDER_ID,
        'client_order_id too long',
        this.usage(s),
      );
      return;
    }
    const market = this.gw.refData.market(a.marketId ?? 0);
    if (market === undefined) {
      this.gw.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_MARKET_UNKNOWN,
        `unknown market ${a.marketId ?? 0}`,
        this.usage(s),
      );
      return;
    }
    const decision = s.limiter!.take(1, Date.now());
    if (!decision.ok) {
      this.gw.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_RATE_LIMITED,
        'order rate limit reached',
        this.usage(s, decision),
      );
      return;
    }
    this.command(
      s,
      market.shardId,
      {
        amendOrder: {
          accountId: s.accountId,
          orderId: a.orderId ?? 0,
          clientOrderId: cid,
          newPriceTicks: a.newPriceTicks ?? 0,
          newQtyLots: a.newQtyLots ?? 0,
        },
      },
      (result, failReason, failMessage) => {
        if (result === undefined) {
          this.gw.reject(s, rid, recvUs, failReason, failMessage, this.usage(s));
          return;
        }
        const ack = amendAck(result, cid);
        if ((ack.rejectReason ?? 0) !== 0) this.gw.metrics.reject(ack.rejectReason!);
        this.gw.reply(
          s,
          rid,
          recvUs,
          { orderResponse: { acks: [ack], engineSeq: result.seq ?? 0 } },
          this.usage(s),
        );
      },
    );
  }

  onOrderStatus(s: Session, rid: number, recvUs: number, q: exchange.v1.IOrderStatusRequest): void {
    if (!isSafeUint(q.orderId)) {
      this.gw.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_NUMBER_OUT_OF_RANGE,
        'order_id above 2^53-1',
      );
      return;
    }
    const cid = q.clientOrderId ?? '';
    if (cid.length > MAX_CLIENT_ORDER_ID_LENGTH) {
      this.gw.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_INVALID_CLIENT_ORDER_ID,
        'client_order_id too long',
      );
      return;
    }
    const market = this.gw.refData.market(q.marketId ?? 0);
    const shardId =
      market?.shardId ??
      (this.gw.links.size === 1 && (q.marketId ?? 0) === 0 ? [...this.gw.links.keys()][0]! : -1);
    const link = this.gw.links.get(shardId);
    if (link === undefined) {
      this.gw.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_MARKET_UNKNOWN,
        `unknown market ${q.marketId ?? 0}`,
      );
      return;
    }
    s.inFlight++;
    link.request(
      { orderStatus: { accountId: s.accountId, orderId: q.orderId ?? 0, clientOrderId: cid } },
      (err, msg) => {
        s.inFlight--;
        if (err !== undefined) {
          this.gw.reject(s, rid, recvUs, engineFailureReason(err), err.message);
          return;
        }
        const r = msg!.orderStatus!;
        if (!r.found) {
          this.gw.reply(s, rid, recvUs, { orderStatus: { found: false } });
          return;
        }
        const tracked = this.gw.builders.get(shardId)?.orders.get(r.orderId ?? 0);
        this.gw.reply(s, rid, recvUs, {
          orderStatus: {
            found: true,
            order: {
              accountId: r.accountId,
              marketId: r.marketId,
              orderId: r.orderId,
              clientOrderId: r.clientOrderId,
              execType: v1.ExecType.EXEC_TYPE_UNKNOWN,
              orderStatus: r.status,
              side: r.side,
              orderType: tracked?.orderType ?? v1.OrderType.ORDER_TYPE_LIMIT,
              timeInForce: tracked?.timeInForce ?? v1.TimeInForce.TIME_IN_FORCE_GTC,
              priceTicks: r.priceTicks,
              qtyLots: r.qtyLots,
              filledLots: r.filledLots,
              remainingLots: r.remainingLots,
              cumQuoteAtoms: tracked?.cumQuoteAtoms ?? 0,
              engineSeq: r.asOfSeq,
            },
          },
        });
      },
    );
  }

  // ------------------------------------------------------------------ dead-man switch

  async onDeadManSwitch(
    s: Session,
    rid: number,
    recvUs: number,
    d: exchange.v1.IDeadManSwitchRequest,
  ): Promise<void> {
    if (!this.canEnterOrders(s, rid, recvUs)) return;
    const timeoutMs = d.timeoutMs ?? 0;
    const marketId = d.marketId ?? 0;
    if (timeoutMs !== 0 && (timeoutMs < DMS_MIN_TIMEOUT_MS || timeoutMs > DMS_MAX_TIMEOUT_MS)) {
      this.gw.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_MALFORMED_MESSAGE,
        `timeout_ms must be 0 (disarm) or ${DMS_MIN_TIMEOUT_MS}-${DMS_MAX_TIMEOUT_MS}`,
      );
      return;
    }
    let links: EngineLink[];
    if (marketId === 0) links = [...this.gw.links.values()];
    else {
      const market = this.gw.refData.market(marketId);
      const link = market === undefined ? undefined : this.gw.links.get(market.shardId);
      if (link === undefined) {
        this.gw.reject(
          s,
          rid,
          recvUs,
          Reason.REJECT_REASON_MARKET_UNKNOWN,
          `unknown market ${marketId}`,
        );
        return;
      }
      links = [link];
    }
    s.inFlight++;
    try {
      const r = await this.gw.dms.arm(s.accountId, marketId, timeoutMs, links);
      this.gw.reply(s, rid, recvUs, {
        deadManSwitch: { timeoutMs: r.timeoutMs, firesAtUs: r.firesAtUs },
      });
    } catch (err) {
      const reason =
        err instanceof GatewayError
          ? engineFailureReason(err)
          : ((err as { reason?: number }).reason ?? Reason.REJECT_REASON_UNKNOWN);
      this.gw.reject(s, rid, recvUs, reason, (err as Error).message);
    } finally {
      s.inFlight--;
    }
  }

  // ------------------------------------------------------------------ cancel on disconnect

  fireCancelOnDisconnect(s: Session): void {
    const mode = s.cancelOnDisconnect;
    if (mode === v1.CancelOnDisconnect.CANCEL_ON_DISCONNECT_ACCOUNT) {
      for (const link of this.gw.links.values()) {
        link.request(
          {
            command: {
              cancelAll: {
                accountId: s.accountId,
                marketId: 0,
                reason: v1.CancelReason.CANCEL_REASON_CANCEL_ON_DISCONNECT,
              },
            },
          },
          (err) => {
            if (err !== undefined) {
              this.gw.log.error(
                { session: s.id, shard: link.shardId, err: err.message },
                'cancel-on-disconnect failed',
              );
            }
          },
        );
      }
      this.gw.log.info(
        { session: s.id, account: s.accountId },
        'cancel-on-disconnect (account) sent',
      );
    } else if (mode === v1.CancelOnDisconnect.CANCEL_ON_DISCONNECT_SESSION) {
      let n = 0;
      for (const [shardId, ids] of s.placed) {
        const open = this.gw.builders.get(shardId)!.orders;
        const live = [...ids].filter((id) => open.has(id));
        const link = this.gw.links.get(shardId);
        if (link === undefined) continue;
        for (let i = 0; i < live.length; i += MAX_BATCH_ITEMS) {
          const cancels = live
            .slice(i, i + MAX_BATCH_ITEMS)
            .map((orderId) => ({ accountId: s.accountId, orderId, clientOrderId: '' }));
          n += cancels.length;
          link.request({ command: { batchCancel: { cancels } } }, (err) => {
            if (err !== undefined) {
              this.gw.log.error(
                { session: s.id, shard: shardId, err: err.message },
                'cancel-on-disconnect failed',
              );
            }
          });
        }
      }
      s.placed.clear();
      this.gw.log.info(
        { session: s.id, account: s.accountId, orders: n },
        'cancel-on-disconnect (session) sent',
      );
    }
  }
}
