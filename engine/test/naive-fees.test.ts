// Reference model: fees rounded in the exchange's favour, rebates capped by
// the fee account's funds. Every number below is worked out by hand.
import t from 'tap';
import { MAX_SAFE } from '../constants';
import { naiveFee, naiveRebate } from '../order-book-naive';
import { Rng } from '../testing/command-generator';
import { Side, TimeInForce } from '../types';
import { BASE, FEE, fixture, limit, QUOTE } from './naive-fixture';

// Market: 37 base atoms per lot, 3 quote atoms per tick-lot.
// Accounts: 10 maker 10 / taker 20 bps; 11 maker -5 (rebate) / taker 30; 12 free.
const ACCOUNTS: Record<number, [number, number]> = { 10: [10, 20], 11: [-5, 30], 12: [0, 0] };
const CFG = { baseAtomsPerLot: 37, quoteAtomsPerTickLot: 3 };
const FUNDS = 1_000_000;

t.test('fee() rounds up, rebate() rounds down', async (t) => {
  t.equal(naiveFee(0, 20), 0);
  t.equal(naiveFee(1, 1), 1, '0.0001 atoms rounds up to 1');
  t.equal(naiveFee(10_000, 1), 1, 'exactly 1');
  t.equal(naiveFee(10_001, 1), 2, '1.0001 -> 2');
  t.equal(naiveFee(185, 20), 1, '185 * 20 / 10000 = 0.37 -> 1');
  t.equal(naiveFee(9009, 10), 10, '9.009 -> 10');
  t.equal(naiveFee(4500, 30), 14, '13.5 -> 14');
  t.equal(
    naiveFee(MAX_SAFE, 1000),
    900_719_925_474_100,
    '2^53-1 at 10%: 900719925474099.1 -> ...100',
  );
  t.equal(naiveRebate(9999, -1), 0, '0.9999 -> 0');
  t.equal(naiveRebate(10_000, -1), 1);
  t.equal(naiveRebate(18_510, -5), 9, '9.255 -> 9');
  t.equal(naiveRebate(MAX_SAFE, -100), 90_071_992_547_409, '2^53-1 at 1%: ...409.91 -> ...409');
});

t.test('fee() agrees with the overflow-free formula of SEMANTICS.md', async (t) => {
  // fee = q * bps + ceil(r * bps / 10000), q = floor(amount / 10000), r = amount % 10000.
  const rng = new Rng(42);
  for (let i = 0; i < 2000; i++) {
    const amount = i % 2 === 0 ? rng.int(0, 100_000) : rng.int(0, MAX_SAFE);
    const bps = rng.int(0, 1000);
    const q = Math.floor(amount / 10_000);
    const r = amount % 10_000;
    const expected = q * bps + Math.ceil((r * bps) / 10_000);
    if (naiveFee(amount, bps) !== expected) {
      t.fail(`fee(${amount}, ${bps}) = ${naiveFee(amount, bps)}, formula ${expected}`);
      return;
    }
    const rb = rng.int(1, 100);
    const rebate = q * rb + Math.floor((r * rb) / 10_000);
    if (naiveRebate(amount, -rb) !== rebate) {
      t.fail(`rebate(${amount}, ${-rb}) = ${naiveRebate(amount, -rb)}, formula ${rebate}`);
      return;
    }
  }
  t.pass('2000 random amounts agree');
});

t.test('buy taker pays its fee in base; rebate capped at the fee account balance', async (t) => {
  const f = fixture(ACCOUNTS, CFG, FUNDS);
  f.deposit(FEE, QUOTE, 4); // the fee account can pay 4 quote atoms of rebates
  f.ok(limit(11, Side.SELL, 7, 1234)); // order 1 locks 7 * 37 = 259 base
  // Order 2: buy 5 @ 1300 IOC locks 1300 * 5 * 3 = 19500 quote.
  const r = f.ok(limit(10, Side.BUY, 5, 1300, { timeInForce: TimeInForce.IOC }));
  t.strictSame(r.kinds, ['ORDER_ACCEPTED', 'TRADE', 'BOOK_LEVEL', ...Array(6).fill('BALANCE')]);
  // Trade at the maker's 1234: base 5 * 37 = 185; notional 1234 * 5 * 3 = 18510.
  // Taker fee: ceil(185 * 20 / 10000) = ceil(0.37) = 1 base atom.
  // Rebate owed: floor(18510 * 5 / 10000) = floor(9.255) = 9, but the fund holds 4.
  t.match(r.events[1], {
    tradeId: 1,
    marketId: 1,
    orderId: 2,
    accountId: 10,
    side: Side.BUY,
    makerOrderId: 1,
    makerAccountId: 11,
    priceTicks: 1234,
    qtyLots: 5,
    quoteAtoms: 18_510,
    remainingLots: 0,
    makerRemainingLots: 2,
    takerFeeAtoms: 1,
    makerFeeAtoms: -4,
  });
  t.match(r.events[2], { side: Side.SELL, priceTicks: 1234, qtyLots: 2, orderCount: 1 });
  const balances = r.events
    .slice(3)
    .map((e) => [e.accountId, e.assetId, e.availableAtoms, e.lockedAtoms]);
  t.strictSame(balances, [
    [FEE, BASE, 1, 0], // the taker fee
    [FEE, QUOTE, 0, 0], // 4 - 4 rebate paid
    [10, BASE, FUNDS + 185 - 1, 0],
    [10, QUOTE, FUNDS - 18_510, 0], // 19500 locked, 18510 spent, 990 back
    [11, BASE, FUNDS - 259, 74], // 2 lots * 37 still locked
    [11, QUOTE, FUNDS + 18_510 + 4, 0],
  ]);
});

t.test('a funded rebate is paid in full', async (t) => {
  const f = fixture(ACCOUNTS, CFG, FUNDS);
  f.deposit(FEE, QUOTE, 100);
  f.ok(limit(11, Side.SELL, 7, 1234));
  const r = f.ok(limit(10, Side.BUY, 5, 1300, { timeInForce: TimeInForce.IOC }));
  t.match(r.events[1], { makerFeeAtoms: -9, takerFeeAtoms: 1 });
  t.strictSame(f.balance(FEE, QUOTE), [91, 0], '100 - 9');
  t.strictSame(f.balance(11, QUOTE), [FUNDS + 18_510 + 9, 0]);
});

t.test('an unfunded rebate pays 0 (recorded as 0, not -0)', async (t) => {
  const f = fixture(ACCOUNTS, CFG, FUNDS);
  f.ok(limit(11, Side.SELL, 7, 1234));
  const r = f.ok(limit(10, Side.BUY, 5, 1300, { timeInForce: TimeInForce.IOC }));
  t.ok(Object.is(r.events[1]!.makerFeeAtoms, 0));
});

t.test('maker fee in quote rounds up', async (t) => {
  const f = fixture(ACCOUNTS, CFG, FUNDS);
  f.ok(limit(10, Side.SELL, 3, 1001)); // order 1, maker 10 bps
  const r = f.ok(limit(12, Side.BUY, 3, 1001)); // taker 0 bps
  // Notional 1001 * 3 * 3 = 9009; maker fee ceil(9.009) = 10; taker fee 0 on 111 base.
  t.match(r.events[1], { quoteAtoms: 9009, makerFeeAtoms: 10, takerFeeAtoms: 0 });
  t.strictSame(f.balance(10, QUOTE), [FUNDS + 9009 - 10, 0]);
  t.strictSame(f.balance(FEE, QUOTE), [10, 0]);
  t.strictSame(f.balance(12, BASE), [FUNDS + 111, 0]);
});

t.test('sell taker trades at the better maker price and pays its fee in quote', async (t) => {
  const f = fixture(ACCOUNTS, CFG, FUNDS);
  f.ok(limit(12, Side.BUY, 3, 500)); // locks 500 * 3 * 3 = 4500
  const r = f.ok(limit(11, Side.SELL, 3, 400, { timeInForce: TimeInForce.IOC }));
  // Trade 3 @ 500 (not 400): notional 4500; taker fee ceil(4500 * 30 / 10000) = ceil(13.5) = 14.
  t.match(r.events[1], { priceTicks: 500, quoteAtoms: 4500, takerFeeAtoms: 14, makerFeeAtoms: 0 });
  t.strictSame(f.balance(11, QUOTE), [FUNDS + 4500 - 14, 0]);
  t.strictSame(f.balance(11, BASE), [FUNDS - 111, 0]);
  t.strictSame(f.balance(12, BASE), [FUNDS + 111, 0]);
  t.strictSame(f.balance(12, QUOTE), [FUNDS - 4500, 0]);
  t.strictSame(f.balance(FEE, QUOTE), [14, 0]);
});

t.test('fees follow SET_FEES from the next fill on', async (t) => {
  const f = fixture(ACCOUNTS, CFG, FUNDS);
  f.ok(limit(12, Side.BUY, 3, 500));
  f.ok({ kind: 11, accountId: 11, makerFeeBps: 0, takerFeeBps: 1000 });
  const r = f.ok(limit(11, Side.SELL, 1, 500, { timeInForce: TimeInForce.IOC }));
  // Notional 500 * 1 * 3 = 1500 at 10%: 150.
  t.match(r.events[1], { takerFeeAtoms: 150 });
});
