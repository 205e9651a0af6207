// The dead-man's switch commands (SEMANTICS "Dead-man's switch"), run through
// both the fast engine and the reference model: exact events, identical state
// hashes, snapshot round trips.
import { crc32 } from 'node:zlib';
import t from 'tap';
import { Engine } from '../engine';
import { EventKind, eventToPlain, type PlainEvent } from '../event';
import type { MatchingEngine } from '../matching-engine';
import { NaiveEngine } from '../order-book-naive';
import { RejectReason } from '../reject-reason';
import { SNAPSHOT_HEADER_BYTES } from '../snapshot-codec';
import {
  CancelReason,
  CommandKind,
  type EngineCommand,
  MarketStatus,
  OrderType,
  Side,
  StpMode,
  TimeInForce,
} from '../types';

const FEE = 1;
const A = 10;
const B = 11;
const FUNDS = 1_000_000;

interface DmsEngine extends MatchingEngine {
  nextDeadManDeadlineUs(): number;
}

function submit(e: MatchingEngine, cmd: unknown, timeUs = 0): { r: number; ev: PlainEvent[] } {
  const r = e.submit(cmd as EngineCommand, timeUs);
  const ev: PlainEvent[] = [];
  for (let i = 0; i < e.events.count; i++) ev.push(eventToPlain(e.events.at(i)));
  e.events.clear();
  return { r, ev };
}

function ok(e: MatchingEngine, cmd: unknown, timeUs = 0): PlainEvent[] {
  const { r, ev } = submit(e, cmd, timeUs);
  if (r !== RejectReason.NONE) throw new Error(`rejected ${r}: ${JSON.stringify(ev)}`);
  return ev;
}

function build(make: () => DmsEngine): DmsEngine {
  const e = make();
  ok(e, { kind: CommandKind.ADD_ASSET, assetId: 1 });
  ok(e, { kind: CommandKind.ADD_ASSET, assetId: 2 });
  for (const a of [A, B]) {
    ok(e, { kind: CommandKind.ADD_ACCOUNT, accountId: a, makerFeeBps: 0, takerFeeBps: 0 });
  }
  for (const marketId of [1, 2]) {
    ok(e, {
      kind: CommandKind.ADD_MARKET,
      marketId,
      baseAssetId: 1,
      quoteAssetId: 2,
      baseAtomsPerLot: 10,
      quoteAtomsPerTickLot: 1,
      minQtyLots: 1,
      maxQtyLots: 1000,
      maxPriceTicks: 10_000,
      minNotionalAtoms: 0,
      priceBandBps: 1000,
      allowSelfTrade: false,
      status: MarketStatus.ACTIVE,
    });
  }
  let ref = 1;
  for (const a of [A, B]) {
    for (const asset of [1, 2]) {
      ok(e, {
        kind: CommandKind.DEPOSIT,
        accountId: a,
        assetId: asset,
        amountAtoms: FUNDS,
        refId: ref++,
      });
    }
  }
  return e;
}

function buy(accountId: number, marketId: number, priceTicks: number, qtyLots: number): unknown {
  return {
    kind: CommandKind.PLACE_ORDER,
    accountId,
    marketId,
    side: Side.BUY,
    orderType: OrderType.LIMIT,
    timeInForce: TimeInForce.GTC,
    priceTicks,
    qtyLots,
    quoteBudgetAtoms: 0,
    postOnly: false,
    stpMode: StpMode.UNSPECIFIED,
    clientOrderId: '',
  };
}

const dms = (accountId: number, marketId: number, timeoutMs: unknown) => ({
  kind: CommandKind.SET_DEAD_MAN_SWITCH,
  accountId,
  marketId,
  timeoutMs,
});
const TIMER = { kind: CommandKind.TIMER };

function switches(e: MatchingEngine): number[][] {
  const out: number[][] = [];
  e.forEachDeadManSwitch((a, m, d, to) => out.push([a, m, d, to]));
  return out;
}

const ENGINES: [string, () => DmsEngine][] = [
  ['fast', () => new Engine({ feeAccountId: FEE })],
  ['naive', () => new NaiveEngine({ feeAccountId: FEE })],
];

for (const [name, make] of ENGINES) {
  t.test(`${name}: arm, fire, re-arm, disarm`, (t) => {
    const e = build(make);
    ok(e, buy(A, 1, 100, 5)); // order 1
    ok(e, buy(A, 2, 50, 2)); // order 2
    t.equal(e.nextDeadManDeadlineUs(), 0);

    t.same(ok(e, dms(A, 0, 5000), 1_000_000), [
      {
        kind: EventKind.DEAD_MAN_SWITCH_SET,
        seq: e.lastSeq,
        accountId: A,
        marketId: 0,
        timeoutMs: 5000,
        deadlineUs: 6_000_000,
      },
    ]);
    ok(e, dms(A, 1, 2000), 2_000_000);
    t.equal(e.nextDeadManDeadlineUs(), 4_000_000);
    t.same(switches(e), [
      [A, 0, 6_000_000, 5000],
      [A, 1, 4_000_000, 2000],
    ]);

    t.same(submit(e, TIMER, 3_999_999), { r: RejectReason.NONE, ev: [] }, 'nothing due');
    const seq = e.lastSeq + 1;
    t.same(ok(e, TIMER, 4_000_000), [
      { kind: EventKind.DEAD_MAN_SWITCH_FIRED, seq, accountId: A, marketId: 1, deadlineUs: 4e6 },
      {
        kind: EventKind.ORDER_CANCELED,
        seq,
        orderId: 1,
        accountId: A,
        marketId: 1,
        reason: CancelReason.DEAD_MAN_SWITCH,
        qtyLots: 5,
        quoteAtoms: 0,
        clientOrderId: '',
      },
      {
        kind: EventKind.BOOK_LEVEL,
        seq,
        marketId: 1,
        side: Side.BUY,
        priceTicks: 100,
        qtyLots: 0,
        orderCount: 0,
      },
      {
        kind: EventKind.BALANCE,
        seq,
        accountId: A,
        assetId: 2,
        availableAtoms: FUNDS - 100,
        lockedAtoms: 100,
      },
    ]);
    t.equal(e.nextDeadManDeadlineUs(), 6_000_000);
    t.same(switches(e), [[A, 0, 6_000_000, 5000]], 'the fired switch is disarmed');

    // Re-arming moves the deadline: nothing fires at the old one.
    ok(e, dms(A, 0, 5000), 5_000_000);
    t.same(submit(e, TIMER, 6_000_000).ev, []);
    t.equal(e.nextDeadManDeadlineUs(), 10_000_000);

    // Disarm: an event with timeout and deadline 0; disarming again is fine.
    t.same(ok(e, dms(A, 0, 0), 7_000_000), [
      {
        kind: EventKind.DEAD_MAN_SWITCH_SET,
        seq: e.lastSeq,
        accountId: A,
        marketId: 0,
        timeoutMs: 0,
        deadlineUs: 0,
      },
    ]);
    t.equal(ok(e, dms(A, 0, 0), 7_000_000).length, 1);
    t.equal(e.nextDeadManDeadlineUs(), 0);
    t.same(submit(e, TIMER, 1e12).ev, []);
    t.same(switches(e), []);
    t.end();
  });

  t.test(`${name}: firing order, all markets, halted markets skipped`, (t) => {
    const e = build(make);
    ok(e, buy(A, 1, 100, 1)); // 1
    ok(e, buy(A, 2, 100, 1)); // 2
    ok(e, buy(B, 2, 90, 1)); // 3
    ok(e, buy(B, 1, 90, 1)); // 4
    ok(e, dms(B, 1, 1000), 0); // deadline 1e6
    ok(e, dms(B, 0, 2000), 0); // 2e6
    ok(e, dms(A, 0, 2000), 0); // 2e6
    ok(e, { kind: CommandKind.SET_MARKET_STATUS, marketId: 2, status: MarketStatus.HALTED });
    const ev = ok(e, TIMER, 5_000_000);
    t.same(
      ev
        .filter((x) => x.kind !== EventKind.BOOK_LEVEL && x.kind !== EventKind.BALANCE)
        .map((x) => [x.kind, x.accountId, x.marketId, x.orderId ?? x.deadlineUs]),
      [
        [EventKind.DEAD_MAN_SWITCH_FIRED, B, 1, 1e6],
        [EventKind.ORDER_CANCELED, B, 1, 4],
        [EventKind.DEAD_MAN_SWITCH_FIRED, A, 0, 2e6],
        [EventKind.ORDER_CANCELED, A, 1, 1],
        [EventKind.DEAD_MAN_SWITCH_FIRED, B, 0, 2e6],
      ],
      '(deadline, account, market) order; the halted market keeps its orders',
    );
    // Each fired switch carries its own level and balance events.
    t.same(
      ev.map((x) => x.kind),
      [
        EventKind.DEAD_MAN_SWITCH_FIRED,
        EventKind.ORDER_CANCELED,
        EventKind.BOOK_LEVEL,
        EventKind.BALANCE,
        EventKind.DEAD_MAN_SWITCH_FIRED,
        EventKind.ORDER_CANCELED,
        EventKind.BOOK_LEVEL,
        EventKind.BALANCE,
        EventKind.DEAD_MAN_SWITCH_FIRED,
      ],
    );
    t.same(switches(e), []);
    t.end();
  });

  t.test(`${name}: rejects and bounds`, (t) => {
    const e = build(make);
    const rej = (cmd: unknown) => {
      const { r, ev } = submit(e, cmd, 1000);
      t.equal(ev.length, r === RejectReason.NONE ? 1 : 1);
      if (r !== RejectReason.NONE) {
        t.match(ev[0], {
          kind: EventKind.ORDER_REJECTED,
          commandKind: CommandKind.SET_DEAD_MAN_SWITCH,
          reason: r,
        });
      }
      return r;
    };
    t.equal(rej(dms(99, 0, 5000)), RejectReason.ACCOUNT_UNKNOWN);
    t.equal(rej(dms(A, 7, 5000)), RejectReason.MARKET_UNKNOWN);
    t.equal(rej(dms(A, Number.NaN, 5000)), RejectReason.MARKET_UNKNOWN);
    for (const bad of [999, 600_001, 1500.5, Number.NaN, '2000', -1000, undefined]) {
      t.equal(rej(dms(A, 1, bad)), RejectReason.INVALID_COMMAND, `timeout ${String(bad)}`);
    }
    t.same(switches(e), []);
    t.equal(rej(dms(A, 1, 1000)), RejectReason.NONE);
    t.equal(rej(dms(A, 2, 600_000)), RejectReason.NONE);
    t.equal(
      rej(dms(FEE, 0, 1000)),
      RejectReason.NONE,
      'the fee account may arm one (finds nothing)',
    );
    t.same(switches(e), [
      [FEE, 0, 1_001_000, 1000],
      [A, 1, 1_001_000, 1000],
      [A, 2, 600_001_000, 600_000],
    ]);
    t.end();
  });

  t.test(`${name}: a bad command time reads as 0`, (t) => {
    const e = build(make);
    for (const bad of [Number.NaN, -5, 1.5, Number.POSITIVE_INFINITY, 2 ** 60]) {
      t.match(ok(e, dms(A, 1, 3000), bad), [{ deadlineUs: 3_000_000 }], String(bad));
    }
    t.same(ok(e, TIMER, Number.NaN), [], 'a timer at time 0 fires nothing due later');
    t.end();
  });
}

t.test('both engines agree on the state hash with switches armed', (t) => {
  const f = build(ENGINES[0]![1]);
  const n = build(ENGINES[1]![1]);
  const noSwitchHash = f.stateHash();
  for (const [cmd, time] of [
    [dms(A, 0, 5000), 1e6],
    [dms(B, 2, 1000), 2e6],
  ] as const) {
    ok(f, cmd, time);
    ok(n, cmd, time);
    t.equal(f.stateHash(), n.stateHash());
  }
  t.not(f.stateHash(), noSwitchHash);
  ok(f, dms(A, 0, 0));
  ok(f, dms(B, 2, 0));
  ok(n, dms(A, 0, 0));
  ok(n, dms(B, 2, 0));
  t.equal(f.stateHash(), n.stateHash());
  t.end();
});

t.test('fast engine snapshots keep switches; version 1 snapshots still restore', (t) => {
  const e = build(ENGINES[0]![1]) as Engine;
  ok(e, buy(A, 1, 100, 2));
  ok(e, dms(A, 0, 5000), 1e6);
  ok(e, dms(B, 1, 1000), 1e6);
  const bytes = e.snapshot();
  t.equal(new DataView(bytes.buffer, bytes.byteOffset).getUint16(4, true), 2);
  const r = Engine.restore(bytes);
  t.equal(r.stateHash(), e.stateHash());
  t.equal(r.nextDeadManDeadlineUs(), 2e6);
  t.same(switches(r), switches(e));
  t.same(ok(r, TIMER, 6e6), ok(e, TIMER, 6e6), 'the restored engine fires identically');
  t.equal(r.stateHash(), e.stateHash());

  // A version 1 snapshot is a version 2 body without the switch section.
  const plain = build(ENGINES[0]![1]) as Engine;
  const v2 = plain.snapshot();
  const body = v2.subarray(SNAPSHOT_HEADER_BYTES);
  const v1Body = new Uint8Array(body.length - 4);
  v1Body.set(body.subarray(0, body.length - 8));
  v1Body.set(body.subarray(body.length - 4), body.length - 8);
  const v1 = new Uint8Array(SNAPSHOT_HEADER_BYTES + v1Body.length);
  v1.set(v2.subarray(0, SNAPSHOT_HEADER_BYTES));
  v1.set(v1Body, SNAPSHOT_HEADER_BYTES);
  const dv = new DataView(v1.buffer);
  dv.setUint16(4, 1, true);
  dv.setFloat64(8, v1Body.length, true);
  dv.setUint32(16, crc32(v1Body), true);
  const old = Engine.restore(v1);
  t.equal(old.stateHash(), plain.stateHash());
  t.equal(old.nextDeadManDeadlineUs(), 0);
  t.end();
});
