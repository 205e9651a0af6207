// Large books: cancelling from the middle of a 100k-order queue (O(1): the
// order is unlinked from its level's FIFO) leaves the FIFO intact, and the
// per-account open-order limit. Correctness only: no timing assertions.
import t from 'tap';
import { MAX_OPEN_ORDERS_PER_ACCOUNT } from '../constants';
import { Engine } from '../engine';
import {
  A,
  B,
  C,
  CommandKind,
  cancel,
  EventKind as K,
  limit,
  lockedMatchesOrders,
  MKT,
  ok,
  only,
  RejectReason,
  run,
  Side,
  setup,
  TimeInForce,
} from './engine-fixture';

t.test('cancel in the middle of a 100k-order queue keeps the FIFO', async (t) => {
  const e = setup();
  const N = 100_000;
  const cmd = limit(A, Side.SELL, 500, 1);
  for (let i = 0; i < N; i++) {
    cmd.accountId = i % 2 === 0 ? A : B;
    e.submit(cmd, 0);
    if ((i & 4095) === 0) e.events.clear();
  }
  e.events.clear();
  t.equal(e.restingOrderCount(), N);
  t.same(e.depth(MKT, Side.SELL, 1), [{ priceTicks: 500, qtyLots: N, orderCount: N }]);
  const middle = N / 2 + 1; // order ids are 1..N; an odd id is A's
  const ev = ok(e, cancel(A, middle));
  t.match(only(ev, K.BOOK_LEVEL), [{ priceTicks: 500, qtyLots: N - 1, orderCount: N - 1 }]);
  ok(e, cancel(B, 2)); // near the head
  ok(e, cancel(A, N - 1)); // near the tail
  const ids: number[] = [];
  e.forEachRestingOrder(MKT, Side.SELL, (o) => ids.push(o.orderId));
  t.equal(ids.length, N - 3);
  let sorted = true;
  for (let i = 1; i < ids.length; i++) if (ids[i]! <= ids[i - 1]!) sorted = false;
  t.ok(sorted, 'time priority preserved');
  t.notOk(ids.includes(middle) || ids.includes(2) || ids.includes(N - 1));
  // A taker sweeping across the gap meets the neighbours in order.
  for (let i = 0; i < N / 2 - 3; i++) e.submit(cancel(i % 2 === 0 ? A : B, i + 3), 0);
  e.events.clear();
  const sweep = ok(e, limit(C, Side.BUY, 500, 3, { timeInForce: TimeInForce.IOC }));
  t.same(
    only(sweep, K.TRADE).map((x) => x.makerOrderId),
    [1, N / 2, N / 2 + 2],
  );
  t.ok(lockedMatchesOrders(e));
});

t.test('TOO_MANY_OPEN_ORDERS at MAX_OPEN_ORDERS_PER_ACCOUNT (GTC only)', async (t) => {
  const e = setup();
  const cmd = limit(A, Side.BUY, 1, 1);
  for (let i = 0; i < MAX_OPEN_ORDERS_PER_ACCOUNT; i++) {
    cmd.priceTicks = 1 + (i % 1_000);
    if (e.submit(cmd, 0) !== RejectReason.NONE) throw new Error(`order ${i} rejected`);
    if ((i & 4095) === 0) e.events.clear();
  }
  e.events.clear();
  t.equal(e.openOrderCount(A), MAX_OPEN_ORDERS_PER_ACCOUNT);
  const r = run(e, limit(A, Side.BUY, 5, 1));
  t.equal(r.r, RejectReason.TOO_MANY_OPEN_ORDERS);
  // An IOC cannot rest: not subject to the limit.
  t.equal(run(e, limit(A, Side.BUY, 5, 1, { timeInForce: TimeInForce.IOC })).r, RejectReason.NONE);
  ok(e, cancel(A, 1));
  t.equal(run(e, limit(A, Side.BUY, 5, 1)).r, RejectReason.NONE);
  // Cancel-all of 200k orders: every one, in entry order, in one drain.
  const all = run(e, { kind: CommandKind.CANCEL_ALL, accountId: A, marketId: 0, reason: 1 });
  const canceled = only(all.ev, K.ORDER_CANCELED);
  t.equal(canceled.length, MAX_OPEN_ORDERS_PER_ACCOUNT);
  t.equal(canceled[0]!.orderId, 2);
  t.equal(canceled.at(-1)!.orderId, MAX_OPEN_ORDERS_PER_ACCOUNT + 2);
  t.equal(only(all.ev, K.BOOK_LEVEL).length, 1_000);
  t.equal(e.restingOrderCount(), 0);
  t.same(e.getBalance(A, 2), { availableAtoms: 1e12, lockedAtoms: 0 });
  t.ok(e instanceof Engine);
});
