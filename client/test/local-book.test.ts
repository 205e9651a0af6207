import t from 'tap';
import { exchange } from '../../proto';
import { LocalOrderBook } from '../local-book';

const BUY = exchange.v1.Side.SIDE_BUY;
const SELL = exchange.v1.Side.SIDE_SELL;

function snap(
  seq: number,
  bids: [number, number][],
  asks: [number, number][],
): exchange.v1.IBookSnapshot {
  return {
    marketId: 1,
    seq,
    bids: bids.map(([p, q]) => ({ priceTicks: p, qtyLots: q, orderCount: 1 })),
    asks: asks.map(([p, q]) => ({ priceTicks: p, qtyLots: q, orderCount: 1 })),
  };
}

function upd(
  first: number,
  last: number,
  levels: [number, number, number][],
): exchange.v1.IBookUpdate {
  return {
    marketId: 1,
    firstSeq: first,
    lastSeq: last,
    updates: levels.map(([side, p, q]) => ({
      side,
      priceTicks: p,
      qtyLots: q,
      orderCount: q > 0 ? 1 : 0,
    })),
  };
}

function levels(book: LocalOrderBook): { bids: number[][]; asks: number[][] } {
  return {
    bids: book.bids.top().map((l) => [l.priceTicks, l.qtyLots]),
    asks: book.asks.top().map((l) => [l.priceTicks, l.qtyLots]),
  };
}

t.test('snapshot then contiguous updates', async (t) => {
  const b = new LocalOrderBook(1);
  t.equal(b.needsSnapshot, true);
  t.equal(b.applyUpdate(upd(5, 5, [[BUY, 99, 1]])), 'buffered', 'before the snapshot: buffered');
  t.equal(
    b.applySnapshot(
      snap(
        10,
        [
          [100, 5],
          [98, 2],
        ],
        [
          [101, 3],
          [103, 1],
        ],
      ),
    ),
    'applied',
  );
  t.same(
    levels(b),
    {
      bids: [
        [100, 5],
        [98, 2],
      ],
      asks: [
        [101, 3],
        [103, 1],
      ],
    },
    'buffered update below the snapshot dropped',
  );
  t.equal(
    b.applyUpdate(
      upd(11, 12, [
        [BUY, 99, 4],
        [SELL, 101, 0],
      ]),
    ),
    'applied',
  );
  t.same(levels(b), {
    bids: [
      [100, 5],
      [99, 4],
      [98, 2],
    ],
    asks: [[103, 1]],
  });
  t.equal(
    b.applyUpdate(
      upd(13, 13, [
        [SELL, 102, 7],
        [BUY, 100, 0],
      ]),
    ),
    'applied',
  );
  t.same(levels(b), {
    bids: [
      [99, 4],
      [98, 2],
    ],
    asks: [
      [102, 7],
      [103, 1],
    ],
  });
  t.equal(b.seq, 13);
  t.equal(b.bestBid(), 99);
  t.equal(b.bestAsk(), 102);
  t.equal(b.mid(), 100.5);
  t.equal(b.applyUpdate(upd(12, 13, [[BUY, 50, 1]])), 'stale', 'already covered');
  t.equal(b.bids.level(50), undefined);
  t.equal(b.isCrossed(), false);
});

t.test('a gap unsyncs the book, buffers, and a snapshot rebuilds it', async (t) => {
  const b = new LocalOrderBook(1);
  b.applySnapshot(snap(10, [[100, 5]], [[101, 3]]));
  t.equal(b.applyUpdate(upd(11, 11, [[BUY, 100, 6]])), 'applied');
  // 12..13 lost
  t.equal(b.applyUpdate(upd(14, 14, [[BUY, 99, 1]])), 'gap');
  t.equal(b.synced, false);
  t.equal(b.needsSnapshot, true);
  b.markSnapshotRequested();
  t.equal(b.needsSnapshot, false, 'only one request');
  t.equal(b.applyUpdate(upd(15, 16, [[SELL, 101, 2]])), 'buffered');
  t.equal(b.applyUpdate(upd(17, 17, [[SELL, 104, 9]])), 'buffered');
  // Snapshot as of 15: the update 15..16 overlaps it (absolute levels: safe), 17 follows.
  t.equal(
    b.applySnapshot(
      snap(
        15,
        [
          [100, 6],
          [99, 1],
        ],
        [[101, 8]],
      ),
    ),
    'applied',
  );
  t.equal(b.synced, true);
  t.equal(b.seq, 17);
  t.same(levels(b), {
    bids: [
      [100, 6],
      [99, 1],
    ],
    asks: [
      [101, 2],
      [104, 9],
    ],
  });
  t.equal(b.gaps, 1);
  t.equal(b.snapshots, 2);
});

t.test('a gap among buffered updates after the snapshot asks again', async (t) => {
  const b = new LocalOrderBook(1);
  b.applyUpdate(upd(21, 21, [[BUY, 10, 1]]));
  b.applyUpdate(upd(23, 23, [[BUY, 11, 1]])); // 22 missing
  t.equal(b.applySnapshot(snap(20, [], [])), 'gap');
  t.equal(b.synced, false);
  t.equal(b.needsSnapshot, true);
  t.equal(
    b.applySnapshot(
      snap(
        23,
        [
          [11, 1],
          [10, 1],
        ],
        [],
      ),
    ),
    'applied',
    'the next snapshot heals it',
  );
  t.same(levels(b), {
    bids: [
      [11, 1],
      [10, 1],
    ],
    asks: [],
  });
});

t.test('an update that starts after the snapshot is a gap', async (t) => {
  const b = new LocalOrderBook(1);
  b.applySnapshot(snap(10, [], []));
  t.equal(b.applyUpdate(upd(12, 12, [[SELL, 5, 1]])), 'gap');
});

t.test('an older snapshot than the live book is ignored', async (t) => {
  const b = new LocalOrderBook(1);
  b.applySnapshot(snap(10, [[1, 1]], []));
  b.applyUpdate(upd(11, 11, [[BUY, 2, 1]]));
  t.equal(b.applySnapshot(snap(9, [], [])), 'stale');
  t.same(levels(b).bids, [
    [2, 1],
    [1, 1],
  ]);
});

t.test('sides stay sorted under random updates', async (t) => {
  const b = new LocalOrderBook(1);
  b.applySnapshot(snap(0, [], []));
  const model = { bids: new Map<number, number>(), asks: new Map<number, number>() };
  let seq = 0;
  let x = 12345;
  const rnd = (n: number): number => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % n;
  };
  for (let i = 0; i < 2000; i++) {
    const side = rnd(2) === 0 ? BUY : SELL;
    const price = side === BUY ? 1 + rnd(50) : 51 + rnd(50);
    const qty = rnd(3) === 0 ? 0 : 1 + rnd(100);
    seq++;
    t.equal(b.applyUpdate(upd(seq, seq, [[side, price, qty]])), 'applied');
    const m = side === BUY ? model.bids : model.asks;
    if (qty === 0) m.delete(price);
    else m.set(price, qty);
  }
  const bids = [...model.bids.entries()].sort((a, b) => b[0] - a[0]);
  const asks = [...model.asks.entries()].sort((a, b) => a[0] - b[0]);
  t.same(levels(b), { bids, asks });
});
