// The idempotency window follows the engine's events: it opens a record for
// each accepted PLACE_ORDER with a client order id, tracks fills and
// cancels, evicts oldest-first, and survives encode/decode.
import t from 'tap';
import { Engine } from '../../engine';
import { type Command, CommandKind, type PlaceOrder } from '../../types';
import { IdempotencyWindow, OrderStatus, sameOrder } from '../idempotency-window';

function setup(): Engine {
  const e = new Engine({ feeAccountId: 1 });
  const cmds: Command[] = [
    { kind: CommandKind.ADD_ASSET, assetId: 1 },
    { kind: CommandKind.ADD_ASSET, assetId: 2 },
    { kind: CommandKind.ADD_ACCOUNT, accountId: 10, makerFeeBps: 0, takerFeeBps: 0 },
    { kind: CommandKind.ADD_ACCOUNT, accountId: 11, makerFeeBps: 0, takerFeeBps: 0 },
    {
      kind: CommandKind.ADD_MARKET,
      marketId: 1,
      baseAssetId: 1,
      quoteAssetId: 2,
      baseAtomsPerLot: 10,
      quoteAtomsPerTickLot: 1,
      minQtyLots: 1,
      maxQtyLots: 1_000_000,
      maxPriceTicks: 1_000_000,
      minNotionalAtoms: 0,
      priceBandBps: 1000,
      allowSelfTrade: false,
      status: 1,
    },
    { kind: CommandKind.DEPOSIT, accountId: 10, assetId: 2, amountAtoms: 1e12, refId: 1 },
    { kind: CommandKind.DEPOSIT, accountId: 11, assetId: 1, amountAtoms: 1e12, refId: 2 },
  ];
  for (const c of cmds) t.equal(e.submit(c, 0), 0);
  e.events.clear();
  return e;
}

function place(
  accountId: number,
  side: 1 | 2,
  price: number,
  qty: number,
  cid: string,
): PlaceOrder {
  return {
    kind: CommandKind.PLACE_ORDER,
    accountId,
    marketId: 1,
    side,
    orderType: 1,
    timeInForce: 1,
    priceTicks: price,
    qtyLots: qty,
    quoteBudgetAtoms: 0,
    postOnly: false,
    stpMode: 0,
    clientOrderId: cid,
  };
}

function apply(e: Engine, w: IdempotencyWindow, c: Command): number {
  const r = e.submit(c, 1);
  const p = c.kind === CommandKind.PLACE_ORDER ? c : undefined;
  for (let i = 0; i < e.events.count; i++) w.observe(e.events.at(i), p);
  e.events.clear();
  return r;
}

t.test('records accepted places with a client order id and follows their life', async (t) => {
  const e = setup();
  const w = new IdempotencyWindow(3);
  const b1 = place(10, 1, 100, 5, 'b1');
  apply(e, w, b1);
  apply(e, w, place(10, 1, 99, 5, ''));
  t.equal(w.size, 1, 'no record without a client order id');
  const r = w.get(10, 'b1')!;
  t.equal(r.status, OrderStatus.NEW);
  t.ok(sameOrder(r, b1));
  t.notOk(sameOrder(r, { ...b1, priceTicks: 101 }), 'different parameters are not a resend');
  apply(e, w, place(11, 2, 100, 2, 's1'));
  t.equal(w.get(10, 'b1')!.status, OrderStatus.PARTIALLY_FILLED);
  t.equal(w.get(10, 'b1')!.filledLots, 2);
  t.equal(w.get(11, 's1')!.status, OrderStatus.FILLED);
  apply(e, w, { kind: CommandKind.CANCEL_ORDER, accountId: 10, orderId: 0, clientOrderId: 'b1' });
  t.equal(w.get(10, 'b1')!.status, OrderStatus.CANCELED);
  t.same(w.getByOrderId(r.orderId), w.get(10, 'b1'));
  t.equal(apply(e, w, place(10, 1, 100, 5, `rej-${'x'.repeat(40)}`)), 13, 'rejected: no record');
  t.equal(w.size, 2);

  apply(e, w, place(10, 1, 90, 1, 'c1'));
  apply(e, w, place(10, 1, 90, 1, 'c2'));
  t.equal(w.size, 3);
  t.equal(w.get(10, 'b1'), undefined, 'oldest evicted');
  t.equal(w.getByOrderId(r.orderId), undefined);

  const back = IdempotencyWindow.decode(w.encode(), 3);
  const before: unknown[] = [];
  const after: unknown[] = [];
  w.forEach((x) => {
    before.push({ ...x, result: [...x.result] });
  });
  back.forEach((x) => {
    after.push({ ...x, result: [...x.result] });
  });
  t.equal(before.length, 3);
  t.same(after, before, 'encode/decode round trip');
  t.equal(IdempotencyWindow.decode(w.encode(), 2).size, 2, 'a smaller capacity keeps the newest');
});

t.test(
  'live results live in one byte ring: wrap-around, growth and eviction keep every byte',
  async (t) => {
    const e = setup();
    const capacity = 50;
    const w = new IdempotencyWindow(capacity);
    const expected = new Map<string, Buffer>();
    let notOpened = 0;
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    for (let i = 0; i < 2_000; i++) {
      const cid = `r${i}`;
      const p = place(10, 1, 100 - (i % 50), 1, cid);
      e.submit(p, i);
      let opened = -1;
      for (let k = 0; k < e.events.count; k++) {
        const s = w.observe(e.events.at(k), p);
        if (s >= 0) opened = s;
      }
      e.events.clear();
      if (opened < 0) notOpened++;
      // Results of varied sizes, some far larger than the initial ring.
      const len = i % 97 === 0 ? 40_000 + (rand() % 30_000) : rand() % 400;
      const bytes = Buffer.alloc(len);
      for (let b = 0; b < len; b++) bytes[b] = rand() & 255;
      const src = Buffer.concat([Buffer.from('xx'), bytes, Buffer.from('yy')]);
      w.copyResult(opened, src, 2, 2 + len);
      expected.set(cid, bytes);
      if (expected.size > capacity) expected.delete(`r${i - capacity}`);
      // Cancel it again so the book stays small.
      e.submit(
        { kind: CommandKind.CANCEL_ORDER, accountId: 10, orderId: 0, clientOrderId: cid },
        i,
      );
      e.events.clear();
    }
    t.equal(notOpened, 0, 'every accepted order opened a record');
    t.equal(w.size, capacity);
    let same = 0;
    for (const [cid, bytes] of expected) {
      if (w.get(10, cid)?.result.equals(bytes)) same++;
    }
    t.equal(same, capacity, 'the last 50 results read back byte for byte');
    t.equal(w.get(10, 'r0'), undefined, 'evicted records are gone');
    const copy = IdempotencyWindow.decode(w.encode(), capacity);
    t.ok(copy.get(10, 'r1999')?.result.equals(expected.get('r1999')!), 'and survive encode/decode');
  },
);

t.test(
  'finding a record by order id: uneven gaps between ids, evictions, absent ids',
  async (t) => {
    const w = new IdempotencyWindow(1_000);
    let seed = 11;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    const ids: number[] = [];
    let id = 2 ** 40; // far above 2^31: the interpolation must stay exact
    for (let i = 0; i < 5_000; i++) {
      // Mostly small steps, sometimes huge ones (orders outside the window).
      id += rand() % 10 === 0 ? 1 + (rand() % 1_000_000) : 1 + (rand() % 3);
      const p = place(10, 1, 100, 1, `g${i}`);
      const ev = { kind: 1, seq: i + 1, orderId: id, priceTicks: 100, qtyLots: 1 };
      w.observe(ev as unknown as Parameters<IdempotencyWindow['observe']>[0], p);
      ids.push(id);
    }
    let found = 0;
    let wrong = 0;
    for (let k = 0; k < ids.length; k++) {
      const r = w.getByOrderId(ids[k]!);
      if (k < ids.length - 1_000) {
        if (r !== undefined) wrong++;
      } else if (r?.orderId === ids[k] && r.clientOrderId === `g${k}`) found++;
      if (w.getByOrderId(ids[k]! + 0.5) !== undefined) wrong++;
    }
    t.equal(found, 1_000, 'every id in the window is found');
    t.equal(wrong, 0, 'evicted and absent ids are not');
    t.equal(w.getByOrderId(1), undefined);
    t.equal(w.getByOrderId(id + 1), undefined);
  },
);
