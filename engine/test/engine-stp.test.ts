// Self-trade prevention: the taker's mode decides. EXPIRE_TAKER (the default),
// EXPIRE_MAKER, EXPIRE_BOTH, DECREMENT (by lots and by quote budget), NONE
// where the market allows it, and the FOK walk's view of own orders.
import t from 'tap';
import {
  A,
  B,
  BASE,
  C,
  CancelReason,
  EventKind as K,
  kinds,
  limit,
  lockedMatchesOrders,
  MKT,
  market,
  ok,
  only,
  place,
  QUOTE,
  RejectReason,
  rejectOf,
  Side,
  StpMode,
  setup,
  TimeInForce,
} from './engine-fixture';

const F = 1e12;

t.test('EXPIRE_TAKER (and UNSPECIFIED): the taker stops', async (t) => {
  const e = setup();
  const own = place(e, limit(A, Side.SELL, 100, 5));
  const seq = e.lastSeq + 1;
  const ev = ok(e, limit(A, Side.BUY, 100, 3));
  t.same(
    ev,
    [
      {
        kind: K.ORDER_ACCEPTED,
        seq,
        orderId: 2,
        accountId: A,
        marketId: MKT,
        side: Side.BUY,
        orderType: 1,
        timeInForce: TimeInForce.GTC,
        stpMode: StpMode.EXPIRE_TAKER,
        flags: 0,
        priceTicks: 100,
        qtyLots: 3,
        quoteAtoms: 0,
        clientOrderId: '',
      },
      {
        kind: K.SELF_TRADE_PREVENTED,
        seq,
        marketId: MKT,
        orderId: 2,
        accountId: A,
        makerOrderId: own,
        stpMode: StpMode.EXPIRE_TAKER,
        qtyLots: 3,
      },
      {
        kind: K.ORDER_EXPIRED,
        seq,
        orderId: 2,
        accountId: A,
        marketId: MKT,
        reason: CancelReason.SELF_TRADE,
        qtyLots: 3,
        quoteAtoms: 0,
        clientOrderId: '',
      },
    ],
    'locked and released in one command: no BALANCE event; the book did not change',
  );
  // Trades with others first, then stops at its own order.
  const f = setup();
  place(f, limit(B, Side.SELL, 100, 2));
  place(f, limit(A, Side.SELL, 100, 5));
  const ev2 = ok(f, limit(A, Side.BUY, 100, 4, { stpMode: StpMode.EXPIRE_TAKER }));
  t.same(kinds(ev2).slice(0, 4), [
    K.ORDER_ACCEPTED,
    K.TRADE,
    K.SELF_TRADE_PREVENTED,
    K.ORDER_EXPIRED,
  ]);
  t.match(ev2[2], { qtyLots: 2 });
  t.match(ev2[3], { reason: CancelReason.SELF_TRADE, qtyLots: 2 });
  t.ok(lockedMatchesOrders(f));
});

t.test('EXPIRE_MAKER: own makers expire, matching goes on', async (t) => {
  const e = setup();
  const own = place(e, limit(A, Side.SELL, 100, 5, { clientOrderId: 'mine' }));
  const other = place(e, limit(B, Side.SELL, 100, 3));
  const ev = ok(e, limit(A, Side.BUY, 100, 4, { stpMode: StpMode.EXPIRE_MAKER }));
  t.same(kinds(ev).slice(0, 4), [
    K.ORDER_ACCEPTED,
    K.SELF_TRADE_PREVENTED,
    K.ORDER_EXPIRED,
    K.TRADE,
  ]);
  t.match(ev[1], { makerOrderId: own, qtyLots: 4, stpMode: StpMode.EXPIRE_MAKER });
  t.match(ev[2], {
    orderId: own,
    accountId: A,
    reason: CancelReason.SELF_TRADE,
    qtyLots: 5,
    clientOrderId: 'mine',
  });
  t.match(ev[3], { makerOrderId: other, qtyLots: 3, remainingLots: 1 });
  t.match(e.getOrder(3), { side: Side.BUY, remainingLots: 1, priceTicks: 100 }, 'the rest rests');
  t.equal(e.getOrderByClientId(A, 'mine'), undefined);
  t.same(e.getBalance(A, BASE), { availableAtoms: F + 300, lockedAtoms: 0 });
  t.ok(lockedMatchesOrders(e));
});

t.test('EXPIRE_BOTH: the maker and the taker expire', async (t) => {
  const e = setup();
  const own = place(e, limit(A, Side.SELL, 100, 5));
  place(e, limit(B, Side.SELL, 100, 3));
  const ev = ok(e, limit(A, Side.BUY, 100, 4, { stpMode: StpMode.EXPIRE_BOTH }));
  t.same(kinds(ev).slice(0, 4), [
    K.ORDER_ACCEPTED,
    K.SELF_TRADE_PREVENTED,
    K.ORDER_EXPIRED,
    K.ORDER_EXPIRED,
  ]);
  t.match(ev[2], { orderId: own, qtyLots: 5 });
  t.match(ev[3], { orderId: 3, qtyLots: 4, reason: CancelReason.SELF_TRADE });
  t.match(only(ev, K.BOOK_LEVEL), [
    { side: Side.SELL, priceTicks: 100, qtyLots: 3, orderCount: 1 },
  ]);
});

t.test('DECREMENT by lots: both lose the overlap', async (t) => {
  // The maker is larger: it shrinks and stays; the taker is left with 0 and expires (qtyLots 0).
  const e = setup();
  const own = place(e, limit(A, Side.SELL, 100, 5));
  const ev = ok(e, limit(A, Side.BUY, 100, 3, { stpMode: StpMode.DECREMENT }));
  t.same(kinds(ev), [
    K.ORDER_ACCEPTED,
    K.SELF_TRADE_PREVENTED,
    K.ORDER_EXPIRED,
    K.BOOK_LEVEL,
    K.BALANCE,
  ]);
  t.match(ev[1], { qtyLots: 3, stpMode: StpMode.DECREMENT });
  t.match(ev[2], { orderId: 2, reason: CancelReason.SELF_TRADE, qtyLots: 0 });
  t.match(ev[3], { side: Side.SELL, priceTicks: 100, qtyLots: 2, orderCount: 1 });
  t.match(ev[4], { accountId: A, assetId: BASE, availableAtoms: F - 200, lockedAtoms: 200 });
  t.match(e.getOrder(own), { qtyLots: 2, filledLots: 0, remainingLots: 2 });
  // The maker is smaller: it expires with 0; the taker goes on against others.
  const f = setup();
  const small = place(f, limit(A, Side.SELL, 100, 2));
  place(f, limit(B, Side.SELL, 100, 3));
  const ev2 = ok(f, limit(A, Side.BUY, 100, 4, { stpMode: StpMode.DECREMENT }));
  t.same(kinds(ev2).slice(0, 4), [
    K.ORDER_ACCEPTED,
    K.SELF_TRADE_PREVENTED,
    K.ORDER_EXPIRED,
    K.TRADE,
  ]);
  t.match(ev2[2], { orderId: small, qtyLots: 0, reason: CancelReason.SELF_TRADE });
  t.match(ev2[3], { qtyLots: 2, remainingLots: 0, makerRemainingLots: 1 });
  t.equal(only(ev2, K.ORDER_EXPIRED).length, 1, 'the taker filled its decremented quantity');
  t.same(f.getBalance(A, QUOTE), { availableAtoms: F - 200, lockedAtoms: 0 });
  t.ok(lockedMatchesOrders(f));
  // A resting remainder keeps its decremented total quantity.
  const g = setup();
  place(g, limit(A, Side.SELL, 100, 2));
  const id = place(g, limit(A, Side.BUY, 100, 5, { stpMode: StpMode.DECREMENT }));
  t.match(g.getOrder(id), { qtyLots: 3, filledLots: 0, remainingLots: 3 });
  t.same(g.getBalance(A, QUOTE), { availableAtoms: F - 300, lockedAtoms: 300 });
});

t.test('DECREMENT by quote budget', async (t) => {
  const e = setup();
  place(e, limit(A, Side.SELL, 100, 2));
  place(e, limit(B, Side.SELL, 100, 3));
  // 450 budget: 2 lots decremented (200 of budget released), 2 bought from B (200), 50 left over.
  const ev = ok(e, market(A, Side.BUY, 0, 450, { stpMode: StpMode.DECREMENT }));
  t.same(kinds(ev).slice(0, 5), [
    K.ORDER_ACCEPTED,
    K.SELF_TRADE_PREVENTED,
    K.ORDER_EXPIRED,
    K.TRADE,
    K.ORDER_EXPIRED,
  ]);
  t.match(ev[3], { qtyLots: 2, quoteAtoms: 200 });
  t.match(ev[4], { reason: CancelReason.MARKET_REMAINDER, qtyLots: 0, quoteAtoms: 50 });
  t.same(e.getBalance(A, QUOTE), { availableAtoms: F - 200, lockedAtoms: 0 });
  // Budget used up exactly by the decrement: expired SELF_TRADE with nothing left.
  const f = setup();
  place(f, limit(A, Side.SELL, 100, 5));
  const ev2 = ok(f, market(A, Side.BUY, 0, 300, { stpMode: StpMode.DECREMENT }));
  t.same(kinds(ev2).slice(0, 3), [K.ORDER_ACCEPTED, K.SELF_TRADE_PREVENTED, K.ORDER_EXPIRED]);
  t.match(ev2[2], { orderId: 2, reason: CancelReason.SELF_TRADE, qtyLots: 0, quoteAtoms: 0 });
  t.match(f.getOrder(1), { qtyLots: 2 });
  // A quote-budget sell loses lots and budget.
  const g = setup({ market: { priceBandBps: 0 } });
  place(g, limit(A, Side.BUY, 100, 1));
  place(g, limit(B, Side.BUY, 100, 5));
  const ev3 = ok(g, market(A, Side.SELL, 0, 300, { stpMode: StpMode.DECREMENT }));
  t.match(only(ev3, K.TRADE), [{ qtyLots: 2, quoteAtoms: 200 }]);
  t.same(g.getBalance(A, BASE), { availableAtoms: F - 200, lockedAtoms: 0 });
  t.ok(lockedMatchesOrders(g));
});

t.test('NONE trades with yourself where the market allows it', async (t) => {
  const e = setup({ market: { allowSelfTrade: true } });
  const own = place(e, limit(A, Side.SELL, 100, 5));
  const ev = ok(e, limit(A, Side.BUY, 100, 3, { stpMode: StpMode.NONE }));
  t.match(only(ev, K.TRADE), [{ makerOrderId: own, makerAccountId: A, accountId: A, qtyLots: 3 }]);
  t.equal(only(ev, K.SELF_TRADE_PREVENTED).length, 0);
  const f = setup({ market: { allowSelfTrade: false } });
  t.equal(
    rejectOf(f, limit(A, Side.BUY, 100, 3, { stpMode: StpMode.NONE })),
    RejectReason.INVALID_STP_MODE,
  );
});

t.test('the FOK walk: own makers end it, skip it (EXPIRE_MAKER) or count (NONE)', async (t) => {
  const build = () => {
    const e = setup();
    place(e, limit(B, Side.SELL, 100, 2));
    place(e, limit(A, Side.SELL, 100, 5));
    place(e, limit(C, Side.SELL, 100, 5));
    return e;
  };
  for (const stp of [StpMode.EXPIRE_TAKER, StpMode.EXPIRE_BOTH, StpMode.DECREMENT]) {
    const e = build();
    const ev = ok(e, limit(A, Side.BUY, 100, 4, { timeInForce: TimeInForce.FOK, stpMode: stp }));
    t.same(kinds(ev), [K.ORDER_ACCEPTED, K.ORDER_EXPIRED], `stp ${stp}: no trades, no STP events`);
    t.match(ev[1], { reason: CancelReason.FOK_UNFILLABLE, qtyLots: 4 });
  }
  const e = build();
  const ev = ok(
    e,
    limit(A, Side.BUY, 100, 4, { timeInForce: TimeInForce.FOK, stpMode: StpMode.EXPIRE_MAKER }),
  );
  t.same(kinds(ev).slice(0, 5), [
    K.ORDER_ACCEPTED,
    K.TRADE,
    K.SELF_TRADE_PREVENTED,
    K.ORDER_EXPIRED,
    K.TRADE,
  ]);
  t.same(
    only(ev, K.TRADE).map((x) => [x.makerAccountId, x.qtyLots]),
    [
      [B, 2],
      [C, 2],
    ],
  );
  const n = build();
  const evn = ok(
    n,
    limit(A, Side.BUY, 100, 7, { timeInForce: TimeInForce.FOK, stpMode: StpMode.NONE }),
  );
  t.same(
    only(evn, K.TRADE).map((x) => [x.makerAccountId, x.qtyLots]),
    [
      [B, 2],
      [A, 5],
    ],
  );
});
