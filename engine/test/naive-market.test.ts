// Reference model: market orders, protection price (band) and quote budgets.
// Market: 10 base atoms per lot, 2 quote atoms per tick-lot, band 10% unless
// said otherwise; fees 0.
import t from 'tap';
import { RejectReason } from '../reject-reason';
import { Side, TimeInForce } from '../types';
import { BASE, type Fixture, fixture, limit, marketOrder, QUOTE } from './naive-fixture';

const F = 1_000_000;
const CFG = { quoteAtomsPerTickLot: 2, priceBandBps: 1000 };

function asks(cfg = {}): Fixture {
  const f = fixture({ 10: [0, 0], 11: [0, 0] }, { ...CFG, ...cfg }, F);
  f.ok(limit(11, Side.SELL, 3, 100)); // #1
  f.ok(limit(11, Side.SELL, 2, 105)); // #2
  f.ok(limit(11, Side.SELL, 5, 111)); // #3
  return f;
}

t.test('buy by lots stops at the protection price', async (t) => {
  const f = asks();
  // B = 100: P = min(10000, floor(100 * 11000 / 10000)) = 110; locks 110 * 8 * 2 = 1760.
  const r = f.ok(marketOrder(10, Side.BUY, 8, 0));
  t.strictSame(r.kinds, [
    'ORDER_ACCEPTED',
    'TRADE', // 3 @ 100
    'TRADE', // 2 @ 105; 111 > 110 stops it
    'ORDER_EXPIRED', // 3 lots left
    'BOOK_LEVEL',
    'BOOK_LEVEL',
    'BALANCE',
    'BALANCE',
    'BALANCE',
    'BALANCE',
  ]);
  t.match(r.events[0], {
    orderType: 2,
    timeInForce: 0,
    priceTicks: 110,
    qtyLots: 8,
    quoteAtoms: 0,
  });
  t.match(r.events[1], { priceTicks: 100, qtyLots: 3, quoteAtoms: 600, remainingLots: 5 });
  t.match(r.events[2], { priceTicks: 105, qtyLots: 2, quoteAtoms: 420, remainingLots: 3 });
  t.match(r.events[3], { reason: 5, qtyLots: 3, quoteAtoms: 0 });
  // Spent 600 + 420 = 1020; the rest of the 1760 lock came back.
  t.strictSame(f.balance(10, QUOTE), [F - 1020, 0]);
  t.strictSame(f.balance(10, BASE), [F + 50, 0]);
  t.strictSame(f.book(Side.SELL), [3]);
});

t.test('buy by quote budget spends whole lots only', async (t) => {
  const f = asks();
  // Locks 1000. At 100: floor(1000 / 200) = 5, x = min(3, 5) = 3 -> 600, 400 left.
  // At 105: floor(400 / 210) = 1 -> 210, 190 left. At 105: floor(190 / 210) = 0 -> stop.
  const r = f.ok(marketOrder(10, Side.BUY, 0, 1000, { timeInForce: TimeInForce.IOC }));
  t.strictSame(r.kinds.slice(0, 4), ['ORDER_ACCEPTED', 'TRADE', 'TRADE', 'ORDER_EXPIRED']);
  t.match(r.events[0], { priceTicks: 110, qtyLots: 0, quoteAtoms: 1000, timeInForce: 2 });
  t.match(r.events[1], { qtyLots: 3, quoteAtoms: 600, remainingLots: 0 });
  t.match(r.events[2], { qtyLots: 1, quoteAtoms: 210, remainingLots: 0, makerRemainingLots: 1 });
  t.match(r.events[3], { reason: 5, qtyLots: 0, quoteAtoms: 190 });
  t.strictSame(f.balance(10, QUOTE), [F - 810, 0]);
});

t.test('a budget spent exactly has no remainder event', async (t) => {
  const f = asks();
  const r = f.ok(marketOrder(10, Side.BUY, 0, 600)); // 3 @ 100 exactly
  t.strictSame(r.kinds.slice(0, 2), ['ORDER_ACCEPTED', 'TRADE']);
  t.notOk(r.kinds.includes('ORDER_EXPIRED'));
});

t.test('sell by quote budget locks floor(budget / (P * qptl)) lots', async (t) => {
  const f = fixture({ 10: [0, 0], 11: [0, 0] }, CFG, F);
  f.ok(limit(11, Side.BUY, 2, 200)); // #1
  f.ok(limit(11, Side.BUY, 4, 190)); // #2
  // B = 200: P = max(1, ceil(200 * 9000 / 10000)) = 180; lots = floor(1500 / 360) = 4 -> 40 base.
  // At 200: min(floor(1500 / 400) = 3, 4 locked) = 3, x = min(2, 3) = 2 -> 800; 700 left, 2 lots.
  // At 190: min(floor(700 / 380) = 1, 2) = 1 -> 380; 320 left. Then floor(320 / 380) = 0: stop.
  const r = f.ok(marketOrder(10, Side.SELL, 0, 1500));
  t.strictSame(r.kinds.slice(0, 4), ['ORDER_ACCEPTED', 'TRADE', 'TRADE', 'ORDER_EXPIRED']);
  t.match(r.events[0], { priceTicks: 180, quoteAtoms: 1500 });
  t.match(r.events[1], { priceTicks: 200, qtyLots: 2, quoteAtoms: 800 });
  t.match(r.events[2], { priceTicks: 190, qtyLots: 1, quoteAtoms: 380 });
  t.match(r.events[3], { reason: 5, qtyLots: 0, quoteAtoms: 320 });
  t.strictSame(f.balance(10, BASE), [F - 30, 0], '40 locked, 30 sold, 10 back');
  t.strictSame(f.balance(10, QUOTE), [F + 1180, 0]);
  // A budget under one lot at P: floor(300 / 360) = 0 lots.
  t.equal(f.run(marketOrder(10, Side.SELL, 0, 300)).ret, RejectReason.QUANTITY_BELOW_MIN);
});

t.test('sell by lots: protection price below the best bid', async (t) => {
  const f = fixture({ 10: [0, 0], 11: [0, 0] }, CFG, F);
  f.ok(limit(11, Side.BUY, 1, 200));
  f.ok(limit(11, Side.BUY, 1, 181));
  f.ok(limit(11, Side.BUY, 1, 179));
  const r = f.ok(marketOrder(10, Side.SELL, 5, 0)); // P = 180: 179 is out of the band
  t.equal(r.kinds.filter((k) => k === 'TRADE').length, 2);
  t.match(r.events[3], { reason: 5, qtyLots: 3 });
});

t.test(
  'band 0 trades at the best price only; P is capped at maxPriceTicks and floored at 1',
  async (t) => {
    const f = asks({ priceBandBps: 0 });
    const r = f.ok(marketOrder(10, Side.BUY, 8, 0));
    t.match(r.events[0], { priceTicks: 100 });
    t.equal(r.kinds.filter((k) => k === 'TRADE').length, 1);

    const g = fixture({ 10: [0, 0], 11: [0, 0] }, { ...CFG, maxPriceTicks: 105 }, F);
    g.ok(limit(11, Side.SELL, 1, 100));
    t.match(g.ok(marketOrder(10, Side.BUY, 1, 0)).events[0], { priceTicks: 105 }, 'min(105, 110)');

    const h = fixture({ 10: [0, 0], 11: [0, 0] }, { ...CFG, priceBandBps: 5000 }, F);
    h.ok(limit(11, Side.BUY, 1, 3));
    t.match(h.ok(marketOrder(10, Side.SELL, 1, 0)).events[0], { priceTicks: 2 }, 'ceil(1.5)');
    h.ok(limit(11, Side.BUY, 1, 1));
    t.match(h.ok(marketOrder(10, Side.SELL, 1, 0)).events[0], { priceTicks: 1 }, 'ceil(0.5) = 1');
  },
);

t.test('rejects: empty side, budget and lots both or neither, price given, GTC', async (t) => {
  const f = fixture({ 10: [0, 0], 11: [0, 0] }, { ...CFG, minNotionalAtoms: 50 }, F);
  t.equal(f.run(marketOrder(10, Side.BUY, 1, 0)).ret, RejectReason.NO_LIQUIDITY);
  f.ok(limit(11, Side.SELL, 1, 100));
  t.equal(f.run(marketOrder(10, Side.BUY, 1, 100)).ret, RejectReason.INVALID_LOT_SIZE);
  t.equal(f.run(marketOrder(10, Side.BUY, 0, 0)).ret, RejectReason.INVALID_LOT_SIZE);
  t.equal(f.run(marketOrder(10, Side.BUY, 0, -5)).ret, RejectReason.INVALID_LOT_SIZE);
  t.equal(
    f.run(marketOrder(10, Side.BUY, 1, 0, { priceTicks: 100 })).ret,
    RejectReason.INVALID_TICK_SIZE,
  );
  t.equal(
    f.run(marketOrder(10, Side.BUY, 1, 0, { timeInForce: TimeInForce.GTC })).ret,
    RejectReason.INVALID_TIME_IN_FORCE,
  );
  t.equal(f.run(marketOrder(10, Side.BUY, 0, 49)).ret, RejectReason.NOTIONAL_BELOW_MIN);
  t.equal(f.run(marketOrder(10, Side.BUY, 0, F + 1)).ret, RejectReason.INSUFFICIENT_FUNDS);
  // A budget too small for one lot at the best price is accepted and expires unspent.
  const r = f.ok(marketOrder(10, Side.BUY, 0, 150));
  t.strictSame(r.kinds, ['ORDER_ACCEPTED', 'ORDER_EXPIRED']);
  t.match(r.events[1], { reason: 5, qtyLots: 0, quoteAtoms: 150 });
});
