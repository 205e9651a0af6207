// Small LinkMessage frames written with the ProtoWriter (rejects, pongs,
// shutdown, hello ack, order status), and the reject reasons the link uses
// (exchange.v1.RejectReason numbers).
import type { RestingOrderView } from '../state-view';
import type { IdempotencyRecord } from './idempotency-window';
import type { ProtoWriter } from './proto-writer';

export const enum LinkReason {
  MARKET_UNKNOWN = 7,
  DUPLICATE_CLIENT_ORDER_ID = 12,
  MALFORMED_MESSAGE = 112,
  MESSAGE_TOO_LARGE = 113,
  UNSUPPORTED_MESSAGE = 114,
  NUMBER_OUT_OF_RANGE = 115,
  SLOW_CONSUMER = 116,
  ENGINE_UNAVAILABLE = 200,
  ENGINE_SHUTTING_DOWN = 202,
}

/** LinkMessage body field numbers. */
const RESULT_ORDER_STATUS = 2;
export const MSG_EVENTS = 3;
const MSG_PONG = 4;
const MSG_HELLO_ACK = 5;
const MSG_REJECT = 6;
const MSG_SHUTDOWN = 7;
const MSG_DEAD_MAN_SWITCH = 8;

/** DeadManSwitchResult: reject_reason 0 = armed (fires_at_us) or disarmed (fires_at_us 0). */
export function writeDeadManSwitchResult(
  w: ProtoWriter,
  correlationId: number,
  reason: number,
  firesAtUs: number,
  timeoutMs: number,
): void {
  const f = w.beginFrame();
  const m = w.beginLen(MSG_DEAD_MAN_SWITCH);
  w.uint(1, correlationId);
  w.uint(2, reason);
  w.uint(3, firesAtUs);
  w.uint(4, timeoutMs);
  w.endLen(m);
  w.endFrame(f);
}

export function writeReject(
  w: ProtoWriter,
  correlationId: number,
  reason: number,
  message: string,
): void {
  const f = w.beginFrame();
  const m = w.beginLen(MSG_REJECT);
  w.uint(1, correlationId);
  w.uint(2, reason);
  w.string(3, message);
  w.endLen(m);
  w.endFrame(f);
}

export function writeShutdown(w: ProtoWriter, reason: number, message: string): void {
  const f = w.beginFrame();
  const m = w.beginLen(MSG_SHUTDOWN);
  w.uint(1, reason);
  w.string(2, message);
  w.endLen(m);
  w.endFrame(f);
}

export function writePong(w: ProtoWriter, timeUs: number, engineTimeUs: number): void {
  const f = w.beginFrame();
  const m = w.beginLen(MSG_PONG);
  w.uint(1, timeUs);
  w.uint(2, engineTimeUs);
  w.endLen(m);
  w.endFrame(f);
}

export function writeHelloAck(
  w: ProtoWriter,
  shardId: number,
  lastSeq: number,
  marketIds: readonly number[],
): void {
  const f = w.beginFrame();
  const m = w.beginLen(MSG_HELLO_ACK);
  w.uint(1, shardId);
  w.uint(2, lastSeq);
  if (marketIds.length > 0) {
    const p = w.beginLen(3);
    for (const id of marketIds) w.varint(id);
    w.endLen(p);
  }
  w.endLen(m);
  w.endFrame(f);
}

/** OrderStatusResult from an open order (engine) or a closed one (idempotency window). */
export function writeOrderStatus(
  w: ProtoWriter,
  correlationId: number,
  asOfSeq: number,
  open: RestingOrderView | undefined,
  closed: IdempotencyRecord | undefined,
): void {
  const f = w.beginFrame();
  const m = w.beginLen(RESULT_ORDER_STATUS);
  w.uint(1, correlationId);
  if (open !== undefined) {
    w.bool(2, true);
    w.uint(3, open.orderId);
    w.uint(4, open.accountId);
    w.uint(5, open.marketId);
    w.uint(6, open.side);
    w.uint(7, open.priceTicks);
    w.uint(8, open.qtyLots);
    w.uint(9, open.filledLots);
    w.uint(10, open.remainingLots);
    w.uint(11, open.filledLots > 0 ? 2 : 1);
    w.string(12, open.clientOrderId);
  } else if (closed !== undefined) {
    w.bool(2, true);
    w.uint(3, closed.orderId);
    w.uint(4, closed.accountId);
    w.uint(5, closed.marketId);
    w.uint(6, closed.side);
    w.uint(7, closed.currentPriceTicks);
    w.uint(8, closed.currentQtyLots);
    w.uint(9, closed.filledLots);
    w.uint(11, closed.status);
    w.string(12, closed.clientOrderId);
  }
  w.uint(13, asOfSeq);
  w.endLen(m);
  w.endFrame(f);
}
