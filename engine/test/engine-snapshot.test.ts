// Snapshots: restore gives the same state hash and then the same events for
// the same commands (queue priority, cancel-all order, ids, used refs, pending
// withdrawals, fee rates, markets and statuses); truncated or corrupt input
// fails with a SnapshotError code, never a hang or a wrong engine.
import { crc32 } from 'node:zlib';
import t from 'tap';
import { Engine } from '../engine';
import type { PlainEvent } from '../event';
import { readSnapshotHeader, SNAPSHOT_HEADER_BYTES } from '../snapshot-codec';
import { SnapshotError } from '../snapshot-error';
import type { Command } from '../types';
import {
  A,
  amend,
  B,
  BASE,
  bookIds,
  C,
  CancelReason,
  CommandKind,
  cancel,
  DEFAULT_MARKET,
  FEE,
  limit,
  lockedMatchesOrders,
  MarketStatus,
  MKT,
  market,
  ok,
  place,
  QUOTE,
  run,
  Side,
  StpMode,
  setup,
} from './engine-fixture';

/** An engine whose state exercises everything a snapshot must carry. */
function busy(): Engine {
  const e = setup({ makerFeeBps: -2, takerFeeBps: 9 });
  ok(e, { kind: CommandKind.ADD_ASSET, assetId: 3 });
  ok(e, { kind: CommandKind.ADD_ACCOUNT, accountId: 500_000, makerFeeBps: 4, takerFeeBps: 4 });
  ok(e, {
    kind: CommandKind.DEPOSIT,
    accountId: 500_000,
    assetId: 3,
    amountAtoms: 10_000,
    refId: 1,
  });
  ok(e, {
    kind: CommandKind.DEPOSIT,
    accountId: FEE,
    assetId: QUOTE,
    amountAtoms: 1_000,
    refId: 2,
  });
  ok(e, {
    kind: CommandKind.ADD_MARKET,
    ...DEFAULT_MARKET,
    marketId: 2,
    baseAssetId: 3,
    quoteAssetId: QUOTE,
    allowSelfTrade: false,
    status: MarketStatus.ACTIVE,
  });
  ok(e, {
    kind: CommandKind.ADD_MARKET,
    ...DEFAULT_MARKET,
    marketId: 3,
    priceBandBps: 0,
    status: MarketStatus.CANCEL_ONLY,
  });
  ok(e, { kind: CommandKind.SET_FEES, accountId: C, makerFeeBps: 7, takerFeeBps: 0 });
  const o1 = place(e, limit(A, Side.BUY, 100, 10, { clientOrderId: 'a-1' }));
  place(e, limit(B, Side.BUY, 100, 5, { clientOrderId: 'b-1', postOnly: true }));
  place(e, limit(A, Side.BUY, 99, 3, { stpMode: StpMode.DECREMENT }));
  place(e, limit(C, Side.SELL, 105, 8, { stpMode: StpMode.EXPIRE_MAKER }));
  place(e, limit(A, Side.SELL, 106, 4, { clientOrderId: 'a-2' }));
  ok(e, limit(C, Side.SELL, 100, 4)); // partial fill of o1
  ok(e, amend(A, o1, 0, 12)); // o1 loses priority, re-enters
  place(e, limit(A, Side.SELL, 103, 2, { stpMode: StpMode.DECREMENT }));
  ok(e, limit(A, Side.BUY, 103, 1, { stpMode: StpMode.DECREMENT })); // decrements the ask above to 1
  place(e, { ...limit(500_000, Side.SELL, 50, 10), marketId: 2 });
  ok(e, {
    kind: CommandKind.WITHDRAW_LOCK,
    accountId: B,
    assetId: BASE,
    amountAtoms: 77,
    refId: 5,
  });
  ok(e, {
    kind: CommandKind.WITHDRAW_LOCK,
    accountId: B,
    assetId: BASE,
    amountAtoms: 11,
    refId: 6,
  });
  ok(e, { kind: CommandKind.WITHDRAW_FINALIZE, refId: 6 });
  ok(e, { kind: CommandKind.SET_MARKET_STATUS, marketId: 2, status: MarketStatus.HALTED });
  e.submit({ kind: 99 } as unknown as Command, 0); // a rejected command still moves lastSeq
  e.events.clear();
  return e;
}

/** The same commands through two engines: what each returned and emitted, command by command. */
function drive(x: Engine, y: Engine, cmds: Command[]): [unknown[], unknown[]] {
  return [cmds.map((c) => run(x, c)), cmds.map((c) => run(y, c))];
}

t.test('restore: same hash, same views, same behaviour afterwards', async (t) => {
  const e = busy();
  const bytes = e.snapshot();
  t.ok(bytes instanceof Uint8Array);
  t.equal(readSnapshotHeader(bytes).lastSeq, e.lastSeq);
  const r = Engine.restore(bytes);
  t.equal(r.stateHash(), e.stateHash());
  t.equal(r.lastSeq, e.lastSeq);
  t.equal(r.nextOrderId, e.nextOrderId);
  t.equal(r.nextTradeId, e.nextTradeId);
  t.same(bookIds(r, Side.BUY), bookIds(e, Side.BUY));
  t.same(r.getOrderByClientId(A, 'a-1'), e.getOrderByClientId(A, 'a-1'));
  t.same(r.depth(MKT, Side.SELL), e.depth(MKT, Side.SELL));
  t.equal(r.marketStatus(2), MarketStatus.HALTED);
  t.equal(r.openOrderCount(A), e.openOrderCount(A));
  t.ok(lockedMatchesOrders(r));
  const next: Command[] = [
    limit(C, Side.SELL, 99, 30), // sweeps the bids: priority and fees (with rebates)
    { kind: CommandKind.CANCEL_ALL, accountId: A, marketId: 0, reason: CancelReason.USER }, // entry order
    { kind: CommandKind.DEPOSIT, accountId: A, assetId: BASE, amountAtoms: 5, refId: 1 }, // used ref
    { kind: CommandKind.WITHDRAW_LOCK, accountId: B, assetId: BASE, amountAtoms: 5, refId: 6 }, // used ref
    { kind: CommandKind.WITHDRAW_RELEASE, refId: 5 }, // pending
    { kind: CommandKind.WITHDRAW_RELEASE, refId: 6 }, // finalized
    limit(B, Side.BUY, 100, 1, { clientOrderId: 'b-1' }), // duplicate client id?
    { ...limit(A, Side.BUY, 10, 1), marketId: 2 }, // halted
    { ...limit(A, Side.BUY, 10, 1), marketId: 3 }, // cancel-only
    { kind: CommandKind.SET_MARKET_STATUS, marketId: 2, status: MarketStatus.ACTIVE },
    { ...market(A, Side.BUY, 3), marketId: 2 },
    amend(C, 4, 104, 0),
    cancel(B, 0, 'b-1'),
    limit(A, Side.BUY, 200, 50),
    { kind: CommandKind.ADD_ACCOUNT, accountId: 500_000, makerFeeBps: 0, takerFeeBps: 0 },
    { kind: CommandKind.ADD_MARKET, ...DEFAULT_MARKET, marketId: 3, status: 1 },
  ];
  const [fromOriginal, fromRestored] = drive(e, r, next);
  t.same(fromRestored, fromOriginal);
  t.equal(r.stateHash(), e.stateHash());
  // Restoring a restored engine's snapshot gives the same state again.
  const r2 = Engine.restore(r.snapshot());
  t.equal(r2.stateHash(), e.stateHash());
  const [x2, y2] = drive(e, r2, [limit(B, Side.SELL, 1, 100), limit(C, Side.BUY, 1_000, 100)]);
  t.same(y2, x2);
  t.equal(r2.stateHash(), e.stateHash());
});

t.test('an empty engine round-trips', async (t) => {
  const e = new Engine({ feeAccountId: 77 });
  const r = Engine.restore(e.snapshot());
  t.equal(r.stateHash(), e.stateHash());
  t.equal(r.feeAccountId, 77);
});

t.test('the pool limit travels with the snapshot', async (t) => {
  const e = setup({ maxOrders: 2 });
  place(e, limit(A, Side.BUY, 1, 1));
  const r = Engine.restore(e.snapshot());
  place(r, limit(A, Side.BUY, 2, 1));
  t.equal(r.submit(limit(A, Side.BUY, 3, 1), 0), 34);
});

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof SnapshotError) return err.code;
    return `not a SnapshotError: ${String(err)}`;
  }
  return 'no error';
}

/** A copy with `mutate` applied to its body and the checksum recomputed. */
function resealed(bytes: Uint8Array, mutate: (body: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  mutate(new DataView(copy.buffer, SNAPSHOT_HEADER_BYTES));
  new DataView(copy.buffer).setUint32(16, crc32(copy.subarray(SNAPSHOT_HEADER_BYTES)), true);
  return copy;
}

t.test('truncated or damaged snapshots fail with E_SNAPSHOT_CORRUPT', async (t) => {
  const bytes = busy().snapshot();
  for (const n of [
    0,
    1,
    8,
    SNAPSHOT_HEADER_BYTES - 1,
    SNAPSHOT_HEADER_BYTES,
    100,
    bytes.length - 1,
  ]) {
    t.equal(
      code(() => Engine.restore(bytes.subarray(0, n))),
      'E_SNAPSHOT_CORRUPT',
      `truncated to ${n}`,
    );
  }
  const longer = new Uint8Array(bytes.length + 4);
  longer.set(bytes);
  t.equal(
    code(() => Engine.restore(longer)),
    'E_SNAPSHOT_CORRUPT',
    'trailing bytes',
  );
  for (const at of [
    0,
    3,
    10,
    20,
    SNAPSHOT_HEADER_BYTES + 5,
    Math.floor(bytes.length / 2),
    bytes.length - 2,
  ]) {
    const copy = bytes.slice();
    copy[at]! ^= 0x41;
    t.equal(
      code(() => Engine.restore(copy)),
      'E_SNAPSHOT_CORRUPT',
      `byte ${at} flipped`,
    );
  }
  const v2 = bytes.slice();
  new DataView(v2.buffer).setUint16(4, 3, true);
  t.equal(
    code(() => Engine.restore(v2)),
    'E_SNAPSHOT_VERSION',
  );
  t.equal(
    code(() => Engine.restore('nope' as unknown as Uint8Array)),
    'E_SNAPSHOT_CORRUPT',
  );
  // Valid checksum, inconsistent content: caught by the structural checks.
  // Body layout: nextOrderId f64, nextTradeId f64, feeAccountId u32, maxOrders u32, ...
  t.equal(
    code(() => Engine.restore(resealed(bytes, (b) => b.setFloat64(0, 1.5, true)))),
    'E_SNAPSHOT_CORRUPT',
    'non-integer nextOrderId',
  );
  t.equal(
    code(() => Engine.restore(resealed(bytes, (b) => b.setFloat64(0, 2, true)))),
    'E_SNAPSHOT_CORRUPT',
    'orders with ids >= nextOrderId',
  );
  t.equal(
    code(() => Engine.restore(resealed(bytes, (b) => b.setUint32(16, 0, true)))),
    'E_SNAPSHOT_CORRUPT',
    'fee account 0',
  );
  t.equal(
    code(() => Engine.restore(resealed(bytes, (b) => b.setUint32(24, 0xffffffff, true)))),
    'E_SNAPSHOT_CORRUPT',
    'asset count past the end',
  );
  // Every single-byte change to the body, resealed, is either refused or gives an engine
  // that passes the restore checks (e.g. a changed fee rate): never a throw of another kind.
  const small = setup();
  place(small, limit(A, Side.BUY, 100, 2, { clientOrderId: 'z' }));
  ok(small, {
    kind: CommandKind.WITHDRAW_LOCK,
    accountId: B,
    assetId: QUOTE,
    amountAtoms: 9,
    refId: 3,
  });
  const sb = small.snapshot();
  let refused = 0;
  for (let i = 0; i < sb.length - SNAPSHOT_HEADER_BYTES; i++) {
    const c = resealed(sb, (b) => b.setUint8(i, b.getUint8(i) ^ 0x5a));
    const what = code(() => Engine.restore(c));
    if (what === 'E_SNAPSHOT_CORRUPT') refused++;
    else if (what !== 'no error') t.fail(`byte ${i}: ${what}`);
  }
  t.ok(
    refused > (sb.length - SNAPSHOT_HEADER_BYTES) / 2,
    `${refused} of ${sb.length - SNAPSHOT_HEADER_BYTES} refused`,
  );
  // Random garbage with a good header: refused promptly.
  let seed = 7;
  for (let k = 0; k < 20; k++) {
    const junk = new Uint8Array(200 + k * 37);
    for (let i = 0; i < junk.length; i++) {
      seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
      junk[i] = seed >>> 24;
    }
    junk.set(bytes.subarray(0, 8));
    new DataView(junk.buffer).setFloat64(8, junk.length - SNAPSHOT_HEADER_BYTES, true);
    new DataView(junk.buffer).setFloat64(24, 5, true);
    const sealed = resealed(junk, () => {});
    t.equal(
      code(() => Engine.restore(sealed)),
      'E_SNAPSHOT_CORRUPT',
    );
  }
});

t.test('SnapshotError is an ExchangeError with a stable code', async (t) => {
  try {
    Engine.restore(new Uint8Array(3));
    t.fail('restored');
  } catch (err) {
    t.ok(err instanceof SnapshotError);
    t.equal((err as SnapshotError).code, 'E_SNAPSHOT_CORRUPT');
    t.equal((err as Error).name, 'SnapshotError');
    t.match((err as Error).message, /corrupt engine snapshot/);
  }
  const x: PlainEvent[] = [];
  t.same(x, []);
  t.equal(C, 12);
});
