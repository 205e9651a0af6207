// The public API (engine/index.ts) as plain JavaScript would use it: runtime
// enums, the README example, the query methods and the event buffer.
import t from 'tap';
import * as api from '../index';
import { A, B, C, limit, MKT, ok, place, QUOTE, setup } from './engine-fixture';

t.test('runtime enums carry the wire numbers', async (t) => {
  t.same(api.Side, { BUY: 1, SELL: 2 });
  t.same(api.OrderType, { LIMIT: 1, MARKET: 2 });
  t.same(api.TimeInForce, { UNSPECIFIED: 0, GTC: 1, IOC: 2, FOK: 3 });
  t.equal(api.StpMode.DECREMENT, 5);
  t.equal(api.MarketStatus.HALTED, 3);
  t.equal(api.CancelReason.DEAD_MAN_SWITCH, 8);
  t.equal(api.CommandKind.SET_MARKET_STATUS, 15);
  t.equal(api.EventKind.MARKET_STATUS_SET, 18);
  t.equal(api.CommandKind.SET_DEAD_MAN_SWITCH, 16);
  t.equal(api.CommandKind.TIMER, 17);
  t.equal(api.EventKind.DEAD_MAN_SWITCH_SET, 19);
  t.equal(api.EventKind.DEAD_MAN_SWITCH_FIRED, 20);
  t.equal(api.RejectReason.CAPACITY_EXCEEDED, 37);
  t.equal(Object.keys(api.RejectReason).length, 38);
  for (const [name, code] of Object.entries(api.RejectReason)) {
    t.equal(api.REJECT_REASON_NAMES[code], name.toLowerCase(), name);
  }
  t.ok(Object.isFrozen(api.Side));
  t.equal(typeof api.Engine, 'function');
  t.equal(typeof api.eventToPlain, 'function');
  t.equal(typeof api.hashState, 'function');
  t.equal(api.MAX_BATCH_ITEMS, 50);
  t.equal(typeof api.SnapshotError, 'function');
});

t.test('the README example', async (t) => {
  const {
    Engine,
    CommandKind,
    Side,
    OrderType,
    TimeInForce,
    StpMode,
    MarketStatus,
    EventKind,
    eventToPlain,
  } = api;
  const e = new Engine({ feeAccountId: 1 });
  const run = (cmd: unknown) => e.submit(cmd as api.Command, 0);
  run({ kind: CommandKind.ADD_ASSET, assetId: 1 }); // BTC, in satoshi
  run({ kind: CommandKind.ADD_ASSET, assetId: 2 }); // USD, in cents
  for (const id of [10, 11])
    run({ kind: CommandKind.ADD_ACCOUNT, accountId: id, makerFeeBps: 1, takerFeeBps: 5 });
  run({
    kind: CommandKind.ADD_MARKET,
    marketId: 1,
    baseAssetId: 1,
    quoteAssetId: 2,
    baseAtomsPerLot: 1_000,
    quoteAtomsPerTickLot: 1,
    minQtyLots: 1,
    maxQtyLots: 1e6,
    maxPriceTicks: 1e8,
    minNotionalAtoms: 0,
    priceBandBps: 500,
    allowSelfTrade: false,
    status: MarketStatus.ACTIVE,
  });
  run({ kind: CommandKind.DEPOSIT, accountId: 10, assetId: 2, amountAtoms: 10_000_000, refId: 1 });
  run({ kind: CommandKind.DEPOSIT, accountId: 11, assetId: 1, amountAtoms: 1_000_000, refId: 2 });
  e.events.clear();
  const order = {
    kind: CommandKind.PLACE_ORDER,
    marketId: 1,
    orderType: OrderType.LIMIT,
    timeInForce: TimeInForce.GTC,
    quoteBudgetAtoms: 0,
    postOnly: false,
    stpMode: StpMode.UNSPECIFIED,
    clientOrderId: '',
  };
  t.equal(run({ ...order, accountId: 11, side: Side.SELL, priceTicks: 5_000, qtyLots: 30 }), 0);
  t.equal(run({ ...order, accountId: 10, side: Side.BUY, priceTicks: 5_100, qtyLots: 20 }), 0);
  const events = [];
  for (let i = 0; i < e.events.count; i++) events.push(eventToPlain(e.events.at(i)));
  const trade = events.find((x) => x.kind === EventKind.TRADE)!;
  t.match(trade, {
    priceTicks: 5_000,
    qtyLots: 20,
    quoteAtoms: 100_000,
    takerFeeAtoms: 10,
    makerFeeAtoms: 10,
  });
  t.same(e.depth(1, Side.SELL, 5), [{ priceTicks: 5_000, qtyLots: 10, orderCount: 1 }]);
});

t.test('queries', async (t) => {
  const e = setup();
  const b1 = place(e, limit(A, 1, 100, 5, { clientOrderId: 'bid-1' }));
  place(e, limit(B, 1, 100, 2));
  place(e, limit(B, 1, 98, 1));
  place(e, limit(C, 2, 103, 4));
  t.equal(e.bestBid(MKT), 100);
  t.equal(e.bestAsk(MKT), 103);
  t.equal(e.bestBid(42), 0);
  t.same(e.depth(MKT, 1, 1), [{ priceTicks: 100, qtyLots: 7, orderCount: 2 }]);
  t.same(e.depth(MKT, 1, Number.POSITIVE_INFINITY), [
    { priceTicks: 100, qtyLots: 7, orderCount: 2 },
    { priceTicks: 98, qtyLots: 1, orderCount: 1 },
  ]);
  t.same(e.depth(MKT, 1), e.depth(MKT, 1, Number.POSITIVE_INFINITY));
  t.same(e.depth(MKT, 3 as 1), []);
  t.same(e.getOrder(b1), {
    orderId: b1,
    accountId: A,
    marketId: MKT,
    side: 1,
    priceTicks: 100,
    qtyLots: 5,
    filledLots: 0,
    remainingLots: 5,
    timeInForce: 1,
    stpMode: 2,
    postOnly: false,
    clientOrderId: 'bid-1',
  });
  t.same(e.getOrderByClientId(A, 'bid-1'), e.getOrder(b1));
  t.equal(e.getOrderByClientId(B, 'bid-1'), undefined);
  t.equal(e.getOrder(0), undefined);
  t.equal(e.getOrder(999), undefined);
  t.same(e.getBalance(A, QUOTE), { availableAtoms: 1e12 - 500, lockedAtoms: 500 });
  t.same(e.getBalance(999, QUOTE), { availableAtoms: 0, lockedAtoms: 0 });
  t.equal(e.marketStatus(MKT), api.MarketStatus.ACTIVE);
  t.equal(e.marketStatus(2), undefined);
  t.match(e.marketConfig(MKT), { marketId: MKT, baseAtomsPerLot: 100 });
  t.equal(e.openOrderCount(B), 2);
  t.equal(e.openOrderCount(12345), 0);
  t.equal(e.restingOrderCount(), 4);
});

t.test(
  'the event buffer: views over reused records, growth past its initial size, bounds',
  async (t) => {
    const e = setup();
    ok(e, limit(A, 1, 1, 1));
    t.equal(e.events.count, 0);
    t.throws(() => e.events.at(0), RangeError);
    e.submit(limit(A, 1, 1, 1), 0);
    const first = e.events.at(0);
    const firstSeq = first.seq;
    t.equal(first.kind, api.EventKind.ORDER_ACCEPTED);
    e.events.clear();
    e.submit(limit(A, 1, 1, 1), 0);
    t.equal(
      first.seq,
      firstSeq + 1,
      'a view reads the record now at its index (valid until clear)',
    );
    e.events.clear();
    // More than EVENT_BUFFER_INITIAL events without clearing.
    for (let i = 0; i < api.EVENT_BUFFER_INITIAL; i++)
      e.submit({ kind: 0 } as unknown as api.Command, 0);
    t.equal(e.events.count, api.EVENT_BUFFER_INITIAL);
    e.submit(limit(A, 1, 2, 1), 0);
    t.equal(e.events.count, api.EVENT_BUFFER_INITIAL + 3);
    t.equal(e.events.at(api.EVENT_BUFFER_INITIAL).kind, api.EventKind.ORDER_ACCEPTED);
    t.equal(e.events.at(0).kind, api.EventKind.ORDER_REJECTED);
    e.events.clear();
  },
);

t.test('constructor options are checked', async (t) => {
  t.throws(() => new api.Engine({ feeAccountId: 0 }), { code: 'E_ENGINE_OPTIONS' });
  t.throws(() => new api.Engine({ feeAccountId: api.MAX_ACCOUNTS }), { code: 'E_ENGINE_OPTIONS' });
  t.throws(() => new api.Engine({ feeAccountId: 1, maxOrders: 0 }), { code: 'E_ENGINE_OPTIONS' });
  t.throws(() => new api.Engine({ feeAccountId: 1, maxOrders: api.MAX_ORDERS + 1 }), {
    code: 'E_ENGINE_OPTIONS',
  });
  const e = new api.Engine({ feeAccountId: 5 });
  const accounts: number[] = [];
  e.forEachAccount((a) => accounts.push(a));
  t.same(accounts, [5], 'the fee account exists from the start');
  t.equal(e.lastSeq, 0);
  t.equal(e.nextOrderId, 1);
  t.equal(e.nextTradeId, 1);
});
