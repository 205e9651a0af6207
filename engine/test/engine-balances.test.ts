// Deposits and withdrawals (lock, finalize, release, references), fees with
// worked numbers (ceil for fees, floor for rebates, rebates capped by the fee
// account's balance), and conservation of every asset.
import t from 'tap';
import { feeAtoms, rebateAtoms } from '../fees';
import {
  A,
  B,
  BASE,
  C,
  CommandKind,
  FEE,
  EventKind as K,
  kinds,
  limit,
  lockedMatchesOrders,
  market,
  ok,
  only,
  place,
  QUOTE,
  Side,
  setup,
  totals,
} from './engine-fixture';

t.test('deposit, withdraw lock / finalize / release', async (t) => {
  const e = setup({ funds: 0 });
  const seq = e.lastSeq + 1;
  t.same(
    ok(e, { kind: CommandKind.DEPOSIT, accountId: A, assetId: BASE, amountAtoms: 1_000, refId: 7 }),
    [
      { kind: K.DEPOSITED, seq, accountId: A, assetId: BASE, amountAtoms: 1_000, refId: 7 },
      { kind: K.BALANCE, seq, accountId: A, assetId: BASE, availableAtoms: 1_000, lockedAtoms: 0 },
    ],
  );
  const lock = ok(e, {
    kind: CommandKind.WITHDRAW_LOCK,
    accountId: A,
    assetId: BASE,
    amountAtoms: 300,
    refId: 7,
  });
  t.match(
    lock,
    [
      { kind: K.WITHDRAWAL_LOCKED, refId: 7, amountAtoms: 300 },
      { kind: K.BALANCE, availableAtoms: 700, lockedAtoms: 300 },
    ],
    'deposit and withdrawal refs are separate',
  );
  ok(e, {
    kind: CommandKind.WITHDRAW_LOCK,
    accountId: A,
    assetId: BASE,
    amountAtoms: 200,
    refId: 8,
  });
  const pending: number[][] = [];
  e.forEachPendingWithdrawal((r, a, asset, amount) => pending.push([r, a, asset, amount]));
  t.same(pending, [
    [7, A, BASE, 300],
    [8, A, BASE, 200],
  ]);
  t.match(ok(e, { kind: CommandKind.WITHDRAW_FINALIZE, refId: 7 }), [
    { kind: K.WITHDRAWAL_FINALIZED, accountId: A, assetId: BASE, amountAtoms: 300, refId: 7 },
    { kind: K.BALANCE, availableAtoms: 500, lockedAtoms: 200 },
  ]);
  t.match(ok(e, { kind: CommandKind.WITHDRAW_RELEASE, refId: 8 }), [
    { kind: K.WITHDRAWAL_RELEASED, accountId: A, assetId: BASE, amountAtoms: 200, refId: 8 },
    { kind: K.BALANCE, availableAtoms: 700, lockedAtoms: 0 },
  ]);
  const refs: number[] = [];
  e.forEachWithdrawalRef((r) => refs.push(r));
  t.same(refs, [7, 8]);
  const deps: number[] = [];
  e.forEachDepositRef((r) => deps.push(r));
  t.same(deps, [7]);
  // Locked withdrawal funds cannot back an order.
  ok(e, {
    kind: CommandKind.WITHDRAW_LOCK,
    accountId: A,
    assetId: BASE,
    amountAtoms: 650,
    refId: 9,
  });
  t.equal(e.submit(limit(A, Side.SELL, 1, 1), 0), 11);
  t.ok(lockedMatchesOrders(e));
});

t.test('fee arithmetic: ceil for fees, floor for rebates, exact past 2^53 / 10000', async (t) => {
  t.equal(feeAtoms(700, 25), 2, '700 * 25 / 10000 = 1.75 -> 2');
  t.equal(feeAtoms(8_638, 10), 9, '8.638 -> 9');
  t.equal(feeAtoms(10_000, 10), 10, 'exact stays exact');
  t.equal(feeAtoms(123_456_789, 7), 86_420, '86419.7523 -> 86420');
  t.equal(feeAtoms(1, 1), 1, 'any fraction rounds up');
  t.equal(feeAtoms(5_000, 0), 0);
  t.equal(rebateAtoms(8_638, 5), 4, '4.319 -> 4');
  t.equal(rebateAtoms(1_999, 5), 0, '0.9995 -> 0');
  const big = 9_007_199_254_740_991; // 2^53 - 1: amount * bps would not be exact
  t.equal(feeAtoms(big, 1_000), 900_719_925_474_100, 'ceil(900719925474099.1)');
  t.equal(rebateAtoms(big, 100), 90_071_992_547_409, 'floor(90071992547409.91)');
});

t.test('fees on a trade, worked through', async (t) => {
  const e = setup({ makerFeeBps: 10, takerFeeBps: 25 });
  place(e, limit(B, Side.SELL, 1_234, 7));
  const ev = ok(e, limit(A, Side.BUY, 1_234, 7));
  // The taker (buyer) receives 7 * 100 = 700 base: fee ceil(1.75) = 2.
  // The maker (seller) receives 1234 * 7 = 8638 quote: fee ceil(8.638) = 9.
  t.match(only(ev, K.TRADE), [{ quoteAtoms: 8_638, takerFeeAtoms: 2, makerFeeAtoms: 9 }]);
  t.same(e.getBalance(A, BASE), { availableAtoms: 1e12 + 698, lockedAtoms: 0 });
  t.same(e.getBalance(B, QUOTE), { availableAtoms: 1e12 + 8_629, lockedAtoms: 0 });
  t.same(e.getBalance(FEE, BASE), { availableAtoms: 2, lockedAtoms: 0 });
  t.same(e.getBalance(FEE, QUOTE), { availableAtoms: 9, lockedAtoms: 0 });
  t.same(totals(e).get(BASE), 3e12);
  t.same(totals(e).get(QUOTE), 3e12);
  // A seller as taker pays its fee in quote.
  const f = setup({ makerFeeBps: 0, takerFeeBps: 30 });
  place(f, limit(B, Side.BUY, 333, 3));
  const ev2 = ok(f, limit(A, Side.SELL, 333, 3));
  t.match(
    only(ev2, K.TRADE),
    [{ quoteAtoms: 999, takerFeeAtoms: 3, makerFeeAtoms: 0 }],
    '2.997 -> 3',
  );
  t.same(f.getBalance(A, QUOTE), { availableAtoms: 1e12 + 996, lockedAtoms: 0 });
});

t.test('rebates: floor, paid from the fee account, capped at its balance', async (t) => {
  const e = setup({ makerFeeBps: -5, takerFeeBps: 0 });
  ok(e, { kind: CommandKind.DEPOSIT, accountId: FEE, assetId: QUOTE, amountAtoms: 3, refId: 1 });
  place(e, limit(B, Side.SELL, 1_234, 7));
  const ev = ok(e, limit(A, Side.BUY, 1_234, 7));
  // floor(8638 * 5 / 10000) = 4, but the fee account holds only 3.
  t.match(only(ev, K.TRADE), [{ makerFeeAtoms: -3, takerFeeAtoms: 0 }]);
  t.same(e.getBalance(B, QUOTE), { availableAtoms: 1e12 + 8_641, lockedAtoms: 0 });
  t.same(e.getBalance(FEE, QUOTE), { availableAtoms: 0, lockedAtoms: 0 });
  t.match(
    only(ev, K.BALANCE).map((x) => x.accountId),
    [FEE, A, A, B, B],
  );
  // Nothing left to pay: the rebate is 0 (and never -0).
  place(e, limit(B, Side.SELL, 1_234, 7));
  const ev2 = ok(e, limit(A, Side.BUY, 1_234, 7));
  const tr = only(ev2, K.TRADE)[0]!;
  t.ok(Object.is(tr.makerFeeAtoms, 0));
  // Funded enough: the full floor(4.319) = 4.
  ok(e, { kind: CommandKind.DEPOSIT, accountId: FEE, assetId: QUOTE, amountAtoms: 100, refId: 2 });
  place(e, limit(B, Side.SELL, 1_234, 7));
  t.match(only(ok(e, limit(A, Side.BUY, 1_234, 7)), K.TRADE), [{ makerFeeAtoms: -4 }]);
  t.same(e.getBalance(FEE, QUOTE), { availableAtoms: 96, lockedAtoms: 0 });
  t.equal(totals(e).get(QUOTE), 3e12 + 103);
});

t.test('fee rates apply from SET_FEES on; new accounts take ADD_ACCOUNT rates', async (t) => {
  const e = setup();
  t.match(
    ok(e, { kind: CommandKind.SET_FEES, accountId: A, makerFeeBps: -2, takerFeeBps: 1_000 }),
    [{ kind: K.FEES_SET, accountId: A, makerFeeBps: -2, takerFeeBps: 1_000 }],
  );
  const rates: number[][] = [];
  e.forEachAccount((a, m, k) => rates.push([a, m, k]));
  t.same(rates, [
    [FEE, 0, 0],
    [A, -2, 1_000],
    [B, 0, 0],
    [C, 0, 0],
  ]);
  place(e, limit(B, Side.SELL, 100, 1));
  t.match(
    only(ok(e, limit(A, Side.BUY, 100, 1)), K.TRADE),
    [{ takerFeeAtoms: 10 }],
    '10% of 100 base atoms',
  );
});

t.test('conservation: every asset adds up through a busy sequence', async (t) => {
  const e = setup({ makerFeeBps: -3, takerFeeBps: 7 });
  ok(e, { kind: CommandKind.DEPOSIT, accountId: FEE, assetId: QUOTE, amountAtoms: 50, refId: 1 });
  ok(e, { kind: CommandKind.DEPOSIT, accountId: FEE, assetId: BASE, amountAtoms: 50, refId: 2 });
  let total = { [BASE]: 3e12 + 50, [QUOTE]: 3e12 + 50 } as Record<number, number>;
  let x = 12_345;
  const rnd = (n: number) => {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    return (x >>> 8) % n;
  };
  const traders = [A, B, C];
  for (let i = 0; i < 3_000; i++) {
    const who = traders[rnd(3)]!;
    const side = rnd(2) === 0 ? Side.BUY : Side.SELL;
    const k = rnd(10);
    if (k < 6) e.submit(limit(who, side, 95 + rnd(11), 1 + rnd(20)), 0);
    else if (k < 7) e.submit(market(who, side, 1 + rnd(10)), 0);
    else if (k < 8) e.submit(market(who, side, 0, 100 + rnd(3_000)), 0);
    else if (k < 9)
      e.submit({ kind: CommandKind.CANCEL_ALL, accountId: who, marketId: 0, reason: 1 }, 0);
    else {
      const ref = 1_000 + i;
      e.submit(
        {
          kind: CommandKind.WITHDRAW_LOCK,
          accountId: who,
          assetId: BASE,
          amountAtoms: 1 + rnd(100),
          refId: ref,
        },
        0,
      );
      const fin = rnd(2) === 0;
      for (let j = 0; j < e.events.count; j++) {
        const ev = e.events.at(j);
        if (ev.kind === K.WITHDRAWAL_LOCKED && fin)
          total = { ...total, [BASE]: total[BASE]! - ev.amountAtoms };
      }
      e.submit(
        { kind: fin ? CommandKind.WITHDRAW_FINALIZE : CommandKind.WITHDRAW_RELEASE, refId: ref },
        0,
      );
    }
    e.events.clear();
  }
  t.equal(totals(e).get(BASE), total[BASE]);
  t.equal(totals(e).get(QUOTE), total[QUOTE]);
  t.ok(lockedMatchesOrders(e));
  t.ok(e.nextTradeId > 100, `it traded (${e.nextTradeId - 1} trades)`);
  t.same(kinds([]), []);
});
