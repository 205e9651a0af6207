// Reference model: self-trade prevention, every mode, by hand.
// Market: 10 base atoms per lot, 1 quote atom per tick-lot, band 10%, self
// trade allowed (so NONE is valid). All fees 0 so the numbers stay small.
// The book before each case: asks A = #1 (acct 10) 4 @ 100, B = #2 (acct 10)
// 3 @ 100, C = #3 (acct 11) 5 @ 101. Account 10 then buys 6 @ 101 as #4.
import t from 'tap';
import { RejectReason } from '../reject-reason';
import { Side, StpMode } from '../types';
import { BASE, type Fixture, fixture, limit, marketOrder, QUOTE } from './naive-fixture';

const F = 1_000_000;

function book(allowSelfTrade = true): Fixture {
  const f = fixture({ 10: [0, 0], 11: [0, 0] }, { allowSelfTrade }, F);
  f.ok(limit(10, Side.SELL, 4, 100));
  f.ok(limit(10, Side.SELL, 3, 100));
  f.ok(limit(11, Side.SELL, 5, 101));
  return f;
}

const balances = (
  evs: {
    kind: number;
    accountId?: unknown;
    assetId?: unknown;
    availableAtoms?: unknown;
    lockedAtoms?: unknown;
  }[],
) =>
  evs
    .filter((e) => e.kind === 9)
    .map((e) => [e.accountId, e.assetId, e.availableAtoms, e.lockedAtoms]);

t.test('EXPIRE_TAKER (and UNSPECIFIED, which becomes it)', async (t) => {
  for (const mode of [StpMode.UNSPECIFIED, StpMode.EXPIRE_TAKER]) {
    const f = book();
    const r = f.ok(limit(10, Side.BUY, 6, 101, { stpMode: mode }));
    // The first maker is the account's own: nothing trades, the taker expires whole.
    // Its lock (606) is taken and given back in the same command: no BALANCE event.
    t.strictSame(r.kinds, ['ORDER_ACCEPTED', 'SELF_TRADE_PREVENTED', 'ORDER_EXPIRED']);
    t.match(r.events[0], { orderId: 4, stpMode: StpMode.EXPIRE_TAKER });
    t.match(r.events[1], { orderId: 4, accountId: 10, makerOrderId: 1, stpMode: 2, qtyLots: 4 });
    t.match(r.events[2], { orderId: 4, reason: 6, qtyLots: 6, quoteAtoms: 0 });
    t.strictSame(f.book(Side.SELL), [1, 2, 3]);
  }
});

t.test('EXPIRE_MAKER removes own makers and trades on', async (t) => {
  const f = book();
  const r = f.ok(limit(10, Side.BUY, 6, 101, { stpMode: StpMode.EXPIRE_MAKER }));
  t.strictSame(r.kinds, [
    'ORDER_ACCEPTED',
    'SELF_TRADE_PREVENTED', // A: would have traded min(4, 6) = 4
    'ORDER_EXPIRED', // A, 4 lots
    'SELF_TRADE_PREVENTED', // B: min(3, 6) = 3
    'ORDER_EXPIRED', // B, 3 lots
    'TRADE', // C: 5 @ 101
    'BOOK_LEVEL', // buy 101: the 1 lot left rests
    'BOOK_LEVEL', // sell 100 gone
    'BOOK_LEVEL', // sell 101 gone
    'BALANCE',
    'BALANCE',
    'BALANCE',
    'BALANCE',
  ]);
  t.match(r.events[1], { makerOrderId: 1, qtyLots: 4, stpMode: 3 });
  t.match(r.events[2], { orderId: 1, reason: 6, qtyLots: 4 });
  t.match(r.events[3], { makerOrderId: 2, qtyLots: 3 });
  t.match(r.events[4], { orderId: 2, reason: 6, qtyLots: 3 });
  t.match(r.events[5], {
    makerOrderId: 3,
    priceTicks: 101,
    qtyLots: 5,
    remainingLots: 1,
    makerRemainingLots: 0,
  });
  t.match(r.events[6], { side: 1, priceTicks: 101, qtyLots: 1, orderCount: 1 });
  t.match(r.events[7], { side: 2, priceTicks: 100, qtyLots: 0, orderCount: 0 });
  t.match(r.events[8], { side: 2, priceTicks: 101, qtyLots: 0, orderCount: 0 });
  t.strictSame(balances(r.events), [
    [10, BASE, F + 50, 0], // 70 unlocked from A and B, 5 lots * 10 bought
    [10, QUOTE, F - 606, 101], // 505 spent, 1 lot * 101 still locked
    [11, BASE, F - 50, 0],
    [11, QUOTE, F + 505, 0],
  ]);
  t.strictSame(f.book(Side.BUY), [4]);
});

t.test('EXPIRE_BOTH removes the first own maker and the taker', async (t) => {
  const f = book();
  const r = f.ok(limit(10, Side.BUY, 6, 101, { stpMode: StpMode.EXPIRE_BOTH }));
  t.strictSame(r.kinds, [
    'ORDER_ACCEPTED',
    'SELF_TRADE_PREVENTED',
    'ORDER_EXPIRED',
    'ORDER_EXPIRED',
    'BOOK_LEVEL',
    'BALANCE',
  ]);
  t.match(r.events[2], { orderId: 1, reason: 6, qtyLots: 4 });
  t.match(r.events[3], { orderId: 4, reason: 6, qtyLots: 6 });
  t.match(r.events[4], { side: 2, priceTicks: 100, qtyLots: 3, orderCount: 1 });
  t.strictSame(balances(r.events), [[10, BASE, F - 30, 30]]);
  t.strictSame(f.book(Side.SELL), [2, 3]);
});

t.test('DECREMENT shrinks both; the emptied ones expire with qtyLots 0', async (t) => {
  const f = book();
  const r = f.ok(limit(10, Side.BUY, 6, 101, { stpMode: StpMode.DECREMENT }));
  // A: x = min(4, 6) = 4 -> A 0 (expired, qty 0), taker 6 -> 2.
  // B: x = min(3, 2) = 2 -> B 3 -> 1, taker 0 -> expired SELF_TRADE, qty 0.
  t.strictSame(r.kinds, [
    'ORDER_ACCEPTED',
    'SELF_TRADE_PREVENTED',
    'ORDER_EXPIRED',
    'SELF_TRADE_PREVENTED',
    'ORDER_EXPIRED',
    'BOOK_LEVEL',
    'BALANCE',
  ]);
  t.match(r.events[1], { makerOrderId: 1, qtyLots: 4, stpMode: 5 });
  t.match(r.events[2], { orderId: 1, reason: 6, qtyLots: 0 });
  t.match(r.events[3], { makerOrderId: 2, qtyLots: 2 });
  t.match(r.events[4], { orderId: 4, reason: 6, qtyLots: 0 });
  t.match(r.events[5], { side: 2, priceTicks: 100, qtyLots: 1, orderCount: 1 });
  // Base: A's 40 and 2 lots of B (20) unlocked. Quote: 606 locked and all released.
  t.strictSame(balances(r.events), [[10, BASE, F - 10, 10]]);
  const b: unknown[] = [];
  f.eng.forEachRestingOrder(1, Side.SELL, (o) =>
    b.push([o.orderId, o.qtyLots, o.filledLots, o.remainingLots]),
  );
  t.strictSame(b, [
    [2, 1, 0, 1],
    [3, 5, 0, 5],
  ]);
});

t.test(
  'DECREMENT of a quote-budget taker releases budget; a budget too small stops it',
  async (t) => {
    const f = book();
    // P = floor(100 * 11000 / 10000) = 110. Lock the budget 350.
    // A (own, 100): takerRemaining = floor(350 / 100) = 3, x = 3: A 4 -> 1; budget 350 -> 50.
    // A again: floor(50 / 100) = 0 -> stops (not for self-trade): MARKET_REMAINDER, 50 unspent.
    const r = f.ok(marketOrder(10, Side.BUY, 0, 350, { stpMode: StpMode.DECREMENT }));
    t.strictSame(r.kinds, [
      'ORDER_ACCEPTED',
      'SELF_TRADE_PREVENTED',
      'ORDER_EXPIRED',
      'BOOK_LEVEL',
      'BALANCE',
    ]);
    t.match(r.events[0], { priceTicks: 110, qtyLots: 0, quoteAtoms: 350 });
    t.match(r.events[1], { makerOrderId: 1, qtyLots: 3 });
    t.match(r.events[2], { orderId: 4, reason: 5, qtyLots: 0, quoteAtoms: 50 });
    t.match(r.events[3], { side: 2, priceTicks: 100, qtyLots: 4, orderCount: 2 });
    t.strictSame(balances(r.events), [[10, BASE, F - 40, 40]]);
  },
);

t.test('NONE trades with itself where the market allows it', async (t) => {
  const f = book();
  const r = f.ok(limit(10, Side.BUY, 6, 100, { stpMode: StpMode.NONE }));
  t.strictSame(r.kinds, ['ORDER_ACCEPTED', 'TRADE', 'TRADE', 'BOOK_LEVEL', 'BALANCE']);
  t.match(r.events[1], {
    makerOrderId: 1,
    makerAccountId: 10,
    accountId: 10,
    qtyLots: 4,
    remainingLots: 2,
  });
  t.match(r.events[2], { makerOrderId: 2, qtyLots: 2, remainingLots: 0, makerRemainingLots: 1 });
  // Quote: pays 600 to itself (no fees): unchanged, no event. Base: 60 of 70 unlocked back.
  t.strictSame(balances(r.events), [[10, BASE, F - 10, 10]]);
});

t.test('NONE is rejected where the market does not allow self-trades', async (t) => {
  const f = book(false);
  const r = f.run(limit(10, Side.BUY, 6, 100, { stpMode: StpMode.NONE }));
  t.equal(r.ret, RejectReason.INVALID_STP_MODE);
  t.strictSame(r.kinds, ['ORDER_REJECTED']);
  t.equal(f.eng.nextOrderId, 4, 'a rejected order gets no id');
});

t.test('the taker mode decides, not the maker mode', async (t) => {
  const f = fixture({ 10: [0, 0] }, { allowSelfTrade: true }, F);
  f.ok(limit(10, Side.SELL, 4, 100, { stpMode: StpMode.EXPIRE_TAKER }));
  const r = f.ok(limit(10, Side.BUY, 1, 100, { stpMode: StpMode.EXPIRE_MAKER }));
  t.strictSame(r.kinds.slice(0, 3), ['ORDER_ACCEPTED', 'SELF_TRADE_PREVENTED', 'ORDER_EXPIRED']);
  t.match(r.events[2], { orderId: 1 }, 'the maker expired');
  t.strictSame(f.book(Side.BUY), [2], 'the taker rests');
});
