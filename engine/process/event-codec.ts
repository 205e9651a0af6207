// Engine Event -> exchange.v1.Event bytes, by kind, using EVENT_FIELDS: only
// the fields a kind defines are written (a plain Event may carry stale values
// in the others). Event.reason becomes reject_reason for ORDER_REJECTED and
// cancel_reason for ORDER_CANCELED / ORDER_EXPIRED. writeLogEventBody writes
// the same bytes straight from the fast engine's event log.
import { assert } from '../../common/errors';
import { EVENT_FIELDS, Event, EventKind, type Field } from '../event';
import { type EventBuffer, recordOffset } from '../event-buffer';
import type { ProtoWriter } from './proto-writer';

/**
 * Writes the fields of one event (the body of an exchange.v1.Event, no tag or
 * length): kind, seq, then the kind's EVENT_FIELDS in their order, each with
 * its exchange.v1.Event field number. Spelled out per kind (monomorphic
 * property reads on the hot path); test/codec.test.ts checks it against
 * EVENT_FIELDS and the generated decoder.
 */
export function writeEventBody(w: ProtoWriter, ev: Event): void {
  w.uint(1, ev.kind);
  w.uint(2, ev.seq);
  switch (ev.kind) {
    case EventKind.ORDER_ACCEPTED:
      w.uint(3, ev.orderId);
      w.uint(4, ev.accountId);
      w.uint(5, ev.marketId);
      w.uint(6, ev.side);
      w.uint(20, ev.orderType);
      w.uint(21, ev.timeInForce);
      w.uint(22, ev.stpMode);
      w.uint(23, ev.flags);
      w.uint(7, ev.priceTicks);
      w.uint(8, ev.qtyLots);
      w.uint(10, ev.quoteAtoms);
      w.string(33, ev.clientOrderId);
      return;
    case EventKind.ORDER_REJECTED:
      w.uint(17, ev.commandKind);
      w.uint(18, ev.reason);
      w.uint(4, ev.accountId);
      w.uint(5, ev.marketId);
      w.uint(3, ev.orderId);
      w.uint(28, ev.refId);
      w.string(33, ev.clientOrderId);
      return;
    case EventKind.TRADE:
      w.uint(11, ev.tradeId);
      w.uint(5, ev.marketId);
      w.uint(3, ev.orderId);
      w.uint(4, ev.accountId);
      w.uint(6, ev.side);
      w.uint(12, ev.makerOrderId);
      w.uint(13, ev.makerAccountId);
      w.uint(7, ev.priceTicks);
      w.uint(8, ev.qtyLots);
      w.uint(10, ev.quoteAtoms);
      w.uint(9, ev.remainingLots);
      w.uint(14, ev.makerRemainingLots);
      w.sint(15, ev.takerFeeAtoms);
      w.sint(16, ev.makerFeeAtoms);
      return;
    case EventKind.ORDER_CANCELED:
      w.uint(3, ev.orderId);
      w.uint(4, ev.accountId);
      w.uint(5, ev.marketId);
      w.uint(19, ev.reason);
      w.uint(8, ev.qtyLots);
      w.uint(10, ev.quoteAtoms);
      w.string(33, ev.clientOrderId);
      return;
    case EventKind.ORDER_EXPIRED:
      w.uint(3, ev.orderId);
      w.uint(4, ev.accountId);
      w.uint(5, ev.marketId);
      w.uint(19, ev.reason);
      w.uint(8, ev.qtyLots);
      w.uint(10, ev.quoteAtoms);
      w.string(33, ev.clientOrderId);
      return;
    case EventKind.ORDER_AMENDED:
      w.uint(3, ev.orderId);
      w.uint(4, ev.accountId);
      w.uint(5, ev.marketId);
      w.uint(7, ev.priceTicks);
      w.uint(8, ev.qtyLots);
      w.uint(9, ev.remainingLots);
      w.uint(23, ev.flags);
      w.string(33, ev.clientOrderId);
      return;
    case EventKind.SELF_TRADE_PREVENTED:
      w.uint(5, ev.marketId);
      w.uint(3, ev.orderId);
      w.uint(4, ev.accountId);
      w.uint(12, ev.makerOrderId);
      w.uint(22, ev.stpMode);
      w.uint(8, ev.qtyLots);
      return;
    case EventKind.BOOK_LEVEL:
      w.uint(5, ev.marketId);
      w.uint(6, ev.side);
      w.uint(7, ev.priceTicks);
      w.uint(8, ev.qtyLots);
      w.uint(29, ev.orderCount);
      return;
    case EventKind.BALANCE:
      w.uint(4, ev.accountId);
      w.uint(24, ev.assetId);
      w.uint(25, ev.availableAtoms);
      w.uint(26, ev.lockedAtoms);
      return;
    case EventKind.DEPOSITED:
      w.uint(4, ev.accountId);
      w.uint(24, ev.assetId);
      w.uint(27, ev.amountAtoms);
      w.uint(28, ev.refId);
      return;
    case EventKind.WITHDRAWAL_LOCKED:
      w.uint(4, ev.accountId);
      w.uint(24, ev.assetId);
      w.uint(27, ev.amountAtoms);
      w.uint(28, ev.refId);
      return;
    case EventKind.WITHDRAWAL_FINALIZED:
      w.uint(4, ev.accountId);
      w.uint(24, ev.assetId);
      w.uint(27, ev.amountAtoms);
      w.uint(28, ev.refId);
      return;
    case EventKind.WITHDRAWAL_RELEASED:
      w.uint(4, ev.accountId);
      w.uint(24, ev.assetId);
      w.uint(27, ev.amountAtoms);
      w.uint(28, ev.refId);
      return;
    case EventKind.FEES_SET:
      w.uint(4, ev.accountId);
      w.sint(30, ev.makerFeeBps);
      w.sint(31, ev.takerFeeBps);
      return;
    case EventKind.ASSET_ADDED:
      w.uint(24, ev.assetId);
      return;
    case EventKind.ACCOUNT_ADDED:
      w.uint(4, ev.accountId);
      w.sint(30, ev.makerFeeBps);
      w.sint(31, ev.takerFeeBps);
      return;
    case EventKind.MARKET_ADDED:
      w.uint(5, ev.marketId);
      return;
    case EventKind.MARKET_STATUS_SET:
      w.uint(5, ev.marketId);
      w.uint(32, ev.status);
      return;
    case EventKind.DEAD_MAN_SWITCH_SET:
      w.uint(4, ev.accountId);
      w.uint(5, ev.marketId);
      w.uint(34, ev.timeoutMs);
      w.uint(35, ev.deadlineUs);
      return;
    case EventKind.DEAD_MAN_SWITCH_FIRED:
      w.uint(4, ev.accountId);
      w.uint(5, ev.marketId);
      w.uint(35, ev.deadlineUs);
      return;
    default:
      throw new Error(`unknown event kind ${ev.kind}`);
  }
}

// ------------------------------------------------ the fast engine's records

const UINT = 0;
const SINT = 1;
const STRING = 2;

/**
 * Per kind, what writeEventBody writes after kind and seq, as triples
 * (proto field, offset in the event log record, UINT | SINT | STRING). Not
 * written out a second time: derived once from writeEventBody itself, by
 * running it on a probe event whose every field holds a distinct value
 * and recording the calls, so the two can never disagree.
 */
const PLANS: Int32Array[] = [];
{
  const fields = Object.keys(new Event()).filter((f) => f !== 'kind' && f !== 'seq') as Field[];
  for (const k of Object.keys(EVENT_FIELDS).map(Number) as EventKind[]) {
    const probe = new Event() as unknown as Record<string, number | string>;
    probe.kind = k;
    probe.seq = 1;
    fields.forEach((f, i) => {
      probe[f] = f === 'clientOrderId' ? 'probe' : 1_000 + i;
    });
    const plan: number[] = [];
    const recorder = {
      uint(field: number, v: number) {
        if (field > 2) plan.push(field, recordOffset(k, fields[v - 1_000]!), UINT);
      },
      sint(field: number, v: number) {
        plan.push(field, recordOffset(k, fields[v - 1_000]!), SINT);
      },
      string(field: number) {
        plan.push(field, 0, STRING);
      },
    };
    writeEventBody(recorder as unknown as ProtoWriter, probe as unknown as Event);
    for (let j = 0; j < plan.length; j += 3) {
      assert(
        plan[j + 2] === STRING || plan[j + 1]! >= 2,
        `kind ${k}: every field is in its record`,
      );
    }
    PLANS[k] = Int32Array.from(plan);
  }
}

/**
 * The bytes writeEventBody writes for the fast engine's event `index`, read
 * straight from its record (no Event view: one typed-array read a field).
 */
export function writeLogEventBody(w: ProtoWriter, log: EventBuffer, index: number): void {
  const f = log.f;
  const p = log.startOf(index);
  const kind = f[p]!;
  w.uint(1, kind);
  w.uint(2, f[p + 1]!);
  const plan = PLANS[kind]!;
  for (let j = 0; j < plan.length; j += 3) {
    const t = plan[j + 2];
    if (t === UINT) w.uint(plan[j]!, f[p + plan[j + 1]!]!);
    else if (t === SINT) w.sint(plan[j]!, f[p + plan[j + 1]!]!);
    else w.string(plan[j]!, log.str(index));
  }
}

/** Proto Event field name -> engine Event property, for decoding journaled events (tests, tools). */
export function protoEventToPlain(ev: {
  kind: number;
  seq: number;
  [k: string]: unknown;
}): Record<string, number | string> {
  const kind = ev.kind as EventKind;
  const out: Record<string, number | string> = { kind, seq: ev.seq };
  const fields = EVENT_FIELDS[kind];
  if (fields === undefined) return out;
  for (const f of fields) {
    if (f === 'reason') {
      out.reason = (
        kind === EventKind.ORDER_REJECTED ? ev.rejectReason : ev.cancelReason
      ) as number;
    } else {
      out[f] = ev[f] as number | string;
    }
  }
  return out;
}
