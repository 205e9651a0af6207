// OrderResponse acks from a CommandResult's events: one ack per request item,
// in request order. A batch's items are told apart by their first event
// (ORDER_ACCEPTED / ORDER_REJECTED for places; ORDER_CANCELED /
// ORDER_REJECTED for cancels), as SEMANTICS.md "Batches" guarantees.
import { EventKind } from '../engine/event';
import { CommandKind } from '../engine/types';
import { exchange } from '../proto';

const OrderStatus = exchange.v1.OrderStatus;
type Ack = exchange.v1.IOrderAck;
type Ev = exchange.v1.IEvent;

function kindOf(e: Ev): number {
  return e.kind ?? 0;
}

/** Final status of a placed order from its item's events. */
function placedAck(events: readonly Ev[], from: number, to: number): Ack {
  const first = events[from]!;
  if (kindOf(first) === EventKind.ORDER_REJECTED) {
    return {
      orderId: 0,
      clientOrderId: first.clientOrderId ?? '',
      rejectReason: first.rejectReason ?? 0,
      status: OrderStatus.ORDER_STATUS_REJECTED,
    };
  }
  const orderId = first.orderId ?? 0;
  const byBudget =
    (first.orderType ?? 0) === exchange.v1.OrderType.ORDER_TYPE_MARKET &&
    (first.qtyLots ?? 0) === 0;
  let traded = false;
  let remaining = first.qtyLots ?? 0;
  let status: number = OrderStatus.ORDER_STATUS_NEW;
  for (let i = from + 1; i < to; i++) {
    const e = events[i]!;
    if (kindOf(e) === EventKind.TRADE && (e.orderId ?? 0) === orderId) {
      traded = true;
      remaining = e.remainingLots ?? 0;
    } else if (kindOf(e) === EventKind.TRADE && (e.makerOrderId ?? 0) === orderId) {
      traded = true;
      remaining = e.makerRemainingLots ?? 0;
    } else if (kindOf(e) === EventKind.ORDER_EXPIRED && (e.orderId ?? 0) === orderId) {
      status = OrderStatus.ORDER_STATUS_EXPIRED;
    } else if (kindOf(e) === EventKind.ORDER_CANCELED && (e.orderId ?? 0) === orderId) {
      status = OrderStatus.ORDER_STATUS_CANCELED;
    }
  }
  if (status === OrderStatus.ORDER_STATUS_NEW && traded) {
    status =
      byBudget || remaining === 0
        ? OrderStatus.ORDER_STATUS_FILLED
        : OrderStatus.ORDER_STATUS_PARTIALLY_FILLED;
  }
  return { orderId, clientOrderId: first.clientOrderId ?? '', rejectReason: 0, status };
}

function isPlaceItemStart(e: Ev): boolean {
  return (
    kindOf(e) === EventKind.ORDER_ACCEPTED ||
    (kindOf(e) === EventKind.ORDER_REJECTED && (e.commandKind ?? 0) === CommandKind.PLACE_ORDER)
  );
}

function isCancelItemStart(e: Ev): boolean {
  return (
    kindOf(e) === EventKind.ORDER_CANCELED ||
    (kindOf(e) === EventKind.ORDER_REJECTED && (e.commandKind ?? 0) === CommandKind.CANCEL_ORDER)
  );
}

function rejectedAll(n: number, reason: number, clientOrderIds: readonly string[]): Ack[] {
  const out: Ack[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      orderId: 0,
      clientOrderId: clientOrderIds[i] ?? '',
      rejectReason: reason,
      status: OrderStatus.ORDER_STATUS_REJECTED,
    });
  }
  return out;
}

/** The ack of a PLACE_ORDER result: placeAcks(result, 1, [clientOrderId])[0] without its arrays. */
export function placeAck(result: exchange.v1.ICommandResult, clientOrderId: string): Ack {
  const events = result.events ?? [];
  let from = -1;
  let to = events.length;
  for (let i = 0; i < events.length; i++) {
    if (!isPlaceItemStart(events[i]!)) continue;
    if (from >= 0) {
      to = i;
      break;
    }
    from = i;
  }
  if (from >= 0) return placedAck(events, from, to);
  return {
    orderId: 0,
    clientOrderId,
    rejectReason: result.rejectReason || exchange.v1.RejectReason.REJECT_REASON_INVALID_COMMAND,
    status: OrderStatus.ORDER_STATUS_REJECTED,
  };
}

/** Acks of a PLACE_ORDER (n = 1) or BATCH_PLACE (n items) result. */
export function placeAcks(
  result: exchange.v1.ICommandResult,
  n: number,
  clientOrderIds: readonly string[],
): Ack[] {
  const events = result.events ?? [];
  if ((result.rejectReason ?? 0) !== 0 && n > 1)
    return rejectedAll(n, result.rejectReason!, clientOrderIds);
  const starts: number[] = [];
  for (let i = 0; i < events.length; i++) if (isPlaceItemStart(events[i]!)) starts.push(i);
  const out: Ack[] = [];
  for (let k = 0; k < starts.length && k < n; k++) {
    out.push(placedAck(events, starts[k]!, k + 1 < starts.length ? starts[k + 1]! : events.length));
  }
  if (out.length < n) {
    const reason = result.rejectReason || exchange.v1.RejectReason.REJECT_REASON_INVALID_COMMAND;
    out.push(...rejectedAll(n - out.length, reason, clientOrderIds.slice(out.length)));
  }
  return out;
}

/** Acks of a CANCEL_ORDER (n = 1) or BATCH_CANCEL (n items) result. */
export function cancelAcks(
  result: exchange.v1.ICommandResult,
  n: number,
  clientOrderIds: readonly string[],
): Ack[] {
  const events = result.events ?? [];
  if ((result.rejectReason ?? 0) !== 0 && n > 1)
    return rejectedAll(n, result.rejectReason!, clientOrderIds);
  const out: Ack[] = [];
  for (const e of events) {
    if (!isCancelItemStart(e)) continue;
    if (kindOf(e) === EventKind.ORDER_CANCELED) {
      out.push({
        orderId: e.orderId ?? 0,
        clientOrderId: e.clientOrderId ?? '',
        rejectReason: 0,
        status: OrderStatus.ORDER_STATUS_CANCELED,
      });
    } else {
      out.push({
        orderId: e.orderId ?? 0,
        clientOrderId: e.clientOrderId ?? '',
        rejectReason: e.rejectReason ?? 0,
        status: OrderStatus.ORDER_STATUS_REJECTED,
      });
    }
    if (out.length === n) break;
  }
  if (out.length < n) {
    const reason = result.rejectReason || exchange.v1.RejectReason.REJECT_REASON_INVALID_COMMAND;
    out.push(...rejectedAll(n - out.length, reason, clientOrderIds.slice(out.length)));
  }
  return out;
}

/** Acks of a CANCEL_ALL result: one per canceled order (or one reject). */
export function cancelAllAcks(result: exchange.v1.ICommandResult): Ack[] {
  const events = result.events ?? [];
  if ((result.rejectReason ?? 0) !== 0) {
    return rejectedAll(1, result.rejectReason!, []);
  }
  const out: Ack[] = [];
  for (const e of events) {
    if (kindOf(e) === EventKind.ORDER_CANCELED) {
      out.push({
        orderId: e.orderId ?? 0,
        clientOrderId: e.clientOrderId ?? '',
        rejectReason: 0,
        status: OrderStatus.ORDER_STATUS_CANCELED,
      });
    }
  }
  return out;
}

/** The ack of an AMEND_ORDER result. */
export function amendAck(result: exchange.v1.ICommandResult, clientOrderId: string): Ack {
  const events = result.events ?? [];
  const first = events[0];
  if (
    (result.rejectReason ?? 0) !== 0 ||
    first === undefined ||
    kindOf(first) !== EventKind.ORDER_AMENDED
  ) {
    return {
      orderId: first?.orderId ?? 0,
      clientOrderId: first?.clientOrderId || clientOrderId,
      rejectReason:
        result.rejectReason ||
        first?.rejectReason ||
        exchange.v1.RejectReason.REJECT_REASON_INVALID_COMMAND,
      status: OrderStatus.ORDER_STATUS_REJECTED,
    };
  }
  const orderId = first.orderId ?? 0;
  let remaining = first.remainingLots ?? 0;
  const qty = first.qtyLots ?? 0;
  for (let i = 1; i < events.length; i++) {
    const e = events[i]!;
    if (kindOf(e) === EventKind.TRADE && (e.orderId ?? 0) === orderId)
      remaining = e.remainingLots ?? 0;
  }
  const status =
    remaining === 0
      ? OrderStatus.ORDER_STATUS_FILLED
      : remaining < qty
        ? OrderStatus.ORDER_STATUS_PARTIALLY_FILLED
        : OrderStatus.ORDER_STATUS_NEW;
  return { orderId, clientOrderId: first.clientOrderId ?? clientOrderId, rejectReason: 0, status };
}
