// The event log's record layouts: the offsets the engine writes at (the *Rec
// enums in event.ts) are the ones the reader derives from EVENT_FIELDS, and
// every getter of the Event view reads its own field.
import t from 'tap';
import {
  AcceptedRec,
  AmendedRec,
  BalanceRec,
  DmsFiredRec,
  DmsSetRec,
  EVENT_FIELDS,
  Event,
  EventKind,
  FeesRec,
  type Field,
  FundsRec,
  IdRec,
  LevelRec,
  OutRec,
  RejectedRec,
  StatusRec,
  StpRec,
  TradeRec,
} from '../event';
import { EventBuffer, RECORD_SIZE, recordOffset } from '../event-buffer';

// What the engine writes: kind -> [field, offset] in declaration order, and SIZE.
const WRITTEN: Record<number, [Record<string, number>, number]> = {
  [EventKind.ORDER_ACCEPTED]: [
    {
      orderId: AcceptedRec.orderId,
      accountId: AcceptedRec.accountId,
      marketId: AcceptedRec.marketId,
      side: AcceptedRec.side,
      orderType: AcceptedRec.orderType,
      timeInForce: AcceptedRec.timeInForce,
      stpMode: AcceptedRec.stpMode,
      flags: AcceptedRec.flags,
      priceTicks: AcceptedRec.priceTicks,
      qtyLots: AcceptedRec.qtyLots,
      quoteAtoms: AcceptedRec.quoteAtoms,
    },
    AcceptedRec.SIZE,
  ],
  [EventKind.ORDER_REJECTED]: [
    {
      commandKind: RejectedRec.commandKind,
      reason: RejectedRec.reason,
      accountId: RejectedRec.accountId,
      marketId: RejectedRec.marketId,
      orderId: RejectedRec.orderId,
      refId: RejectedRec.refId,
    },
    RejectedRec.SIZE,
  ],
  [EventKind.TRADE]: [
    {
      tradeId: TradeRec.tradeId,
      marketId: TradeRec.marketId,
      orderId: TradeRec.orderId,
      accountId: TradeRec.accountId,
      side: TradeRec.side,
      makerOrderId: TradeRec.makerOrderId,
      makerAccountId: TradeRec.makerAccountId,
      priceTicks: TradeRec.priceTicks,
      qtyLots: TradeRec.qtyLots,
      quoteAtoms: TradeRec.quoteAtoms,
      remainingLots: TradeRec.remainingLots,
      makerRemainingLots: TradeRec.makerRemainingLots,
      takerFeeAtoms: TradeRec.takerFeeAtoms,
      makerFeeAtoms: TradeRec.makerFeeAtoms,
    },
    TradeRec.SIZE,
  ],
  [EventKind.ORDER_AMENDED]: [
    {
      orderId: AmendedRec.orderId,
      accountId: AmendedRec.accountId,
      marketId: AmendedRec.marketId,
      priceTicks: AmendedRec.priceTicks,
      qtyLots: AmendedRec.qtyLots,
      remainingLots: AmendedRec.remainingLots,
      flags: AmendedRec.flags,
    },
    AmendedRec.SIZE,
  ],
  [EventKind.SELF_TRADE_PREVENTED]: [
    {
      marketId: StpRec.marketId,
      orderId: StpRec.orderId,
      accountId: StpRec.accountId,
      makerOrderId: StpRec.makerOrderId,
      stpMode: StpRec.stpMode,
      qtyLots: StpRec.qtyLots,
    },
    StpRec.SIZE,
  ],
  [EventKind.BOOK_LEVEL]: [
    {
      marketId: LevelRec.marketId,
      side: LevelRec.side,
      priceTicks: LevelRec.priceTicks,
      qtyLots: LevelRec.qtyLots,
      orderCount: LevelRec.orderCount,
    },
    LevelRec.SIZE,
  ],
  [EventKind.BALANCE]: [
    {
      accountId: BalanceRec.accountId,
      assetId: BalanceRec.assetId,
      availableAtoms: BalanceRec.availableAtoms,
      lockedAtoms: BalanceRec.lockedAtoms,
    },
    BalanceRec.SIZE,
  ],
  [EventKind.ASSET_ADDED]: [{ assetId: IdRec.id }, IdRec.SIZE],
  [EventKind.MARKET_ADDED]: [{ marketId: IdRec.id }, IdRec.SIZE],
  [EventKind.MARKET_STATUS_SET]: [
    { marketId: StatusRec.marketId, status: StatusRec.status },
    StatusRec.SIZE,
  ],
  [EventKind.DEAD_MAN_SWITCH_SET]: [
    {
      accountId: DmsSetRec.accountId,
      marketId: DmsSetRec.marketId,
      timeoutMs: DmsSetRec.timeoutMs,
      deadlineUs: DmsSetRec.deadlineUs,
    },
    DmsSetRec.SIZE,
  ],
  [EventKind.DEAD_MAN_SWITCH_FIRED]: [
    {
      accountId: DmsFiredRec.accountId,
      marketId: DmsFiredRec.marketId,
      deadlineUs: DmsFiredRec.deadlineUs,
    },
    DmsFiredRec.SIZE,
  ],
};
const out = {
  orderId: OutRec.orderId,
  accountId: OutRec.accountId,
  marketId: OutRec.marketId,
  reason: OutRec.reason,
  qtyLots: OutRec.qtyLots,
  quoteAtoms: OutRec.quoteAtoms,
};
WRITTEN[EventKind.ORDER_CANCELED] = [out, OutRec.SIZE];
WRITTEN[EventKind.ORDER_EXPIRED] = [out, OutRec.SIZE];
const funds = {
  accountId: FundsRec.accountId,
  assetId: FundsRec.assetId,
  amountAtoms: FundsRec.amountAtoms,
  refId: FundsRec.refId,
};
for (const k of [
  EventKind.DEPOSITED,
  EventKind.WITHDRAWAL_LOCKED,
  EventKind.WITHDRAWAL_FINALIZED,
  EventKind.WITHDRAWAL_RELEASED,
]) {
  WRITTEN[k] = [funds, FundsRec.SIZE];
}
const fees = {
  accountId: FeesRec.accountId,
  makerFeeBps: FeesRec.makerFeeBps,
  takerFeeBps: FeesRec.takerFeeBps,
};
WRITTEN[EventKind.FEES_SET] = [fees, FeesRec.SIZE];
WRITTEN[EventKind.ACCOUNT_ADDED] = [fees, FeesRec.SIZE];

t.test('every kind: the engine writes each field where the reader looks for it', async (t) => {
  const kinds = Object.keys(EVENT_FIELDS).map(Number);
  t.equal(kinds.length, 20);
  for (const kind of kinds) {
    const [fields, size] = WRITTEN[kind]!;
    t.equal(RECORD_SIZE[kind], size, `kind ${kind}: record size`);
    const numeric = EVENT_FIELDS[kind as EventKind].filter((f) => f !== 'clientOrderId');
    t.same(Object.keys(fields).sort(), [...numeric].sort(), `kind ${kind}: the same fields`);
    for (const f of numeric) {
      t.equal(recordOffset(kind, f), fields[f], `kind ${kind}: ${f}`);
    }
  }
});

t.test('each view getter reads its own field, and absent fields read 0 or empty', async (t) => {
  const b = new EventBuffer();
  let wrong = 0;
  for (const kind of Object.keys(EVENT_FIELDS).map(Number)) {
    b.clear();
    const [fields, size] = WRITTEN[kind]!;
    const p = b.begin(kind, 1000 + kind, size);
    for (const off of Object.values(fields)) b.f[p + off] = 7_000_000 + off * 31 + kind;
    b.setString(`cid-${kind}`);
    const v = b.at(0);
    if (v.kind !== kind || v.seq !== 1000 + kind) wrong++;
    for (const f of Object.keys(new Event()).filter(
      (k) => k !== 'kind' && k !== 'seq',
    ) as Field[]) {
      const got = (v as unknown as Record<string, unknown>)[f];
      let want: unknown;
      if (f === 'clientOrderId') {
        want = EVENT_FIELDS[kind as EventKind].includes('clientOrderId') ? `cid-${kind}` : '';
      } else want = f in fields ? 7_000_000 + fields[f]! * 31 + kind : 0;
      if (got !== want) {
        wrong++;
        t.fail(`kind ${kind} field ${f}: got ${String(got)}, want ${String(want)}`);
      }
    }
  }
  t.equal(wrong, 0, 'every getter of every kind');
});

t.test('the log grows past its initial size and keeps every record', async (t) => {
  const b = new EventBuffer();
  const n = 70_000 * 3;
  for (let i = 0; i < n; i++) {
    const p = b.begin(EventKind.TRADE, i, TradeRec.SIZE);
    b.f[p + TradeRec.qtyLots] = i * 2;
  }
  let bad = 0;
  for (let i = 0; i < n; i += 97) if (b.at(i).qtyLots !== i * 2 || b.at(i).seq !== i) bad++;
  t.equal(b.count, n);
  t.equal(bad, 0);
});
