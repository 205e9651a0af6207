// Reference model: amend keeps priority only for a smaller quantity at the
// same price; anything else re-enters at the back (and may trade).
// Market: 10 base atoms per lot, 1 quote atom per tick-lot; fees 0 except
// account 12 (taker 20 bps).
import t from 'tap';
import { FLAG_KEPT_PRIORITY } from '../event';
import { RejectReason } from '../reject-reason';
import { CancelReason, CommandKind, Side } from '../types';
import { fixture, limit, QUOTE } from './naive-fixture';

const F = 1_000_000;

function amend(accountId: number, orderId: number, newPriceTicks: number, newQtyLots: number) {
  return {
    kind: CommandKind.AMEND_ORDER,
    accountId,
    orderId,
    clientOrderId: '',
    newPriceTicks,
    newQtyLots,
  } as const;
}

function setup() {
  const f = fixture({ 10: [0, 0], 11: [0, 0], 12: [0, 20] }, {}, F);
  f.ok(limit(10, Side.BUY, 5, 100)); // X = #1
  f.ok(limit(11, Side.BUY, 5, 100)); // Y = #2
  return f;
}

t.test('smaller quantity at the same price keeps priority and releases the lock', async (t) => {
  const f = setup();
  const r = f.ok(amend(10, 1, 0, 3));
  t.strictSame(r.kinds, ['ORDER_AMENDED', 'BOOK_LEVEL', 'BALANCE']);
  t.match(r.events[0], {
    orderId: 1,
    priceTicks: 100,
    qtyLots: 3,
    remainingLots: 3,
    flags: FLAG_KEPT_PRIORITY,
  });
  t.match(r.events[1], { side: 1, priceTicks: 100, qtyLots: 8, orderCount: 2 });
  t.match(r.events[2], {
    accountId: 10,
    assetId: QUOTE,
    availableAtoms: F - 300,
    lockedAtoms: 300,
  });
  t.strictSame(f.book(Side.BUY), [1, 2]);
  // A seller of 3 hits X first.
  const s = f.ok(limit(12, Side.SELL, 3, 100));
  t.match(s.events[1], { makerOrderId: 1, qtyLots: 3 });
});

t.test('same price given explicitly, smaller quantity: still keeps priority', async (t) => {
  const f = setup();
  const r = f.ok(amend(10, 1, 100, 4));
  t.equal(r.events[0]!.flags, FLAG_KEPT_PRIORITY);
});

t.test('more quantity loses priority', async (t) => {
  const f = setup();
  const r = f.ok(amend(10, 1, 0, 7));
  t.strictSame(r.kinds, ['ORDER_AMENDED', 'BOOK_LEVEL', 'BALANCE']);
  t.match(r.events[0], { qtyLots: 7, remainingLots: 7, flags: 0 });
  t.match(r.events[1], { qtyLots: 12, orderCount: 2 });
  t.strictSame(f.book(Side.BUY), [2, 1]);
  const s = f.ok(limit(12, Side.SELL, 5, 100));
  t.match(s.events[1], { makerOrderId: 2, qtyLots: 5 });
});

t.test('a new price re-enters at the back of the new level', async (t) => {
  const f = setup();
  f.ok(limit(11, Side.BUY, 1, 101)); // #3
  const r = f.ok(amend(10, 1, 101, 0));
  t.strictSame(r.kinds, ['ORDER_AMENDED', 'BOOK_LEVEL', 'BOOK_LEVEL', 'BALANCE']);
  t.match(r.events[1], { priceTicks: 100, qtyLots: 5, orderCount: 1 });
  t.match(r.events[2], { priceTicks: 101, qtyLots: 6, orderCount: 2 });
  // Lock 5 * 100 -> 5 * 101.
  t.match(r.events[3], { availableAtoms: F - 505, lockedAtoms: 505 });
  t.strictSame(f.book(Side.BUY), [3, 1, 2]);
  // Back to 100: behind Y now, even though it was first there before.
  f.ok(amend(10, 1, 100, 0));
  t.strictSame(f.book(Side.BUY), [3, 2, 1]);
});

t.test('a crossing amend trades as a taker (taker fee), then rests', async (t) => {
  const f = setup();
  f.ok(limit(11, Side.SELL, 2, 102)); // #3
  const r = f.ok({ kind: CommandKind.SET_FEES, accountId: 10, makerFeeBps: 0, takerFeeBps: 20 });
  t.equal(r.ret, 0);
  const a = f.ok(amend(10, 1, 102, 0));
  // ORDER_AMENDED first, then the trade of 2 @ 102; 3 lots rest at 102.
  t.strictSame(a.kinds.slice(0, 2), ['ORDER_AMENDED', 'TRADE']);
  t.match(a.events[0], { priceTicks: 102, qtyLots: 5, remainingLots: 5, flags: 0 });
  // Taker fee on 2 lots * 10 = 20 base atoms at 20 bps: ceil(0.04) = 1.
  t.match(a.events[1], {
    orderId: 1,
    accountId: 10,
    makerOrderId: 3,
    priceTicks: 102,
    qtyLots: 2,
    remainingLots: 3,
    takerFeeAtoms: 1,
  });
  t.strictSame(f.book(Side.BUY), [1, 2]);
  const o: unknown[] = [];
  f.eng.forEachRestingOrder(1, Side.BUY, (x) =>
    o.push([x.orderId, x.priceTicks, x.qtyLots, x.filledLots, x.remainingLots]),
  );
  t.strictSame(o[0], [1, 102, 5, 2, 3]);
});

t.test('no change, and quantity at or below what has filled', async (t) => {
  const f = setup();
  for (const [p, q] of [
    [0, 0],
    [100, 0],
    [0, 5],
    [100, 5],
  ]) {
    t.equal(f.run(amend(10, 1, p!, q!)).ret, RejectReason.AMEND_NO_CHANGE, `${p}/${q}`);
  }
  f.ok(limit(12, Side.SELL, 2, 100)); // X fills 2 of 5
  t.equal(f.run(amend(10, 1, 0, 2)).ret, RejectReason.QUANTITY_BELOW_MIN, 'new qty 2 <= filled 2');
  const r = f.ok(amend(10, 1, 0, 3));
  t.match(r.events[0], { qtyLots: 3, remainingLots: 1, flags: FLAG_KEPT_PRIORITY });
  t.equal(f.run(amend(10, 1, 0, 1001)).ret, RejectReason.QUANTITY_ABOVE_MAX);
  t.equal(f.run(amend(10, 1, 10_001, 0)).ret, RejectReason.PRICE_OUT_OF_RANGE);
  t.equal(f.run(amend(10, 1, -1, 0)).ret, RejectReason.INVALID_TICK_SIZE);
  t.equal(f.run(amend(10, 1, 0, 1.5)).ret, RejectReason.INVALID_LOT_SIZE);
  t.equal(f.run(amend(11, 1, 0, 4)).ret, RejectReason.ORDER_UNKNOWN, "not the account's");
});

t.test("the new lock may use the order's own lock; a rejected amend changes nothing", async (t) => {
  const f = fixture({ 10: [0, 0] }, {}, 0);
  f.deposit(10, QUOTE, 600);
  f.ok(limit(10, Side.BUY, 5, 100)); // locks 500, 100 left
  f.ok(amend(10, 1, 120, 0)); // needs 600 <= 100 + 500
  t.strictSame(f.balance(10, QUOTE), [0, 600]);
  const r = f.run(amend(10, 1, 121, 0)); // 605 > 600
  t.equal(r.ret, RejectReason.INSUFFICIENT_FUNDS);
  t.strictSame(r.kinds, ['ORDER_REJECTED']);
  t.strictSame(f.balance(10, QUOTE), [0, 600]);
});

t.test('post-only amend that would take is rejected', async (t) => {
  const f = setup();
  f.ok(limit(12, Side.BUY, 1, 99, { postOnly: true })); // #3
  f.ok(limit(11, Side.SELL, 1, 105)); // #4
  t.equal(f.run(amend(12, 3, 105, 0)).ret, RejectReason.POST_ONLY_WOULD_TAKE);
  t.equal(f.ok(amend(12, 3, 104, 0)).ret, 0);
});

t.test('cancel-all follows the order of (re-)entry', async (t) => {
  const f = setup();
  f.ok(limit(10, Side.SELL, 1, 200)); // #3
  f.ok(amend(10, 1, 0, 6)); // #1 re-enters after #3
  const r = f.ok({
    kind: CommandKind.CANCEL_ALL,
    accountId: 10,
    marketId: 0,
    reason: CancelReason.USER,
  });
  const canceled = r.events.filter((e) => e.kind === 4).map((e) => [e.orderId, e.reason]);
  t.strictSame(canceled, [
    [3, CancelReason.CANCEL_ALL],
    [1, CancelReason.CANCEL_ALL],
  ]);
});

t.test('amend by client order id', async (t) => {
  const f = fixture({ 10: [0, 0] });
  f.ok(limit(10, Side.BUY, 5, 100, { clientOrderId: 'abc' }));
  const r = f.ok({
    kind: CommandKind.AMEND_ORDER,
    accountId: 10,
    orderId: 0,
    clientOrderId: 'abc',
    newPriceTicks: 0,
    newQtyLots: 4,
  });
  t.match(r.events[0], { orderId: 1, clientOrderId: 'abc', qtyLots: 4 });
});
