// Every reject reason the engine can return, from each command that can
// return it, with its exact code, the ORDER_REJECTED event's fields, and the
// rule that a rejected command changes nothing but lastSeq.
import t from 'tap';
import { MAX_ASSETS, MAX_BATCH_ITEMS, MAX_MARKETS, MAX_SAFE } from '../constants';
import {
  A,
  B,
  BASE,
  CommandKind,
  DEFAULT_MARKET,
  EventKind,
  FEE,
  limit,
  MarketStatus,
  MKT,
  market,
  OrderType,
  ok,
  place,
  QUOTE,
  RejectReason as R,
  rejectOf,
  run,
  Side,
  StpMode,
  setup,
  TimeInForce,
} from './engine-fixture';

t.test('PLACE_ORDER: each validation step in SEMANTICS order', async (t) => {
  const e = setup({ market: { minQtyLots: 2, maxQtyLots: 1_000, maxPriceTicks: 10_000 } });
  const buy = (extra: object) => ({ ...limit(A, Side.BUY, 100, 5), ...extra });
  // 1
  t.equal(rejectOf(e, buy({ accountId: 999 })), R.ACCOUNT_UNKNOWN);
  t.equal(rejectOf(e, buy({ accountId: FEE })), R.ACCOUNT_UNKNOWN, 'the fee account cannot trade');
  t.equal(rejectOf(e, buy({ accountId: 'x' })), R.ACCOUNT_UNKNOWN);
  // 2
  t.equal(rejectOf(e, buy({ marketId: 7 })), R.MARKET_UNKNOWN);
  ok(e, { kind: CommandKind.SET_MARKET_STATUS, marketId: MKT, status: MarketStatus.HALTED });
  t.equal(rejectOf(e, buy({})), R.MARKET_HALTED);
  ok(e, { kind: CommandKind.SET_MARKET_STATUS, marketId: MKT, status: MarketStatus.CANCEL_ONLY });
  t.equal(rejectOf(e, buy({})), R.MARKET_CANCEL_ONLY);
  ok(e, { kind: CommandKind.SET_MARKET_STATUS, marketId: MKT, status: MarketStatus.ACTIVE });
  // 3
  t.equal(rejectOf(e, buy({ side: 3 })), R.INVALID_SIDE);
  t.equal(rejectOf(e, buy({ orderType: 0 })), R.INVALID_ORDER_TYPE);
  // 4
  t.equal(rejectOf(e, buy({ timeInForce: TimeInForce.UNSPECIFIED })), R.INVALID_TIME_IN_FORCE);
  t.equal(rejectOf(e, buy({ timeInForce: 9 })), R.INVALID_TIME_IN_FORCE);
  t.equal(
    rejectOf(e, market(A, Side.BUY, 5, 0, { timeInForce: TimeInForce.GTC })),
    R.INVALID_TIME_IN_FORCE,
  );
  t.equal(
    rejectOf(e, market(A, Side.BUY, 5, 0, { timeInForce: TimeInForce.FOK })),
    R.INVALID_TIME_IN_FORCE,
  );
  t.equal(
    rejectOf(e, buy({ postOnly: true, timeInForce: TimeInForce.IOC })),
    R.INVALID_TIME_IN_FORCE,
  );
  t.equal(rejectOf(e, market(A, Side.BUY, 5, 0, { postOnly: true })), R.INVALID_TIME_IN_FORCE);
  // 5
  t.equal(rejectOf(e, buy({ stpMode: 6 })), R.INVALID_STP_MODE);
  t.equal(rejectOf(e, buy({ stpMode: 1.5 })), R.INVALID_STP_MODE);
  // 6
  t.equal(rejectOf(e, buy({ clientOrderId: 'has space' })), R.INVALID_CLIENT_ORDER_ID);
  t.equal(rejectOf(e, buy({ clientOrderId: 'x'.repeat(37) })), R.INVALID_CLIENT_ORDER_ID);
  t.equal(rejectOf(e, buy({ clientOrderId: 5 })), R.INVALID_CLIENT_ORDER_ID);
  // 7
  t.equal(rejectOf(e, buy({ priceTicks: 0 })), R.INVALID_TICK_SIZE);
  t.equal(rejectOf(e, buy({ priceTicks: 1.5 })), R.INVALID_TICK_SIZE);
  t.equal(rejectOf(e, buy({ priceTicks: -3 })), R.INVALID_TICK_SIZE);
  t.equal(rejectOf(e, buy({ priceTicks: 10_001 })), R.PRICE_OUT_OF_RANGE);
  t.equal(rejectOf(e, buy({ quoteBudgetAtoms: 50 })), R.INVALID_LOT_SIZE, 'limit with a budget');
  t.equal(rejectOf(e, market(A, Side.BUY, 5, 0, { priceTicks: 100 })), R.INVALID_TICK_SIZE);
  t.equal(rejectOf(e, market(A, Side.BUY, 5, 500)), R.INVALID_LOT_SIZE, 'both qty and budget');
  t.equal(rejectOf(e, market(A, Side.BUY, 0, 0)), R.INVALID_LOT_SIZE, 'neither qty nor budget');
  t.equal(rejectOf(e, market(A, Side.BUY, 0, -5)), R.INVALID_LOT_SIZE);
  t.equal(rejectOf(e, market(A, Side.BUY, 0, 2.5)), R.INVALID_LOT_SIZE);
  // 8
  t.equal(rejectOf(e, buy({ qtyLots: 0 })), R.INVALID_LOT_SIZE);
  t.equal(rejectOf(e, buy({ qtyLots: 2.5 })), R.INVALID_LOT_SIZE);
  t.equal(rejectOf(e, buy({ qtyLots: 1 })), R.QUANTITY_BELOW_MIN);
  t.equal(rejectOf(e, buy({ qtyLots: 1_001 })), R.QUANTITY_ABOVE_MAX);
  t.equal(rejectOf(e, market(A, Side.BUY, 1)), R.QUANTITY_BELOW_MIN);
});

t.test('PLACE_ORDER: notional, duplicates, post-only, liquidity, funds', async (t) => {
  const e = setup({ market: { minNotionalAtoms: 1_000 } });
  // 9: p * q * qptl = 99 * 10 * 1 < 1000
  t.equal(rejectOf(e, limit(A, Side.BUY, 99, 10)), R.NOTIONAL_BELOW_MIN);
  t.equal(rejectOf(e, market(A, Side.BUY, 0, 999)), R.NOTIONAL_BELOW_MIN);
  // 10
  place(e, limit(A, Side.BUY, 100, 10, { clientOrderId: 'abc' }));
  t.equal(
    rejectOf(e, limit(A, Side.BUY, 101, 10, { clientOrderId: 'abc' })),
    R.DUPLICATE_CLIENT_ORDER_ID,
  );
  place(e, limit(B, Side.BUY, 100, 10, { clientOrderId: 'abc' })); // another account may reuse it
  // 11
  place(e, limit(B, Side.SELL, 120, 10));
  t.equal(rejectOf(e, limit(A, Side.BUY, 120, 10, { postOnly: true })), R.POST_ONLY_WOULD_TAKE);
  t.equal(rejectOf(e, limit(A, Side.SELL, 100, 10, { postOnly: true })), R.POST_ONLY_WOULD_TAKE);
  place(e, limit(A, Side.BUY, 119, 10, { postOnly: true }));
  // 12
  const e2 = setup();
  t.equal(rejectOf(e2, market(A, Side.BUY, 5)), R.NO_LIQUIDITY);
  t.equal(rejectOf(e2, market(A, Side.SELL, 0, 5_000)), R.NO_LIQUIDITY);
  // 14
  const poor = setup({ funds: 0 });
  ok(poor, { kind: CommandKind.DEPOSIT, accountId: A, assetId: QUOTE, amountAtoms: 999, refId: 1 });
  t.equal(rejectOf(poor, limit(A, Side.BUY, 100, 10)), R.INSUFFICIENT_FUNDS, '1000 > 999');
  t.equal(rejectOf(poor, limit(A, Side.SELL, 100, 1)), R.INSUFFICIENT_FUNDS, 'no base at all');
  ok(poor, { kind: CommandKind.DEPOSIT, accountId: A, assetId: QUOTE, amountAtoms: 1, refId: 2 });
  place(poor, limit(A, Side.BUY, 100, 10));
  // A quote-budget sell whose budget buys no lot at the protection price.
  const e3 = setup({ market: { priceBandBps: 0 } });
  place(e3, limit(B, Side.BUY, 100, 10));
  t.equal(rejectOf(e3, market(A, Side.SELL, 0, 99)), R.QUANTITY_BELOW_MIN);
});

t.test('PLACE_ORDER: the first failing check wins', async (t) => {
  const e = setup();
  // unknown market, bad side and bad price at once: step 2 wins
  t.equal(rejectOf(e, { ...limit(A, 9 as Side, -1, 0), marketId: 5 }), R.MARKET_UNKNOWN);
  // bad side and bad price: step 3 wins
  t.equal(rejectOf(e, limit(A, 9 as Side, -1, 0)), R.INVALID_SIDE);
  // bad client order id and bad price: step 6 wins
  t.equal(
    rejectOf(e, limit(A, Side.BUY, -1, 0, { clientOrderId: '!' })),
    R.INVALID_CLIENT_ORDER_ID,
  );
  // insufficient funds and post-only crossing: step 11 wins
  place(e, limit(B, Side.SELL, 100, 1));
  t.equal(rejectOf(e, limit(A, Side.BUY, 100, 1e6, { postOnly: true })), R.POST_ONLY_WOULD_TAKE);
});

t.test('STP NONE needs a market that allows self-trade', async (t) => {
  const e = setup({ market: { allowSelfTrade: false } });
  t.equal(rejectOf(e, limit(A, Side.BUY, 100, 1, { stpMode: StpMode.NONE })), R.INVALID_STP_MODE);
  const f = setup({ market: { allowSelfTrade: true } });
  place(f, limit(A, Side.BUY, 100, 1, { stpMode: StpMode.NONE }));
});

t.test('ORDER_CAPACITY: the pool limit, only for orders that could rest', async (t) => {
  const e = setup({ maxOrders: 3 });
  for (let i = 0; i < 3; i++) place(e, limit(A, Side.BUY, 100 + i, 1));
  t.equal(rejectOf(e, limit(B, Side.BUY, 90, 1)), R.ORDER_CAPACITY);
  // IOC and market orders never rest: not subject to it (and they free capacity).
  const ioc = ok(e, limit(B, Side.SELL, 102, 1, { timeInForce: TimeInForce.IOC }));
  t.ok(ioc.some((x) => x.kind === EventKind.TRADE));
  place(e, limit(B, Side.BUY, 90, 1));
  t.equal(e.restingOrderCount(), 3);
});

t.test('rejected ORDER_REJECTED events echo the ids the command named', async (t) => {
  const e = setup();
  const before = e.stateHash();
  const seq = e.lastSeq;
  const { r, ev } = run(e, limit(A, Side.BUY, 0, 1, { clientOrderId: 'my-id' }));
  t.equal(r, R.INVALID_TICK_SIZE);
  t.same(ev, [
    {
      kind: EventKind.ORDER_REJECTED,
      seq: seq + 1,
      commandKind: CommandKind.PLACE_ORDER,
      reason: R.INVALID_TICK_SIZE,
      accountId: A,
      marketId: MKT,
      orderId: 0,
      refId: 0,
      clientOrderId: 'my-id',
    },
  ]);
  t.equal(e.lastSeq, seq + 1, 'lastSeq moves');
  t.equal(e.nextOrderId, 1, 'no id given');
  t.not(e.stateHash(), before, 'the hash covers lastSeq');
  // Non-integer ids echo as 0, non-strings as ''.
  const g = run(e, {
    kind: CommandKind.CANCEL_ORDER,
    accountId: 1.5,
    orderId: Number.NaN,
    clientOrderId: 7,
  });
  t.equal(g.r, R.ORDER_UNKNOWN);
  t.match(g.ev[0], {
    accountId: 0,
    orderId: 0,
    clientOrderId: '',
    commandKind: CommandKind.CANCEL_ORDER,
  });
  const c = run(e, {
    kind: CommandKind.CANCEL_ORDER,
    accountId: A,
    orderId: 42,
    clientOrderId: 'ignored',
  });
  t.match(c.ev[0], { accountId: A, orderId: 42, marketId: 0, clientOrderId: 'ignored' });
  const d = run(e, {
    kind: CommandKind.DEPOSIT,
    accountId: A,
    assetId: 9,
    amountAtoms: 5,
    refId: 77,
  });
  t.match(d.ev[0], {
    reason: R.ASSET_UNKNOWN,
    accountId: A,
    refId: 77,
    commandKind: CommandKind.DEPOSIT,
  });
  const k = run(e, { kind: 99 });
  t.match(k.ev[0], { reason: R.INVALID_COMMAND, commandKind: 99 });
  const k2 = run(e, { kind: 'x' });
  t.match(k2.ev[0], { reason: R.INVALID_COMMAND, commandKind: 0 });
});

t.test('CANCEL_ORDER and CANCEL_ALL rejects', async (t) => {
  const e = setup();
  const id = place(e, limit(A, Side.BUY, 100, 1, { clientOrderId: 'c1' }));
  t.equal(
    rejectOf(e, { kind: CommandKind.CANCEL_ORDER, accountId: A, orderId: 999, clientOrderId: '' }),
    R.ORDER_UNKNOWN,
  );
  t.equal(
    rejectOf(e, { kind: CommandKind.CANCEL_ORDER, accountId: B, orderId: id, clientOrderId: '' }),
    R.ORDER_UNKNOWN,
    "another account's order",
  );
  t.equal(
    rejectOf(e, {
      kind: CommandKind.CANCEL_ORDER,
      accountId: A,
      orderId: 0,
      clientOrderId: 'nope',
    }),
    R.ORDER_UNKNOWN,
  );
  t.equal(
    rejectOf(e, { kind: CommandKind.CANCEL_ORDER, accountId: A, orderId: 0, clientOrderId: '' }),
    R.ORDER_UNKNOWN,
  );
  t.equal(
    rejectOf(e, { kind: CommandKind.CANCEL_ORDER, accountId: B, orderId: 0, clientOrderId: 'c1' }),
    R.ORDER_UNKNOWN,
  );
  ok(e, { kind: CommandKind.SET_MARKET_STATUS, marketId: MKT, status: MarketStatus.HALTED });
  t.equal(
    rejectOf(e, { kind: CommandKind.CANCEL_ORDER, accountId: A, orderId: id, clientOrderId: '' }),
    R.MARKET_HALTED,
  );
  ok(e, { kind: CommandKind.SET_MARKET_STATUS, marketId: MKT, status: MarketStatus.ACTIVE });
  ok(e, { kind: CommandKind.CANCEL_ORDER, accountId: A, orderId: id, clientOrderId: '' });
  t.equal(
    rejectOf(e, { kind: CommandKind.CANCEL_ORDER, accountId: A, orderId: id, clientOrderId: '' }),
    R.ORDER_UNKNOWN,
    'already gone',
  );
  t.equal(
    rejectOf(e, { kind: CommandKind.CANCEL_ALL, accountId: 999, marketId: 0, reason: 1 }),
    R.ACCOUNT_UNKNOWN,
  );
  t.equal(
    rejectOf(e, { kind: CommandKind.CANCEL_ALL, accountId: A, marketId: 77, reason: 1 }),
    R.MARKET_UNKNOWN,
  );
  t.same(
    run(e, { kind: CommandKind.CANCEL_ALL, accountId: A, marketId: 0, reason: 1 }),
    { r: R.NONE, ev: [] },
    'nothing open is not an error',
  );
});

t.test('AMEND_ORDER rejects, in order', async (t) => {
  const e = setup({
    market: { minQtyLots: 2, maxQtyLots: 100, maxPriceTicks: 1_000, minNotionalAtoms: 300 },
  });
  const id = place(e, limit(A, Side.BUY, 100, 10, { postOnly: true }));
  const am = (p: number, q: number) => ({
    kind: CommandKind.AMEND_ORDER,
    accountId: A,
    orderId: id,
    clientOrderId: '',
    newPriceTicks: p,
    newQtyLots: q,
  });
  t.equal(rejectOf(e, { ...am(101, 0), orderId: 5 }), R.ORDER_UNKNOWN);
  t.equal(rejectOf(e, { ...am(101, 0), accountId: B }), R.ORDER_UNKNOWN);
  ok(e, { kind: CommandKind.SET_MARKET_STATUS, marketId: MKT, status: MarketStatus.HALTED });
  t.equal(rejectOf(e, am(101, 0)), R.MARKET_HALTED);
  ok(e, { kind: CommandKind.SET_MARKET_STATUS, marketId: MKT, status: MarketStatus.CANCEL_ONLY });
  t.equal(rejectOf(e, am(101, 0)), R.MARKET_CANCEL_ONLY);
  ok(e, { kind: CommandKind.SET_MARKET_STATUS, marketId: MKT, status: MarketStatus.ACTIVE });
  t.equal(rejectOf(e, am(0, 0)), R.AMEND_NO_CHANGE);
  t.equal(rejectOf(e, am(100, 10)), R.AMEND_NO_CHANGE);
  t.equal(rejectOf(e, am(100, 0)), R.AMEND_NO_CHANGE);
  t.equal(rejectOf(e, am(-1, 0)), R.INVALID_TICK_SIZE);
  t.equal(rejectOf(e, am(1.5, 0)), R.INVALID_TICK_SIZE);
  t.equal(rejectOf(e, am(1_001, 0)), R.PRICE_OUT_OF_RANGE);
  t.equal(rejectOf(e, am(0, -2)), R.INVALID_LOT_SIZE);
  t.equal(rejectOf(e, am(0, 1)), R.QUANTITY_BELOW_MIN);
  t.equal(rejectOf(e, am(0, 101)), R.QUANTITY_ABOVE_MAX);
  t.equal(rejectOf(e, am(29, 0)), R.NOTIONAL_BELOW_MIN, '29 * 10 < 300');
  // Partially fill it, then a new quantity at or below what filled.
  place(e, limit(B, Side.SELL, 100, 4));
  t.equal(e.getOrder(id)!.filledLots, 4);
  t.equal(rejectOf(e, am(0, 4)), R.QUANTITY_BELOW_MIN);
  t.equal(rejectOf(e, am(0, 3)), R.QUANTITY_BELOW_MIN);
  place(e, limit(B, Side.SELL, 110, 3));
  t.equal(rejectOf(e, am(110, 0)), R.POST_ONLY_WOULD_TAKE);
  const poor = setup({ funds: 0 });
  ok(poor, {
    kind: CommandKind.DEPOSIT,
    accountId: A,
    assetId: QUOTE,
    amountAtoms: 1_500,
    refId: 1,
  });
  const pid = place(poor, limit(A, Side.BUY, 100, 10)); // locks 1000, 500 left
  t.equal(rejectOf(poor, amend(pid, 151, 0)), R.INSUFFICIENT_FUNDS, '1510 > 500 + 1000');
  ok(poor, amend(pid, 150, 0));
  function amend(orderId: number, p: number, q: number) {
    return {
      kind: CommandKind.AMEND_ORDER,
      accountId: A,
      orderId,
      clientOrderId: '',
      newPriceTicks: p,
      newQtyLots: q,
    };
  }
});

t.test('batch rejects', async (t) => {
  const e = setup();
  const many = Array.from({ length: MAX_BATCH_ITEMS + 1 }, () => limit(A, Side.BUY, 100, 1));
  const big = run(e, { kind: CommandKind.BATCH_PLACE, orders: many });
  t.equal(big.r, R.BATCH_TOO_LARGE);
  t.match(big.ev, [
    {
      kind: EventKind.ORDER_REJECTED,
      commandKind: CommandKind.BATCH_PLACE,
      reason: R.BATCH_TOO_LARGE,
    },
  ]);
  t.equal(big.ev.length, 1);
  t.equal(rejectOf(e, { kind: CommandKind.BATCH_PLACE, orders: [] }), R.BATCH_TOO_LARGE);
  t.equal(rejectOf(e, { kind: CommandKind.BATCH_CANCEL, cancels: [] }), R.BATCH_TOO_LARGE);
  t.equal(rejectOf(e, { kind: CommandKind.BATCH_CANCEL, cancels: 'x' }), R.BATCH_TOO_LARGE);
  t.equal(e.restingOrderCount(), 0);
  // Items are judged one by one; the batch itself returns NONE.
  const mixed = run(e, {
    kind: CommandKind.BATCH_PLACE,
    orders: [limit(A, Side.BUY, 100, 1), limit(A, Side.BUY, 0, 1), null],
  });
  t.equal(mixed.r, R.NONE);
  const rej = mixed.ev.filter((x) => x.kind === EventKind.ORDER_REJECTED);
  t.same(
    rej.map((x) => [x.commandKind, x.reason]),
    [
      [CommandKind.PLACE_ORDER, R.INVALID_TICK_SIZE],
      [CommandKind.PLACE_ORDER, R.ACCOUNT_UNKNOWN],
    ],
  );
  const bc = run(e, {
    kind: CommandKind.BATCH_CANCEL,
    cancels: [{ kind: CommandKind.CANCEL_ORDER, accountId: A, orderId: 12345, clientOrderId: '' }],
  });
  t.equal(bc.r, R.NONE);
  t.match(bc.ev, [
    { commandKind: CommandKind.CANCEL_ORDER, reason: R.ORDER_UNKNOWN, orderId: 12345 },
  ]);
});

t.test('balance command rejects', async (t) => {
  const e = setup({ funds: 0 });
  const dep = (x: object) => ({
    kind: CommandKind.DEPOSIT,
    accountId: A,
    assetId: BASE,
    amountAtoms: 10,
    refId: 1,
    ...x,
  });
  t.equal(rejectOf(e, dep({ accountId: 55 })), R.ACCOUNT_UNKNOWN);
  t.equal(rejectOf(e, dep({ assetId: 3 })), R.ASSET_UNKNOWN);
  t.equal(rejectOf(e, dep({ amountAtoms: 0 })), R.INVALID_AMOUNT);
  t.equal(rejectOf(e, dep({ amountAtoms: MAX_SAFE + 1 })), R.INVALID_AMOUNT);
  t.equal(rejectOf(e, dep({ refId: 0 })), R.INVALID_AMOUNT);
  t.equal(rejectOf(e, dep({ refId: '1' })), R.INVALID_AMOUNT);
  ok(e, dep({}));
  t.equal(rejectOf(e, dep({})), R.DUPLICATE_REFERENCE);
  ok(e, dep({ refId: 2, amountAtoms: MAX_SAFE - 10 })); // BASE supply now exactly 2^53-1
  t.equal(rejectOf(e, dep({ refId: 3, amountAtoms: 1 })), R.BALANCE_OVERFLOW);
  // The cap is on the asset's total supply, not one balance: no other account
  // can add BASE either, so no later credit can ever overflow a balance.
  t.equal(rejectOf(e, dep({ accountId: FEE, refId: 3, amountAtoms: 1 })), R.BALANCE_OVERFLOW);
  ok(e, dep({ accountId: FEE, assetId: QUOTE, refId: 4 })); // the fee account may receive deposits

  const wl = (x: object) => ({
    kind: CommandKind.WITHDRAW_LOCK,
    accountId: A,
    assetId: BASE,
    amountAtoms: 10,
    refId: 1,
    ...x,
  });
  t.equal(rejectOf(e, wl({ accountId: 55 })), R.ACCOUNT_UNKNOWN);
  t.equal(rejectOf(e, wl({ assetId: 3 })), R.ASSET_UNKNOWN);
  t.equal(rejectOf(e, wl({ amountAtoms: -1 })), R.INVALID_AMOUNT);
  t.equal(rejectOf(e, wl({ refId: 1.5 })), R.INVALID_AMOUNT);
  t.equal(rejectOf(e, wl({ accountId: B })), R.INSUFFICIENT_FUNDS);
  ok(e, wl({}));
  t.equal(rejectOf(e, wl({})), R.DUPLICATE_REFERENCE, 'refIds are unique among withdrawals');
  t.equal(rejectOf(e, { kind: CommandKind.WITHDRAW_FINALIZE, refId: 2 }), R.REFERENCE_UNKNOWN);
  t.equal(rejectOf(e, { kind: CommandKind.WITHDRAW_RELEASE, refId: 'x' }), R.REFERENCE_UNKNOWN);
  ok(e, { kind: CommandKind.WITHDRAW_FINALIZE, refId: 1 });
  t.equal(
    rejectOf(e, { kind: CommandKind.WITHDRAW_RELEASE, refId: 1 }),
    R.REFERENCE_UNKNOWN,
    'no longer pending',
  );
  t.equal(rejectOf(e, wl({})), R.DUPLICATE_REFERENCE, 'a finalized ref stays used');
  // The finalized 10 atoms left the exchange: exactly that much BASE fits again.
  t.equal(rejectOf(e, dep({ accountId: B, refId: 5, amountAtoms: 11 })), R.BALANCE_OVERFLOW);
  ok(e, dep({ accountId: B, refId: 5, amountAtoms: 10 }));
  t.equal(rejectOf(e, dep({ accountId: B, refId: 6, amountAtoms: 1 })), R.BALANCE_OVERFLOW);
});

t.test('fee and admin command rejects', async (t) => {
  const e = setup();
  t.equal(
    rejectOf(e, { kind: CommandKind.SET_FEES, accountId: 55, makerFeeBps: 0, takerFeeBps: 0 }),
    R.ACCOUNT_UNKNOWN,
  );
  for (const [m, k] of [
    [-101, 0],
    [1_001, 0],
    [0, -1],
    [0, 1_001],
    [0.5, 0],
    [0, '1'],
  ]) {
    t.equal(
      rejectOf(e, { kind: CommandKind.SET_FEES, accountId: A, makerFeeBps: m, takerFeeBps: k }),
      R.INVALID_FEE,
    );
  }
  t.equal(rejectOf(e, { kind: CommandKind.ADD_ASSET, assetId: 0 }), R.INVALID_COMMAND);
  t.equal(rejectOf(e, { kind: CommandKind.ADD_ASSET, assetId: MAX_ASSETS }), R.INVALID_COMMAND);
  t.equal(rejectOf(e, { kind: CommandKind.ADD_ASSET, assetId: BASE }), R.ASSET_EXISTS);
  t.equal(
    rejectOf(e, { kind: CommandKind.ADD_ACCOUNT, accountId: 0, makerFeeBps: 0, takerFeeBps: 0 }),
    R.INVALID_COMMAND,
  );
  t.equal(
    rejectOf(e, { kind: CommandKind.ADD_ACCOUNT, accountId: A, makerFeeBps: 0, takerFeeBps: 0 }),
    R.ACCOUNT_EXISTS,
  );
  t.equal(
    rejectOf(e, { kind: CommandKind.ADD_ACCOUNT, accountId: FEE, makerFeeBps: 0, takerFeeBps: 0 }),
    R.ACCOUNT_EXISTS,
  );
  t.equal(
    rejectOf(e, {
      kind: CommandKind.ADD_ACCOUNT,
      accountId: 77,
      makerFeeBps: -200,
      takerFeeBps: 0,
    }),
    R.INVALID_FEE,
  );
  const mk = (x: object) => ({
    kind: CommandKind.ADD_MARKET,
    ...DEFAULT_MARKET,
    marketId: 2,
    status: MarketStatus.ACTIVE,
    ...x,
  });
  t.equal(rejectOf(e, mk({ marketId: 0 })), R.INVALID_COMMAND);
  t.equal(rejectOf(e, mk({ marketId: MAX_MARKETS })), R.INVALID_COMMAND);
  t.equal(rejectOf(e, mk({ marketId: MKT })), R.MARKET_EXISTS);
  for (const bad of [
    { baseAssetId: 3 },
    { quoteAssetId: BASE },
    { baseAtomsPerLot: 0 },
    { quoteAtomsPerTickLot: 1.5 },
    { minQtyLots: 0 },
    { minQtyLots: 10, maxQtyLots: 9 },
    { maxPriceTicks: 0 },
    { minNotionalAtoms: -1 },
    { priceBandBps: -1 },
    { priceBandBps: 5_001 },
    { maxPriceTicks: 2 ** 40, maxQtyLots: 2 ** 13, quoteAtomsPerTickLot: 1 },
    { maxQtyLots: 2 ** 30, baseAtomsPerLot: 2 ** 24 },
    { maxPriceTicks: 2 ** 39, maxQtyLots: 1 },
  ]) {
    t.equal(rejectOf(e, mk(bad)), R.INVALID_MARKET_CONFIG, JSON.stringify(bad));
  }
  t.equal(rejectOf(e, mk({ status: 4 })), R.INVALID_MARKET_STATUS);
  t.equal(rejectOf(e, mk({ status: 0 })), R.INVALID_MARKET_STATUS);
  ok(e, mk({ minNotionalAtoms: 0, priceBandBps: 0 }));
  t.equal(
    rejectOf(e, { kind: CommandKind.SET_MARKET_STATUS, marketId: 3, status: 1 }),
    R.MARKET_UNKNOWN,
  );
  t.equal(
    rejectOf(e, { kind: CommandKind.SET_MARKET_STATUS, marketId: MKT, status: 9 }),
    R.INVALID_MARKET_STATUS,
  );
  t.equal(rejectOf(e, { kind: 0 }), R.INVALID_COMMAND);
  t.equal(rejectOf(e, null), R.INVALID_COMMAND);
  t.equal(rejectOf(e, { kind: CommandKind.PLACE_ORDER }), R.ACCOUNT_UNKNOWN);
  // CAPACITY_EXCEEDED cannot happen: ids index tables sized for every valid id.
  t.equal(OrderType.LIMIT, 1);
});
