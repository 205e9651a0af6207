// Reference model: the FOK walk, by hand. Market: 10 base atoms per lot, 1 quote
// atom per tick-lot, self trade allowed. Asks: #1 (acct 10) 4 @ 100,
// #2 (acct 11) 5 @ 101, #3 (acct 12) 3 @ 102.
import t from 'tap';
import { Side, StpMode, TimeInForce } from '../types';
import { type Fixture, fixture, limit } from './naive-fixture';

const FOK = { timeInForce: TimeInForce.FOK };

function book(): Fixture {
  const f = fixture({ 10: [0, 0], 11: [0, 0], 12: [0, 0], 13: [0, 0] }, { allowSelfTrade: true });
  f.ok(limit(10, Side.SELL, 4, 100));
  f.ok(limit(11, Side.SELL, 5, 101));
  f.ok(limit(12, Side.SELL, 3, 102));
  return f;
}

t.test('fills exactly what the acceptable prices hold', async (t) => {
  const f = book();
  // At <= 101: 4 + 5 = 9 >= 9.
  const r = f.ok(limit(13, Side.BUY, 9, 101, FOK));
  t.strictSame(r.kinds.slice(0, 3), ['ORDER_ACCEPTED', 'TRADE', 'TRADE']);
  t.match(r.events[1], { makerOrderId: 1, priceTicks: 100, qtyLots: 4, remainingLots: 5 });
  t.match(r.events[2], { makerOrderId: 2, priceTicks: 101, qtyLots: 5, remainingLots: 0 });
  t.notOk(r.kinds.includes('ORDER_EXPIRED'));
  t.strictSame(f.book(Side.SELL), [3]);
});

t.test('one lot short: expires whole, nothing trades, no balance moves', async (t) => {
  const f = book();
  const r = f.ok(limit(13, Side.BUY, 10, 101, FOK));
  t.strictSame(r.kinds, ['ORDER_ACCEPTED', 'ORDER_EXPIRED']);
  t.match(r.events[1], { orderId: 4, reason: 4, qtyLots: 10, quoteAtoms: 0 });
  t.strictSame(f.book(Side.SELL), [1, 2, 3]);
});

t.test('a higher limit reaches the next level', async (t) => {
  const f = book();
  const r = f.ok(limit(13, Side.BUY, 12, 102, FOK)); // 4 + 5 + 3 = 12
  t.equal(r.kinds.filter((k) => k === 'TRADE').length, 3);
});

t.test('an own maker ends the walk for EXPIRE_TAKER, EXPIRE_BOTH and DECREMENT', async (t) => {
  for (const stpMode of [
    StpMode.UNSPECIFIED,
    StpMode.EXPIRE_TAKER,
    StpMode.EXPIRE_BOTH,
    StpMode.DECREMENT,
  ]) {
    const f = book();
    // Account 10's own #1 is first: the walk stops at 0 lots although #2 holds 5.
    const r = f.ok(limit(10, Side.BUY, 5, 101, { ...FOK, stpMode }));
    t.strictSame(r.kinds, ['ORDER_ACCEPTED', 'ORDER_EXPIRED'], `mode ${stpMode}`);
    t.match(r.events[1], { reason: 4, qtyLots: 5 });
  }
});

t.test('the walk stops at an own maker even after counting others', async (t) => {
  const f = book();
  // Account 11 buys 7 @ 102 DECREMENT: #1 (acct 10) counts 4, then #2 is its own: 4 < 7.
  const r = f.ok(limit(11, Side.BUY, 7, 102, { ...FOK, stpMode: StpMode.DECREMENT }));
  t.strictSame(r.kinds, ['ORDER_ACCEPTED', 'ORDER_EXPIRED']);
  // ... and with 4 lots it passes and fills from #1 alone.
  const r2 = f.ok(limit(11, Side.BUY, 4, 102, { ...FOK, stpMode: StpMode.DECREMENT }));
  t.strictSame(r2.kinds.slice(0, 2), ['ORDER_ACCEPTED', 'TRADE']);
  t.notOk(r2.kinds.includes('SELF_TRADE_PREVENTED'));
});

t.test('EXPIRE_MAKER skips own makers in the walk, then expires them while filling', async (t) => {
  const f = book();
  // Walk: skip #1 (own), #2 gives 5 >= 5.
  const r = f.ok(limit(10, Side.BUY, 5, 101, { ...FOK, stpMode: StpMode.EXPIRE_MAKER }));
  t.strictSame(r.kinds.slice(0, 4), [
    'ORDER_ACCEPTED',
    'SELF_TRADE_PREVENTED',
    'ORDER_EXPIRED',
    'TRADE',
  ]);
  t.match(r.events[2], { orderId: 1, reason: 6, qtyLots: 4 });
  t.match(r.events[3], { makerOrderId: 2, qtyLots: 5, remainingLots: 0 });
  // But own lots do not count: 6 > 5 available from others at <= 101.
  const f2 = book();
  const r2 = f2.ok(limit(10, Side.BUY, 6, 101, { ...FOK, stpMode: StpMode.EXPIRE_MAKER }));
  t.strictSame(r2.kinds, ['ORDER_ACCEPTED', 'ORDER_EXPIRED'], 'no self-trade events either');
});

t.test('NONE counts own makers', async (t) => {
  const f = book();
  const r = f.ok(limit(10, Side.BUY, 9, 101, { ...FOK, stpMode: StpMode.NONE }));
  t.strictSame(r.kinds.slice(0, 3), ['ORDER_ACCEPTED', 'TRADE', 'TRADE']);
  t.match(r.events[1], { makerAccountId: 10, qtyLots: 4 });
});

t.test('FOK sell walks bids from the highest', async (t) => {
  const f = fixture({ 10: [0, 0], 11: [0, 0] });
  f.ok(limit(10, Side.BUY, 2, 90));
  f.ok(limit(10, Side.BUY, 2, 95));
  const short = f.ok(limit(11, Side.SELL, 3, 95, FOK)); // only 2 at >= 95
  t.strictSame(short.kinds, ['ORDER_ACCEPTED', 'ORDER_EXPIRED']);
  const r = f.ok(limit(11, Side.SELL, 3, 90, FOK));
  t.match(r.events[1], { makerOrderId: 2, priceTicks: 95, qtyLots: 2 });
  t.match(r.events[2], { makerOrderId: 1, priceTicks: 90, qtyLots: 1 });
});
