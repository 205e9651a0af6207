// Matching: price-time priority, partial fills, IOC / FOK / market orders by
// lots and by quote budget (with the protection band), post-only, locks, and
// the exact event order of SEMANTICS "Event order".
import t from 'tap';
import { FLAG_POST_ONLY } from '../event';
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
  Side,
  setup,
  TimeInForce,
  totals,
} from './engine-fixture';

const F = 1e12; // every trader starts with this much of each asset

t.test('price-time priority across levels, exact events', async (t) => {
  const e = setup();
  const id1 = place(e, limit(B, Side.SELL, 101, 5));
  const id2 = place(e, limit(C, Side.SELL, 100, 3));
  const id3 = place(e, limit(B, Side.SELL, 100, 4));
  const id4 = place(e, limit(C, Side.SELL, 102, 2));
  const seq = e.lastSeq + 1;
  const ev = ok(e, limit(A, Side.BUY, 101, 10));
  const trade = (
    tradeId: number,
    maker: number,
    makerAcc: number,
    p: number,
    q: number,
    rem: number,
    mrem: number,
  ) => ({
    kind: K.TRADE,
    seq,
    tradeId,
    marketId: MKT,
    orderId: 5,
    accountId: A,
    side: Side.BUY,
    makerOrderId: maker,
    makerAccountId: makerAcc,
    priceTicks: p,
    qtyLots: q,
    quoteAtoms: p * q,
    remainingLots: rem,
    makerRemainingLots: mrem,
    takerFeeAtoms: 0,
    makerFeeAtoms: 0,
  });
  t.same(ev, [
    {
      kind: K.ORDER_ACCEPTED,
      seq,
      orderId: 5,
      accountId: A,
      marketId: MKT,
      side: Side.BUY,
      orderType: 1,
      timeInForce: TimeInForce.GTC,
      stpMode: 2,
      flags: 0,
      priceTicks: 101,
      qtyLots: 10,
      quoteAtoms: 0,
      clientOrderId: '',
    },
    trade(1, id2, C, 100, 3, 7, 0),
    trade(2, id3, B, 100, 4, 3, 0),
    trade(3, id1, B, 101, 3, 0, 2),
    {
      kind: K.BOOK_LEVEL,
      seq,
      marketId: MKT,
      side: Side.SELL,
      priceTicks: 100,
      qtyLots: 0,
      orderCount: 0,
    },
    {
      kind: K.BOOK_LEVEL,
      seq,
      marketId: MKT,
      side: Side.SELL,
      priceTicks: 101,
      qtyLots: 2,
      orderCount: 1,
    },
    {
      kind: K.BALANCE,
      seq,
      accountId: A,
      assetId: BASE,
      availableAtoms: F + 1_000,
      lockedAtoms: 0,
    },
    // locked 1010 at 101; filled 7 at 100 (returns 7) and 3 at 101: spent 1003
    {
      kind: K.BALANCE,
      seq,
      accountId: A,
      assetId: QUOTE,
      availableAtoms: F - 1_003,
      lockedAtoms: 0,
    },
    {
      kind: K.BALANCE,
      seq,
      accountId: B,
      assetId: BASE,
      availableAtoms: F - 900,
      lockedAtoms: 200,
    },
    { kind: K.BALANCE, seq, accountId: B, assetId: QUOTE, availableAtoms: F + 703, lockedAtoms: 0 },
    {
      kind: K.BALANCE,
      seq,
      accountId: C,
      assetId: BASE,
      availableAtoms: F - 500,
      lockedAtoms: 200,
    },
    { kind: K.BALANCE, seq, accountId: C, assetId: QUOTE, availableAtoms: F + 300, lockedAtoms: 0 },
  ]);
  t.same(e.depth(MKT, Side.SELL, 10), [
    { priceTicks: 101, qtyLots: 2, orderCount: 1 },
    { priceTicks: 102, qtyLots: 2, orderCount: 1 },
  ]);
  t.equal(e.getOrder(id4)!.remainingLots, 2);
  t.equal(e.nextTradeId, 4);
  t.ok(lockedMatchesOrders(e));
});

t.test('same price: first in, first filled', async (t) => {
  const e = setup();
  const ids = [
    place(e, limit(B, Side.BUY, 100, 2)),
    place(e, limit(C, Side.BUY, 100, 2)),
    place(e, limit(B, Side.BUY, 100, 2)),
  ];
  const ev = ok(e, limit(A, Side.SELL, 100, 5));
  t.same(
    only(ev, K.TRADE).map((x) => [x.makerOrderId, x.qtyLots, x.makerRemainingLots]),
    [
      [ids[0], 2, 0],
      [ids[1], 2, 0],
      [ids[2], 1, 1],
    ],
  );
  t.same(e.depth(MKT, Side.BUY, 5), [{ priceTicks: 100, qtyLots: 1, orderCount: 1 }]);
});

t.test('a GTC remainder rests at the back of its level; levels sorted BUY first', async (t) => {
  const e = setup();
  place(e, limit(B, Side.SELL, 100, 4));
  const before = place(e, limit(C, Side.BUY, 99, 1));
  const ev = ok(e, limit(A, Side.BUY, 100, 10));
  t.same(kinds(ev), [
    K.ORDER_ACCEPTED,
    K.TRADE,
    K.BOOK_LEVEL,
    K.BOOK_LEVEL,
    K.BALANCE,
    K.BALANCE,
    K.BALANCE,
    K.BALANCE,
  ]);
  t.match(only(ev, K.BOOK_LEVEL), [
    { side: Side.BUY, priceTicks: 100, qtyLots: 6, orderCount: 1 },
    { side: Side.SELL, priceTicks: 100, qtyLots: 0, orderCount: 0 },
  ]);
  t.equal(e.bestBid(MKT), 100);
  t.equal(e.bestAsk(MKT), 0);
  const o = e.getOrder(6 - 2 - 1)!;
  t.match(o, { qtyLots: 10, filledLots: 4, remainingLots: 6, priceTicks: 100 });
  t.equal(e.getOrder(before)!.priceTicks, 99);
  t.same(e.getBalance(A, QUOTE), { availableAtoms: F - 1_000, lockedAtoms: 600 });
});

t.test('IOC: fills what it can, the rest expires IOC_REMAINDER', async (t) => {
  const e = setup();
  place(e, limit(B, Side.SELL, 100, 3));
  place(e, limit(B, Side.SELL, 103, 3));
  const ev = ok(e, limit(A, Side.BUY, 102, 5, { timeInForce: TimeInForce.IOC }));
  t.same(kinds(ev).slice(0, 3), [K.ORDER_ACCEPTED, K.TRADE, K.ORDER_EXPIRED]);
  t.match(ev[2], { reason: CancelReason.IOC_REMAINDER, qtyLots: 2, quoteAtoms: 0 });
  t.same(e.getBalance(A, QUOTE), { availableAtoms: F - 300, lockedAtoms: 0 });
  t.equal(e.bestBid(MKT), 0, 'nothing rests');
  const none = ok(e, limit(A, Side.BUY, 99, 5, { timeInForce: TimeInForce.IOC }));
  t.same(
    kinds(none),
    [K.ORDER_ACCEPTED, K.ORDER_EXPIRED],
    'no balance event: locked then released',
  );
});

t.test('FOK: all or nothing, within the limit', async (t) => {
  const e = setup();
  place(e, limit(B, Side.SELL, 100, 3));
  place(e, limit(C, Side.SELL, 101, 3));
  place(e, limit(C, Side.SELL, 105, 10));
  const no = ok(e, limit(A, Side.BUY, 101, 7, { timeInForce: TimeInForce.FOK }));
  t.same(kinds(no), [K.ORDER_ACCEPTED, K.ORDER_EXPIRED]);
  t.match(no[1], { reason: CancelReason.FOK_UNFILLABLE, qtyLots: 7 });
  const yes = ok(e, limit(A, Side.BUY, 101, 6, { timeInForce: TimeInForce.FOK }));
  t.same(
    only(yes, K.TRADE).map((x) => x.qtyLots),
    [3, 3],
  );
  t.equal(only(yes, K.ORDER_EXPIRED).length, 0);
  t.equal(e.bestAsk(MKT), 105);
  const empty = setup();
  t.match(ok(empty, limit(A, Side.SELL, 1, 1, { timeInForce: TimeInForce.FOK })), [
    { kind: K.ORDER_ACCEPTED },
    { kind: K.ORDER_EXPIRED, reason: CancelReason.FOK_UNFILLABLE },
  ]);
});

t.test('market buy by lots: protection band and remainder', async (t) => {
  const e = setup({ market: { priceBandBps: 1_000 } });
  place(e, limit(B, Side.SELL, 100, 5));
  place(e, limit(B, Side.SELL, 105, 5));
  place(e, limit(B, Side.SELL, 115, 5));
  const ev = ok(e, market(A, Side.BUY, 15));
  // P = floor(100 * 11000 / 10000) = 110: the 115 level is out of reach.
  t.match(ev[0], {
    kind: K.ORDER_ACCEPTED,
    priceTicks: 110,
    qtyLots: 15,
    quoteAtoms: 0,
    orderType: 2,
  });
  t.same(
    only(ev, K.TRADE).map((x) => [x.priceTicks, x.qtyLots, x.remainingLots]),
    [
      [100, 5, 10],
      [105, 5, 5],
    ],
  );
  t.match(only(ev, K.ORDER_EXPIRED), [
    { reason: CancelReason.MARKET_REMAINDER, qtyLots: 5, quoteAtoms: 0 },
  ]);
  t.same(e.getBalance(A, QUOTE), { availableAtoms: F - 1_025, lockedAtoms: 0 });
  t.equal(e.bestAsk(MKT), 115);
  // P never exceeds maxPriceTicks
  const f = setup({ market: { maxPriceTicks: 104, priceBandBps: 5_000 } });
  place(f, limit(B, Side.SELL, 100, 1));
  t.match(ok(f, market(A, Side.BUY, 1))[0], { priceTicks: 104 });
});

t.test('market sell by lots: P = ceil(B * (10000 - band) / 10000)', async (t) => {
  const e = setup({ market: { priceBandBps: 1_000 } });
  place(e, limit(B, Side.BUY, 100, 2));
  place(e, limit(B, Side.BUY, 95, 2));
  place(e, limit(B, Side.BUY, 85, 2));
  const ev = ok(e, market(A, Side.SELL, 5, 0, { timeInForce: TimeInForce.UNSPECIFIED }));
  t.match(ev[0], { priceTicks: 90, timeInForce: TimeInForce.UNSPECIFIED });
  t.same(
    only(ev, K.TRADE).map((x) => x.priceTicks),
    [100, 95],
  );
  t.match(only(ev, K.ORDER_EXPIRED), [{ reason: CancelReason.MARKET_REMAINDER, qtyLots: 1 }]);
  const g = setup({ market: { priceBandBps: 5_000 } });
  place(g, limit(B, Side.BUY, 1, 1));
  t.match(ok(g, market(A, Side.SELL, 1))[0], { priceTicks: 1 }, 'P is at least 1');
  const h = setup({ market: { priceBandBps: 333 } });
  place(h, limit(B, Side.BUY, 101, 1));
  // 101 * 9667 / 10000 = 97.6367 -> 98
  t.match(ok(h, market(A, Side.SELL, 1))[0], { priceTicks: 98 });
});

t.test('market buy by quote budget', async (t) => {
  const e = setup();
  place(e, limit(B, Side.SELL, 100, 3));
  place(e, limit(B, Side.SELL, 101, 5));
  const ev = ok(e, market(A, Side.BUY, 0, 650));
  t.match(ev[0], { kind: K.ORDER_ACCEPTED, qtyLots: 0, quoteAtoms: 650, priceTicks: 110 });
  // 650 buys 3 at 100 (300), then floor(350 / 101) = 3 at 101 (303); 47 is left.
  t.same(
    only(ev, K.TRADE).map((x) => [x.priceTicks, x.qtyLots, x.quoteAtoms, x.remainingLots]),
    [
      [100, 3, 300, 0],
      [101, 3, 303, 0],
    ],
  );
  t.match(only(ev, K.ORDER_EXPIRED), [
    { reason: CancelReason.MARKET_REMAINDER, qtyLots: 0, quoteAtoms: 47 },
  ]);
  t.same(e.getBalance(A, QUOTE), { availableAtoms: F - 603, lockedAtoms: 0 });
  t.same(e.getBalance(A, BASE), { availableAtoms: F + 600, lockedAtoms: 0 });
  // A budget spent exactly: no remainder event.
  const ev2 = ok(e, market(A, Side.BUY, 0, 202));
  t.same(kinds(ev2).slice(0, 2), [K.ORDER_ACCEPTED, K.TRADE]);
  t.equal(only(ev2, K.ORDER_EXPIRED).length, 0);
});

t.test('market sell by quote budget locks floor(budget / (P * qptl)) lots', async (t) => {
  const e = setup();
  place(e, limit(B, Side.BUY, 100, 5));
  place(e, limit(B, Side.BUY, 98, 5));
  // P = 90: locks floor(800 / 90) = 8 lots = 800 base atoms.
  const ev = ok(e, market(A, Side.SELL, 0, 800));
  t.match(ev[0], { priceTicks: 90, quoteAtoms: 800, qtyLots: 0 });
  t.same(
    only(ev, K.TRADE).map((x) => [x.priceTicks, x.qtyLots]),
    [
      [100, 5],
      [98, 3],
    ],
  );
  t.match(only(ev, K.ORDER_EXPIRED), [{ reason: CancelReason.MARKET_REMAINDER, quoteAtoms: 6 }]);
  t.same(e.getBalance(A, BASE), { availableAtoms: F - 800, lockedAtoms: 0 });
  t.same(e.getBalance(A, QUOTE), { availableAtoms: F + 794, lockedAtoms: 0 });
  // Its lots run out before its budget (a higher bid than P): stops, budget left over.
  const f = setup({ market: { priceBandBps: 0 } });
  place(f, limit(B, Side.BUY, 100, 10));
  const ev2 = ok(f, market(A, Side.SELL, 0, 250));
  t.same(
    only(ev2, K.TRADE).map((x) => x.qtyLots),
    [2],
  );
  t.match(only(ev2, K.ORDER_EXPIRED), [{ quoteAtoms: 50 }]);
});

t.test('post-only rests without trading and carries its flag', async (t) => {
  const e = setup();
  place(e, limit(B, Side.SELL, 101, 1));
  const ev = ok(e, limit(A, Side.BUY, 100, 1, { postOnly: true }));
  t.match(ev[0], { flags: FLAG_POST_ONLY });
  t.equal(e.getOrder(ev[0]!.orderId as number)!.postOnly, true);
  t.equal(only(ev, K.TRADE).length, 0);
});

t.test('a limit buy filled below its price gets the difference back', async (t) => {
  const e = setup();
  place(e, limit(B, Side.SELL, 90, 2));
  ok(e, limit(A, Side.BUY, 100, 5));
  // locked 500; 2 filled at 90: released 200, spent 180; 300 stays locked for 3 lots at 100.
  t.same(e.getBalance(A, QUOTE), { availableAtoms: F - 480, lockedAtoms: 300 });
  t.ok(lockedMatchesOrders(e));
});

t.test('multi-lot sizes: base atoms = lots x baseAtomsPerLot, quote = p x q x qptl', async (t) => {
  const e = setup({ market: { baseAtomsPerLot: 1_000, quoteAtomsPerTickLot: 25 } });
  place(e, limit(B, Side.SELL, 40, 3));
  const ev = ok(e, limit(A, Side.BUY, 40, 3));
  t.match(only(ev, K.TRADE), [{ quoteAtoms: 40 * 3 * 25 }]);
  t.same(e.getBalance(A, BASE), { availableAtoms: F + 3_000, lockedAtoms: 0 });
  t.same(e.getBalance(B, QUOTE), { availableAtoms: F + 3_000, lockedAtoms: 0 });
  const tot = totals(e);
  t.equal(tot.get(BASE), 3 * F);
  t.equal(tot.get(QUOTE), 3 * F);
});
