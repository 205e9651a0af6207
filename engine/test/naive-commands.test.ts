// Reference model: validation order, rejects, batches, cancels, balance and
// admin commands.
import t from 'tap';
import { MAX_BATCH_ITEMS, MAX_SAFE } from '../constants';
import { RejectReason } from '../reject-reason';
import {
  CancelReason,
  type Command,
  CommandKind,
  OrderType,
  Side,
  StpMode,
  TimeInForce,
} from '../types';
import { BASE, FEE, fixture, limit, market, marketOrder, QUOTE } from './naive-fixture';

const F = 1_000_000;
const setup = () =>
  fixture({ 10: [0, 0], 11: [0, 0] }, { minNotionalAtoms: 50, maxQtyLots: 100 }, F);

t.test('PLACE_ORDER: the first failing check wins', async (t) => {
  const f = setup();
  f.ok(limit(11, Side.SELL, 1, 100)); // #1: an ask at 100
  f.ok(limit(10, Side.BUY, 1, 60)); // #2: account 10 now has F - 60 quote available
  const cases: [string, Partial<Record<string, unknown>>, RejectReason][] = [
    [
      'unknown account beats an unknown market',
      { accountId: 99, marketId: 99 },
      RejectReason.ACCOUNT_UNKNOWN,
    ],
    ['the fee account cannot trade', { accountId: FEE }, RejectReason.ACCOUNT_UNKNOWN],
    ['unknown market beats a bad side', { marketId: 2, side: 9 }, RejectReason.MARKET_UNKNOWN],
    ['bad side beats bad type', { side: 0, orderType: 0 }, RejectReason.INVALID_SIDE],
    ['bad type beats bad tif', { orderType: 3, timeInForce: 9 }, RejectReason.INVALID_ORDER_TYPE],
    [
      'limit needs GTC/IOC/FOK',
      { timeInForce: TimeInForce.UNSPECIFIED },
      RejectReason.INVALID_TIME_IN_FORCE,
    ],
    [
      'post-only needs GTC',
      { postOnly: true, timeInForce: TimeInForce.IOC },
      RejectReason.INVALID_TIME_IN_FORCE,
    ],
    ['bad tif beats bad stp', { timeInForce: 4, stpMode: 9 }, RejectReason.INVALID_TIME_IN_FORCE],
    ['stp out of range', { stpMode: 6 }, RejectReason.INVALID_STP_MODE],
    ['stp NONE without allowSelfTrade', { stpMode: StpMode.NONE }, RejectReason.INVALID_STP_MODE],
    [
      'bad stp beats bad client id',
      { stpMode: 1.5, clientOrderId: 'no spaces' },
      RejectReason.INVALID_STP_MODE,
    ],
    ['client id with a space', { clientOrderId: 'a b' }, RejectReason.INVALID_CLIENT_ORDER_ID],
    [
      'client id of 37 chars',
      { clientOrderId: 'x'.repeat(37) },
      RejectReason.INVALID_CLIENT_ORDER_ID,
    ],
    ['client id not a string', { clientOrderId: 7 }, RejectReason.INVALID_CLIENT_ORDER_ID],
    [
      'bad client id beats bad price',
      { clientOrderId: 'a.b', priceTicks: 0 },
      RejectReason.INVALID_CLIENT_ORDER_ID,
    ],
    ['price 0', { priceTicks: 0 }, RejectReason.INVALID_TICK_SIZE],
    ['price fractional', { priceTicks: 99.5 }, RejectReason.INVALID_TICK_SIZE],
    ['price as a string', { priceTicks: '99' }, RejectReason.INVALID_TICK_SIZE],
    ['price above max', { priceTicks: 10_001 }, RejectReason.PRICE_OUT_OF_RANGE],
    ['limit with a budget', { quoteBudgetAtoms: 5 }, RejectReason.INVALID_LOT_SIZE],
    ['qty NaN', { qtyLots: Number.NaN }, RejectReason.INVALID_LOT_SIZE],
    ['qty missing', { qtyLots: undefined }, RejectReason.INVALID_LOT_SIZE],
    ['qty above max', { qtyLots: 101 }, RejectReason.QUANTITY_ABOVE_MAX],
    ['notional 49 < 50', { priceTicks: 49, qtyLots: 1 }, RejectReason.NOTIONAL_BELOW_MIN],
    [
      'post-only that would take',
      { postOnly: true, priceTicks: 100 },
      RejectReason.POST_ONLY_WOULD_TAKE,
    ],
    // 10000 * 100 * 1 = F > F - 60 available:
    [
      'post-only beats insufficient funds',
      { postOnly: true, priceTicks: 10_000, qtyLots: 100 },
      RejectReason.POST_ONLY_WOULD_TAKE,
    ],
    ['insufficient funds', { priceTicks: 10_000, qtyLots: 100 }, RejectReason.INSUFFICIENT_FUNDS],
  ];
  for (const [name, patch, reason] of cases) {
    const cmd = { ...limit(10, Side.BUY, 1, 60), ...patch } as Command;
    const r = f.run(cmd);
    t.equal(r.ret, reason, name);
    t.strictSame(r.kinds, ['ORDER_REJECTED'], `${name}: one event`);
  }
  t.equal(f.eng.nextOrderId, 3, 'no rejected order took an id');
  t.equal(f.eng.lastSeq, 2 + 2 + 1 + 4 + 2 + cases.length, 'every command took a seq');
});

t.test('duplicate client order id is checked before post-only and funds', async (t) => {
  const f = setup();
  f.ok(limit(10, Side.BUY, 1, 60, { clientOrderId: 'dup' }));
  f.ok(limit(11, Side.SELL, 1, 100));
  const r = f.run(limit(10, Side.BUY, 1, 100, { clientOrderId: 'dup', postOnly: true }));
  t.equal(r.ret, RejectReason.DUPLICATE_CLIENT_ORDER_ID);
  t.match(r.events[0], {
    commandKind: CommandKind.PLACE_ORDER,
    accountId: 10,
    marketId: 1,
    orderId: 0,
    refId: 0,
    clientOrderId: 'dup',
  });
  // Another account may use it, and so may account 10 once the first is gone.
  t.equal(f.run(limit(11, Side.SELL, 1, 200, { clientOrderId: 'dup' })).ret, 0);
  f.ok({ kind: CommandKind.CANCEL_ORDER, accountId: 10, orderId: 0, clientOrderId: 'dup' });
  t.equal(f.run(limit(10, Side.BUY, 1, 60, { clientOrderId: 'dup' })).ret, 0);
});

t.test('market status: cancel-only takes cancels, halted takes nothing', async (t) => {
  const f = setup();
  f.ok(limit(10, Side.BUY, 1, 60)); // #1
  f.ok(limit(10, Side.BUY, 1, 61)); // #2
  f.ok({ kind: CommandKind.SET_MARKET_STATUS, marketId: 1, status: 2 });
  t.equal(f.run(limit(10, Side.BUY, 1, 60)).ret, RejectReason.MARKET_CANCEL_ONLY);
  t.equal(
    f.run({
      kind: CommandKind.AMEND_ORDER,
      accountId: 10,
      orderId: 1,
      clientOrderId: '',
      newPriceTicks: 0,
      newQtyLots: 2,
    }).ret,
    RejectReason.MARKET_CANCEL_ONLY,
  );
  t.equal(
    f.run({ kind: CommandKind.CANCEL_ORDER, accountId: 10, orderId: 1, clientOrderId: '' }).ret,
    0,
  );
  f.ok({ kind: CommandKind.SET_MARKET_STATUS, marketId: 1, status: 3 });
  t.equal(f.run(limit(10, Side.BUY, 1, 60)).ret, RejectReason.MARKET_HALTED);
  t.equal(
    f.run({ kind: CommandKind.CANCEL_ORDER, accountId: 10, orderId: 2, clientOrderId: '' }).ret,
    RejectReason.MARKET_HALTED,
  );
  const all = f.ok({
    kind: CommandKind.CANCEL_ALL,
    accountId: 10,
    marketId: 0,
    reason: CancelReason.USER,
  });
  t.strictSame(all.kinds, [], 'orders in halted markets are skipped, and that is no error');
  t.strictSame(f.book(Side.BUY), [2], 'resting orders stay');
  t.equal(
    f.run({ kind: CommandKind.SET_MARKET_STATUS, marketId: 1, status: 4 } as unknown as Command)
      .ret,
    RejectReason.INVALID_MARKET_STATUS,
  );
  t.equal(
    f.run({ kind: CommandKind.SET_MARKET_STATUS, marketId: 9, status: 1 }).ret,
    RejectReason.MARKET_UNKNOWN,
  );
});

t.test("cancel: by id, by client id, not the account's, gone", async (t) => {
  const f = setup();
  f.ok(limit(10, Side.BUY, 2, 60, { clientOrderId: 'a1' })); // #1
  const wrong = f.run({
    kind: CommandKind.CANCEL_ORDER,
    accountId: 11,
    orderId: 1,
    clientOrderId: '',
  });
  t.equal(wrong.ret, RejectReason.ORDER_UNKNOWN);
  t.match(wrong.events[0], { commandKind: CommandKind.CANCEL_ORDER, accountId: 11, orderId: 1 });
  // orderId non-zero wins over the client id.
  t.equal(
    f.run({ kind: CommandKind.CANCEL_ORDER, accountId: 10, orderId: 5, clientOrderId: 'a1' }).ret,
    RejectReason.ORDER_UNKNOWN,
  );
  t.equal(
    f.run({ kind: CommandKind.CANCEL_ORDER, accountId: 10, orderId: 0, clientOrderId: '' }).ret,
    RejectReason.ORDER_UNKNOWN,
  );
  const r = f.ok({
    kind: CommandKind.CANCEL_ORDER,
    accountId: 10,
    orderId: 0,
    clientOrderId: 'a1',
  });
  t.strictSame(r.kinds, ['ORDER_CANCELED', 'BOOK_LEVEL', 'BALANCE']);
  t.match(r.events[0], { orderId: 1, reason: CancelReason.USER, qtyLots: 2, clientOrderId: 'a1' });
  t.match(r.events[2], { accountId: 10, assetId: QUOTE, availableAtoms: F, lockedAtoms: 0 });
  t.equal(
    f.run({ kind: CommandKind.CANCEL_ORDER, accountId: 10, orderId: 1, clientOrderId: '' }).ret,
    RejectReason.ORDER_UNKNOWN,
  );
});

t.test('cancel-all: reasons, one market or all, unknowns', async (t) => {
  const f = setup();
  f.ok({ kind: CommandKind.ADD_ASSET, assetId: 3 });
  f.ok(market({ marketId: 2, baseAssetId: 3 }));
  f.deposit(10, 3, F);
  f.ok(limit(10, Side.BUY, 1, 60)); // #1 market 1
  f.ok({ ...limit(10, Side.SELL, 1, 60), marketId: 2 }); // #2 market 2
  f.ok(limit(10, Side.BUY, 1, 61)); // #3 market 1
  t.equal(
    f.run({ kind: CommandKind.CANCEL_ALL, accountId: 99, marketId: 0, reason: 1 }).ret,
    RejectReason.ACCOUNT_UNKNOWN,
  );
  t.equal(
    f.run({ kind: CommandKind.CANCEL_ALL, accountId: 10, marketId: 7, reason: 1 }).ret,
    RejectReason.MARKET_UNKNOWN,
  );
  const one = f.ok({
    kind: CommandKind.CANCEL_ALL,
    accountId: 10,
    marketId: 2,
    reason: CancelReason.DEAD_MAN_SWITCH,
  });
  t.match(one.events[0], { orderId: 2, reason: CancelReason.DEAD_MAN_SWITCH });
  const all = f.ok({
    kind: CommandKind.CANCEL_ALL,
    accountId: 10,
    marketId: 0,
    reason: CancelReason.CANCEL_ON_DISCONNECT,
  });
  t.strictSame(
    all.events.filter((e) => e.kind === 4).map((e) => [e.orderId, e.reason]),
    [
      [1, CancelReason.CANCEL_ON_DISCONNECT],
      [3, CancelReason.CANCEL_ON_DISCONNECT],
    ],
  );
  t.strictSame(
    f.ok({ kind: CommandKind.CANCEL_ALL, accountId: 10, marketId: 0, reason: 1 }).kinds,
    [],
    'nothing open is fine',
  );
});

t.test('batches: size limits, items judged one by one under one seq', async (t) => {
  const f = setup();
  const empty = f.run({ kind: CommandKind.BATCH_PLACE, orders: [] });
  t.equal(empty.ret, RejectReason.BATCH_TOO_LARGE);
  t.match(empty.events[0], { commandKind: CommandKind.BATCH_PLACE, accountId: 0, marketId: 0 });
  const big = f.run({
    kind: CommandKind.BATCH_PLACE,
    orders: Array.from({ length: MAX_BATCH_ITEMS + 1 }, () => limit(10, Side.BUY, 1, 60)),
  });
  t.equal(big.ret, RejectReason.BATCH_TOO_LARGE);
  t.strictSame(big.kinds, ['ORDER_REJECTED']);
  t.equal(f.eng.nextOrderId, 1, 'nothing done');
  const r = f.run({
    kind: CommandKind.BATCH_PLACE,
    orders: [limit(10, Side.BUY, 1, 60), limit(10, Side.BUY, 0, 60), limit(10, Side.BUY, 2, 60)],
  });
  t.equal(r.ret, RejectReason.NONE);
  t.strictSame(r.kinds, [
    'ORDER_ACCEPTED',
    'BOOK_LEVEL',
    'BALANCE', // item 1, with its own level and balance events
    'ORDER_REJECTED', // item 2
    'ORDER_ACCEPTED',
    'BOOK_LEVEL',
    'BALANCE', // item 3
  ]);
  t.ok(
    r.events.every((e) => e.seq === r.events[0]!.seq),
    'one seq',
  );
  t.match(r.events[3], {
    commandKind: CommandKind.PLACE_ORDER,
    reason: RejectReason.INVALID_LOT_SIZE,
  });
  t.match(r.events[5], { qtyLots: 3, orderCount: 2 });
  t.match(r.events[6], { availableAtoms: F - 180, lockedAtoms: 180 });
  const c = f.run({
    kind: CommandKind.BATCH_CANCEL,
    cancels: [
      { kind: CommandKind.CANCEL_ORDER, accountId: 10, orderId: 1, clientOrderId: '' },
      { kind: CommandKind.CANCEL_ORDER, accountId: 10, orderId: 1, clientOrderId: '' },
    ],
  });
  t.strictSame(c.kinds, ['ORDER_CANCELED', 'BOOK_LEVEL', 'BALANCE', 'ORDER_REJECTED']);
  t.match(c.events[3], {
    commandKind: CommandKind.CANCEL_ORDER,
    reason: RejectReason.ORDER_UNKNOWN,
    orderId: 1,
  });
});

t.test('deposits and withdrawals', async (t) => {
  const f = fixture({ 10: [0, 0] }, {}, 0);
  const dep = (
    amountAtoms: unknown,
    refId: unknown,
    assetId: unknown = BASE,
    accountId: unknown = 10,
  ) => f.run({ kind: CommandKind.DEPOSIT, accountId, assetId, amountAtoms, refId } as Command);
  t.equal(dep(100, 1).ret, 0);
  t.equal(dep(100, 1).ret, RejectReason.DUPLICATE_REFERENCE);
  t.equal(dep(0, 2).ret, RejectReason.INVALID_AMOUNT);
  t.equal(dep(1.5, 2).ret, RejectReason.INVALID_AMOUNT);
  t.equal(dep(5, 0).ret, RejectReason.INVALID_AMOUNT, 'refId 0');
  t.equal(dep(5, 2, 9).ret, RejectReason.ASSET_UNKNOWN);
  t.equal(dep(5, 2, BASE, 99).ret, RejectReason.ACCOUNT_UNKNOWN);
  t.equal(dep(MAX_SAFE - 100, 2).ret, 0, 'exactly 2^53-1 in all');
  const over = dep(1, 3);
  t.equal(over.ret, RejectReason.BALANCE_OVERFLOW);
  t.match(over.events[0], { commandKind: CommandKind.DEPOSIT, accountId: 10, refId: 3 });
  t.equal(dep(7, 3, QUOTE).ret, 0, 'a refused ref can be used later');

  const wl = (amountAtoms: number, refId: number) =>
    f.run({ kind: CommandKind.WITHDRAW_LOCK, accountId: 10, assetId: QUOTE, amountAtoms, refId });
  t.equal(wl(8, 1).ret, RejectReason.INSUFFICIENT_FUNDS);
  const locked = wl(5, 1); // deposit and withdrawal refs are separate
  t.strictSame(locked.kinds, ['WITHDRAWAL_LOCKED', 'BALANCE']);
  t.match(locked.events[1], { availableAtoms: 2, lockedAtoms: 5 });
  t.equal(wl(1, 1).ret, RejectReason.DUPLICATE_REFERENCE);
  t.equal(wl(2, 2).ret, 0);
  const fin = f.ok({ kind: CommandKind.WITHDRAW_FINALIZE, refId: 1 });
  t.match(fin.events[0], { accountId: 10, assetId: QUOTE, amountAtoms: 5, refId: 1 });
  t.match(fin.events[1], { availableAtoms: 0, lockedAtoms: 2 });
  t.equal(
    f.run({ kind: CommandKind.WITHDRAW_FINALIZE, refId: 1 }).ret,
    RejectReason.REFERENCE_UNKNOWN,
  );
  const rel = f.ok({ kind: CommandKind.WITHDRAW_RELEASE, refId: 2 });
  t.match(rel.events[1], { availableAtoms: 2, lockedAtoms: 0 });
  t.equal(
    f.run({ kind: CommandKind.WITHDRAW_RELEASE, refId: 2 }).ret,
    RejectReason.REFERENCE_UNKNOWN,
  );
  t.equal(wl(1, 2).ret, RejectReason.DUPLICATE_REFERENCE, 'a released ref stays used');
  // A balance at 2^53-1 may still lock a withdrawal (no overflow check there).
  t.equal(
    f.run({
      kind: CommandKind.WITHDRAW_LOCK,
      accountId: 10,
      assetId: BASE,
      amountAtoms: 10,
      refId: 9,
    }).ret,
    0,
  );
});

t.test('admin commands', async (t) => {
  const f = setup();
  t.equal(f.run({ kind: CommandKind.ADD_ASSET, assetId: 0 }).ret, RejectReason.INVALID_COMMAND);
  t.equal(f.run({ kind: CommandKind.ADD_ASSET, assetId: 1024 }).ret, RejectReason.INVALID_COMMAND);
  t.equal(f.run({ kind: CommandKind.ADD_ASSET, assetId: BASE }).ret, RejectReason.ASSET_EXISTS);
  t.equal(
    f.run({ kind: CommandKind.ADD_ACCOUNT, accountId: FEE, makerFeeBps: 0, takerFeeBps: 0 }).ret,
    RejectReason.ACCOUNT_EXISTS,
  );
  t.equal(
    f.run({ kind: CommandKind.ADD_ACCOUNT, accountId: 20, makerFeeBps: -101, takerFeeBps: 0 }).ret,
    RejectReason.INVALID_FEE,
  );
  t.equal(
    f.run({ kind: CommandKind.ADD_ACCOUNT, accountId: 20, makerFeeBps: 0, takerFeeBps: 1001 }).ret,
    RejectReason.INVALID_FEE,
  );
  t.equal(
    f.run({ kind: CommandKind.ADD_ACCOUNT, accountId: 20, makerFeeBps: -100, takerFeeBps: 1000 })
      .ret,
    0,
  );
  t.equal(
    f.run({ kind: CommandKind.SET_FEES, accountId: 20, makerFeeBps: 0.5, takerFeeBps: 0 }).ret,
    RejectReason.INVALID_FEE,
  );
  t.equal(f.run(market()).ret, RejectReason.MARKET_EXISTS);
  const bad: [string, Record<string, unknown>][] = [
    ['base = quote', { quoteAssetId: BASE }],
    ['unknown asset', { quoteAssetId: 9 }],
    ['min > max qty', { minQtyLots: 5, maxQtyLots: 4 }],
    [
      'notional bound',
      { maxPriceTicks: 2 ** 20, maxQtyLots: 2 ** 20, quoteAtomsPerTickLot: 2 ** 13 },
    ],
    ['base bound', { maxQtyLots: 2 ** 30, baseAtomsPerLot: 2 ** 23 }],
    ['price * 20000 bound', { maxPriceTicks: 2 ** 39, maxQtyLots: 1, quoteAtomsPerTickLot: 1 }],
    ['band above 50%', { priceBandBps: 5001 }],
    ['zero lot', { baseAtomsPerLot: 0 }],
    ['negative min notional', { minNotionalAtoms: -1 }],
  ];
  for (const [name, patch] of bad) {
    t.equal(
      f.run({ ...market({ marketId: 5 }), ...patch } as Command).ret,
      RejectReason.INVALID_MARKET_CONFIG,
      name,
    );
  }
  t.equal(
    f.run(
      market({
        marketId: 5,
        maxPriceTicks: 2 ** 20,
        maxQtyLots: 2 ** 20,
        quoteAtomsPerTickLot: 2 ** 12,
      }),
    ).ret,
    0,
    '2^52 notional is fine',
  );
  t.equal(
    f.run({ ...market({ marketId: 6 }), status: 0 } as unknown as Command).ret,
    RejectReason.INVALID_MARKET_STATUS,
  );
  t.equal(f.run(market({ marketId: 4096 })).ret, RejectReason.INVALID_COMMAND);
});

t.test('malformed commands are rejected, never thrown', async (t) => {
  const f = setup();
  for (const cmd of [
    null,
    undefined,
    5,
    'x',
    {},
    { kind: 0 },
    { kind: 99 },
    { kind: '1' },
    { kind: CommandKind.BATCH_PLACE, orders: 'x' },
    { kind: CommandKind.BATCH_CANCEL, cancels: [null, 7] },
  ]) {
    const r = f.run(cmd as unknown as Command);
    t.ok(
      r.ret === RejectReason.INVALID_COMMAND ||
        r.ret === RejectReason.BATCH_TOO_LARGE ||
        r.ret === 0,
      showCmd(cmd),
    );
    t.ok(
      r.kinds.every((k) => k === 'ORDER_REJECTED') && r.kinds.length >= 1,
      `${showCmd(cmd)}: rejected`,
    );
  }
  const r = f.run({ kind: 99 } as unknown as Command);
  t.match(r.events[0], { commandKind: 99, reason: RejectReason.INVALID_COMMAND });
  const m = f.run({
    ...marketOrder(10, Side.BUY, 1, 0),
    orderType: OrderType.MARKET,
    side: 'BUY',
  } as unknown as Command);
  t.equal(m.ret, RejectReason.INVALID_SIDE);
});

function showCmd(c: unknown): string {
  return JSON.stringify(c) ?? String(c);
}

t.test('a -0 from a command never reaches an event or the state (it is 0)', async (t) => {
  const f = setup();
  f.ok(limit(11, Side.SELL, 1, 100));
  const m = f.ok({ ...marketOrder(10, Side.BUY, 1, 0), timeInForce: -0 as TimeInForce });
  t.ok(Object.is(m.events[0]!.timeInForce, 0), 'ORDER_ACCEPTED.timeInForce');
  f.ok(limit(10, Side.BUY, 1, 60));
  // A cancel-all reason must be USER, CANCEL_ON_DISCONNECT or DEAD_MAN_SWITCH.
  const c = f.run({
    kind: CommandKind.CANCEL_ALL,
    accountId: 10,
    marketId: -0,
    reason: -0 as CancelReason,
  });
  t.equal(c.ret, RejectReason.INVALID_COMMAND, 'reason -0 (NONE) is refused');
  t.ok(Object.is(c.events[0]!.marketId, 0), 'ORDER_REJECTED.marketId');
  const d = f.ok({
    kind: CommandKind.CANCEL_ALL,
    accountId: 10,
    marketId: -0,
    reason: CancelReason.DEAD_MAN_SWITCH,
  });
  t.equal(d.events[0]!.reason, CancelReason.DEAD_MAN_SWITCH, 'ORDER_CANCELED.reason');
  const fees = f.ok({
    kind: CommandKind.SET_FEES,
    accountId: 10,
    makerFeeBps: -0,
    takerFeeBps: -0,
  });
  t.ok(Object.is(fees.events[0]!.makerFeeBps, 0) && Object.is(fees.events[0]!.takerFeeBps, 0));
  const rej = f.run({
    kind: CommandKind.CANCEL_ORDER,
    accountId: -0,
    orderId: 77,
    clientOrderId: '',
  });
  t.ok(Object.is(rej.events[0]!.accountId, 0), 'echoed ids');
  f.ok(market({ marketId: 2, minNotionalAtoms: -0, priceBandBps: -0 }));
  f.eng.forEachMarket((cfg) => {
    if (cfg.marketId === 2)
      t.ok(Object.is(cfg.minNotionalAtoms, 0) && Object.is(cfg.priceBandBps, 0));
  });
});
