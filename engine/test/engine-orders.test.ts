// Amend (keeping or losing priority, crossing and trading, rejected and
// untouched), cancel by id and client id, cancel-all in book-entry order, and
// the market status rules.
import t from 'tap';
import { FLAG_KEPT_PRIORITY } from '../event';
import {
  A,
  amend,
  B,
  bookIds,
  C,
  CancelReason,
  CommandKind,
  cancel,
  DEFAULT_MARKET,
  EventKind as K,
  kinds,
  limit,
  lockedMatchesOrders,
  MarketStatus,
  MKT,
  ok,
  only,
  place,
  QUOTE,
  RejectReason,
  rejectOf,
  run,
  Side,
  setup,
} from './engine-fixture';

const F = 1e12;

t.test('amend: lower quantity at the same price keeps priority', async (t) => {
  const e = setup();
  const id1 = place(e, limit(A, Side.BUY, 100, 10, { clientOrderId: 'a1' }));
  const id2 = place(e, limit(B, Side.BUY, 100, 5));
  const seq = e.lastSeq + 1;
  const ev = ok(e, amend(A, id1, 0, 6));
  t.same(ev, [
    {
      kind: K.ORDER_AMENDED,
      seq,
      orderId: id1,
      accountId: A,
      marketId: MKT,
      priceTicks: 100,
      qtyLots: 6,
      remainingLots: 6,
      flags: FLAG_KEPT_PRIORITY,
      clientOrderId: 'a1',
    },
    {
      kind: K.BOOK_LEVEL,
      seq,
      marketId: MKT,
      side: Side.BUY,
      priceTicks: 100,
      qtyLots: 11,
      orderCount: 2,
    },
    {
      kind: K.BALANCE,
      seq,
      accountId: A,
      assetId: QUOTE,
      availableAtoms: F - 600,
      lockedAtoms: 600,
    },
  ]);
  t.same(bookIds(e, Side.BUY), [id1, id2]);
  // The same with the price given explicitly, after a partial fill.
  place(e, limit(C, Side.SELL, 100, 2));
  t.match(e.getOrder(id1), { qtyLots: 6, filledLots: 2, remainingLots: 4 });
  const ev2 = ok(e, amend(A, id1, 100, 5));
  t.match(ev2[0], { qtyLots: 5, remainingLots: 3, flags: FLAG_KEPT_PRIORITY });
  t.same(bookIds(e, Side.BUY), [id1, id2]);
  t.ok(lockedMatchesOrders(e));
});

t.test('amend: more quantity, or a new price, loses priority', async (t) => {
  const e = setup();
  const id1 = place(e, limit(A, Side.BUY, 100, 10));
  const id2 = place(e, limit(B, Side.BUY, 100, 5));
  const ev = ok(e, amend(A, id1, 0, 12));
  t.match(ev[0], {
    kind: K.ORDER_AMENDED,
    flags: 0,
    qtyLots: 12,
    remainingLots: 12,
    priceTicks: 100,
  });
  t.same(kinds(ev), [K.ORDER_AMENDED, K.BOOK_LEVEL, K.BALANCE]);
  t.match(ev[1], { qtyLots: 17, orderCount: 2 });
  t.same(bookIds(e, Side.BUY), [id2, id1]);
  // A new price, then back: behind id2 again.
  ok(e, amend(A, id1, 99, 0));
  t.same(e.depth(MKT, Side.BUY, 5), [
    { priceTicks: 100, qtyLots: 5, orderCount: 1 },
    { priceTicks: 99, qtyLots: 12, orderCount: 1 },
  ]);
  const id3 = place(e, limit(C, Side.BUY, 100, 1));
  ok(e, amend(A, id1, 100, 0));
  t.same(bookIds(e, Side.BUY), [id2, id3, id1]);
  t.same(e.getBalance(A, QUOTE), { availableAtoms: F - 1_200, lockedAtoms: 1_200 });
  t.ok(lockedMatchesOrders(e));
});

t.test('amend: a new price that crosses trades as a taker, then rests', async (t) => {
  const e = setup();
  const id = place(e, limit(A, Side.BUY, 100, 10));
  const ask = place(e, limit(B, Side.SELL, 105, 4));
  place(e, limit(B, Side.SELL, 107, 4));
  const ev = ok(e, amend(A, id, 105, 0));
  t.same(kinds(ev).slice(0, 2), [K.ORDER_AMENDED, K.TRADE]);
  t.match(ev[0], { priceTicks: 105, qtyLots: 10, remainingLots: 10, flags: 0 });
  t.match(ev[1], {
    orderId: id,
    accountId: A,
    side: Side.BUY,
    makerOrderId: ask,
    priceTicks: 105,
    qtyLots: 4,
    remainingLots: 6,
  });
  t.match(only(ev, K.BOOK_LEVEL), [
    { side: Side.BUY, priceTicks: 100, qtyLots: 0, orderCount: 0 },
    { side: Side.BUY, priceTicks: 105, qtyLots: 6, orderCount: 1 },
    { side: Side.SELL, priceTicks: 105, qtyLots: 0, orderCount: 0 },
  ]);
  t.match(e.getOrder(id), { priceTicks: 105, qtyLots: 10, filledLots: 4, remainingLots: 6 });
  t.same(e.getBalance(A, QUOTE), { availableAtoms: F - 1_050, lockedAtoms: 630 });
  // Crossing through everything fills it: the order is gone.
  const ev2 = ok(e, amend(A, id, 107, 8));
  t.match(only(ev2, K.TRADE), [{ qtyLots: 4, remainingLots: 0 }]);
  t.equal(e.getOrder(id), undefined);
  t.equal(e.openOrderCount(A), 0);
  t.ok(lockedMatchesOrders(e));
});

t.test('amend re-entering meets its own order: its STP mode applies', async (t) => {
  const e = setup();
  const id = place(e, limit(A, Side.BUY, 100, 3));
  place(e, limit(A, Side.SELL, 102, 5));
  const ev = ok(e, amend(A, id, 102, 0));
  t.same(kinds(ev).slice(0, 3), [K.ORDER_AMENDED, K.SELF_TRADE_PREVENTED, K.ORDER_EXPIRED]);
  t.match(ev[2], { orderId: id, reason: CancelReason.SELF_TRADE, qtyLots: 3 });
  t.equal(e.getOrder(id), undefined);
  t.equal(e.openOrderCount(A), 1);
  t.ok(lockedMatchesOrders(e));
});

t.test('a rejected amend leaves the order exactly as it was', async (t) => {
  const e = setup({ funds: 0 });
  ok(e, { kind: CommandKind.DEPOSIT, accountId: A, assetId: QUOTE, amountAtoms: 1_500, refId: 1 });
  const id1 = place(e, limit(A, Side.BUY, 100, 10, { clientOrderId: 'x' }));
  ok(e, { kind: CommandKind.DEPOSIT, accountId: B, assetId: QUOTE, amountAtoms: 1_000, refId: 2 });
  const id2 = place(e, limit(B, Side.BUY, 100, 5));
  const view = e.getOrder(id1);
  const bal = e.getBalance(A, QUOTE);
  for (const [p, q, r] of [
    [200, 0, RejectReason.INSUFFICIENT_FUNDS],
    [0, 20, RejectReason.INSUFFICIENT_FUNDS],
    [-5, 0, RejectReason.INVALID_TICK_SIZE],
    [100, 10, RejectReason.AMEND_NO_CHANGE],
  ] as const) {
    t.equal(rejectOf(e, amend(A, id1, p, q)), r);
    t.same(e.getOrder(id1), view);
    t.same(e.getBalance(A, QUOTE), bal);
    t.same(bookIds(e, Side.BUY), [id1, id2]);
  }
  ok(e, amend(A, 0, 150, 0, 'x')); // by client order id
  t.match(e.getOrder(id1), { priceTicks: 150 });
});

t.test('cancel by id and by client order id', async (t) => {
  const e = setup();
  const id1 = place(e, limit(A, Side.SELL, 100, 3, { clientOrderId: 'q-1' }));
  const id2 = place(e, limit(A, Side.SELL, 100, 4, { clientOrderId: 'q-2' }));
  const seq = e.lastSeq + 1;
  t.same(ok(e, cancel(A, 0, 'q-1')), [
    {
      kind: K.ORDER_CANCELED,
      seq,
      orderId: id1,
      accountId: A,
      marketId: MKT,
      reason: CancelReason.USER,
      qtyLots: 3,
      quoteAtoms: 0,
      clientOrderId: 'q-1',
    },
    {
      kind: K.BOOK_LEVEL,
      seq,
      marketId: MKT,
      side: Side.SELL,
      priceTicks: 100,
      qtyLots: 4,
      orderCount: 1,
    },
    { kind: K.BALANCE, seq, accountId: A, assetId: 1, availableAtoms: F - 400, lockedAtoms: 400 },
  ]);
  // orderId wins over clientOrderId when non-zero
  const ev = ok(e, cancel(A, id2, 'nonsense'));
  t.match(ev[0], { orderId: id2, clientOrderId: 'q-2' });
  t.equal(e.getOrderByClientId(A, 'q-2'), undefined);
  // a client order id is free again once its order is gone
  const id3 = place(e, limit(A, Side.SELL, 100, 1, { clientOrderId: 'q-1' }));
  t.equal(e.getOrderByClientId(A, 'q-1')!.orderId, id3);
  t.equal(e.openOrderCount(A), 1);
});

t.test(
  'cancel-all: book-entry order (an amend that lost priority re-enters), per market',
  async (t) => {
    const e = setup();
    ok(e, {
      kind: CommandKind.ADD_MARKET,
      ...DEFAULT_MARKET,
      marketId: 2,
      status: MarketStatus.ACTIVE,
    });
    const o1 = place(e, limit(A, Side.BUY, 100, 1));
    const o2 = place(e, { ...limit(A, Side.SELL, 200, 1), marketId: 2 });
    const o3 = place(e, limit(A, Side.SELL, 150, 1));
    const o4 = place(e, limit(A, Side.BUY, 99, 1));
    ok(e, amend(A, o1, 98, 0)); // o1 re-enters after o4
    t.equal(rejectOf(e, amend(A, o3, 0, 1)), RejectReason.AMEND_NO_CHANGE, 'o3 keeps its place');
    const ev = ok(e, {
      kind: CommandKind.CANCEL_ALL,
      accountId: A,
      marketId: 0,
      reason: CancelReason.USER,
    });
    t.same(
      only(ev, K.ORDER_CANCELED).map((x) => [x.orderId, x.reason]),
      [
        [o2, CancelReason.CANCEL_ALL],
        [o3, CancelReason.CANCEL_ALL],
        [o4, CancelReason.CANCEL_ALL],
        [o1, CancelReason.CANCEL_ALL],
      ],
    );
    t.same(kinds(ev).slice(4), [
      K.BOOK_LEVEL,
      K.BOOK_LEVEL,
      K.BOOK_LEVEL,
      K.BOOK_LEVEL,
      K.BALANCE,
      K.BALANCE,
    ]);
    t.same(
      only(ev, K.BOOK_LEVEL).map((x) => [x.marketId, x.side, x.priceTicks]),
      [
        [1, Side.BUY, 98],
        [1, Side.BUY, 99],
        [1, Side.SELL, 150],
        [2, Side.SELL, 200],
      ],
      'sorted by market, then side, then price',
    );
    t.equal(e.openOrderCount(A), 0);
    // One market only, with the gateway's reason.
    place(e, limit(A, Side.BUY, 100, 1));
    const m2 = place(e, { ...limit(A, Side.BUY, 100, 1), marketId: 2 });
    const ev2 = ok(e, {
      kind: CommandKind.CANCEL_ALL,
      accountId: A,
      marketId: MKT,
      reason: CancelReason.CANCEL_ON_DISCONNECT,
    });
    t.match(only(ev2, K.ORDER_CANCELED), [
      { marketId: MKT, reason: CancelReason.CANCEL_ON_DISCONNECT },
    ]);
    t.equal(e.getOrder(m2)!.marketId, 2);
  },
);

t.test('market status: CANCEL_ONLY and HALTED', async (t) => {
  const e = setup();
  ok(e, {
    kind: CommandKind.ADD_MARKET,
    ...DEFAULT_MARKET,
    marketId: 2,
    status: MarketStatus.ACTIVE,
  });
  const a1 = place(e, limit(A, Side.BUY, 100, 1));
  const a2 = place(e, limit(A, Side.BUY, 101, 1));
  const h1 = place(e, { ...limit(A, Side.BUY, 100, 1), marketId: 2 });
  const st = ok(e, {
    kind: CommandKind.SET_MARKET_STATUS,
    marketId: MKT,
    status: MarketStatus.CANCEL_ONLY,
  });
  t.match(st, [{ kind: K.MARKET_STATUS_SET, marketId: MKT, status: MarketStatus.CANCEL_ONLY }]);
  t.equal(e.marketStatus(MKT), MarketStatus.CANCEL_ONLY);
  t.equal(rejectOf(e, limit(B, Side.SELL, 100, 1)), RejectReason.MARKET_CANCEL_ONLY);
  t.equal(rejectOf(e, amend(A, a1, 0, 2)), RejectReason.MARKET_CANCEL_ONLY);
  ok(e, cancel(A, a1));
  ok(e, { kind: CommandKind.SET_MARKET_STATUS, marketId: 2, status: MarketStatus.HALTED });
  t.equal(rejectOf(e, cancel(A, h1)), RejectReason.MARKET_HALTED);
  // cancel-all skips the halted market and cancels the cancel-only one
  const ev = ok(e, {
    kind: CommandKind.CANCEL_ALL,
    accountId: A,
    marketId: 0,
    reason: CancelReason.DEAD_MAN_SWITCH,
  });
  t.same(
    only(ev, K.ORDER_CANCELED).map((x) => [x.orderId, x.reason]),
    [[a2, CancelReason.DEAD_MAN_SWITCH]],
  );
  t.same(run(e, { kind: CommandKind.CANCEL_ALL, accountId: A, marketId: 2, reason: 1 }), {
    r: 0,
    ev: [],
  });
  t.equal(e.getOrder(h1)!.remainingLots, 1, 'resting orders stay in a halted market');
  ok(e, { kind: CommandKind.SET_MARKET_STATUS, marketId: 2, status: MarketStatus.ACTIVE });
  const tr = ok(e, { ...limit(B, Side.SELL, 100, 1), marketId: 2 });
  t.match(only(tr, K.TRADE), [{ makerOrderId: h1 }]);
});
