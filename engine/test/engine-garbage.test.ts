// Bad input never throws: every command shape with every field replaced by
// junk gets a reject (or is applied, if the junk happens to be valid), the
// engine's invariants hold throughout and the assets still add up.
import t from 'tap';
import type { Command } from '../types';
import {
  A,
  B,
  BASE,
  C,
  CommandKind,
  cancel,
  EventKind as K,
  limit,
  lockedMatchesOrders,
  MKT,
  market,
  place,
  QUOTE,
  RejectReason,
  run,
  Side,
  setup,
  totals,
} from './engine-fixture';

const JUNK: unknown[] = [
  undefined,
  null,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  -1,
  0.5,
  2 ** 53,
  -(2 ** 53),
  1e300,
  '1',
  '',
  'x'.repeat(1_000),
  true,
  false,
  {},
  [],
  [1],
  () => 1,
  Symbol('s'),
  10n,
  { valueOf: () => 1 },
];

t.test('the examples from the brief', async (t) => {
  const e = setup();
  t.equal(e.submit({ kind: 999 } as unknown as Command, 0), RejectReason.INVALID_COMMAND);
  const r = e.submit({ kind: 1, priceTicks: 'x' } as unknown as Command, 0);
  t.equal(r, RejectReason.ACCOUNT_UNKNOWN, 'a reject, not an exception');
  const r2 = e.submit({ ...limit(A, Side.BUY, 1, 1), priceTicks: 'x' } as unknown as Command, 0);
  t.equal(r2, RejectReason.INVALID_TICK_SIZE);
  for (const c of [undefined, null, 0, 'PLACE', [], () => 1, Symbol('c'), 1n]) {
    t.equal(e.submit(c as unknown as Command, 0), RejectReason.INVALID_COMMAND, String(typeof c));
  }
});

t.test('every field of every command replaced by junk', async (t) => {
  const e = setup({ makerFeeBps: -1, takerFeeBps: 3 });
  const live = place(e, limit(A, Side.BUY, 100, 5, { clientOrderId: 'live' }));
  place(e, limit(B, Side.SELL, 110, 5));
  const templates: Record<string, unknown>[] = [
    { ...limit(A, Side.BUY, 101, 2) },
    { ...market(C, Side.SELL, 1) },
    { ...market(C, Side.BUY, 0, 500) },
    { ...cancel(A, live) },
    { kind: CommandKind.CANCEL_ALL, accountId: B, marketId: MKT, reason: 1 },
    {
      kind: CommandKind.AMEND_ORDER,
      accountId: A,
      orderId: live,
      clientOrderId: '',
      newPriceTicks: 102,
      newQtyLots: 0,
    },
    { kind: CommandKind.BATCH_PLACE, orders: [limit(A, Side.BUY, 90, 1)] },
    { kind: CommandKind.BATCH_CANCEL, cancels: [cancel(A, live)] },
    { kind: CommandKind.DEPOSIT, accountId: A, assetId: BASE, amountAtoms: 5, refId: 50 },
    { kind: CommandKind.WITHDRAW_LOCK, accountId: A, assetId: QUOTE, amountAtoms: 5, refId: 51 },
    { kind: CommandKind.WITHDRAW_FINALIZE, refId: 51 },
    { kind: CommandKind.WITHDRAW_RELEASE, refId: 51 },
    { kind: CommandKind.SET_FEES, accountId: C, makerFeeBps: 1, takerFeeBps: 1 },
    { kind: CommandKind.ADD_ASSET, assetId: 9 },
    { kind: CommandKind.ADD_ACCOUNT, accountId: 99, makerFeeBps: 0, takerFeeBps: 0 },
    {
      kind: CommandKind.ADD_MARKET,
      marketId: 9,
      baseAssetId: 1,
      quoteAssetId: 2,
      baseAtomsPerLot: 1,
      quoteAtomsPerTickLot: 1,
      minQtyLots: 1,
      maxQtyLots: 10,
      maxPriceTicks: 10,
      minNotionalAtoms: 0,
      priceBandBps: 0,
      allowSelfTrade: false,
      status: 1,
    },
    { kind: CommandKind.SET_MARKET_STATUS, marketId: 9, status: 1 },
  ];
  let deposited = { [BASE]: 3e12, [QUOTE]: 3e12 } as Record<number, number>;
  let n = 0;
  for (const tpl of templates) {
    for (const field of Object.keys(tpl)) {
      for (const junk of JUNK) {
        const cmd: Record<string, unknown> = { ...tpl, [field]: junk };
        let res: ReturnType<typeof run>;
        try {
          res = run(e, cmd);
        } catch (err) {
          t.fail(`${JSON.stringify(tpl)} with ${field} = ${String(junk)} threw ${String(err)}`);
          continue;
        }
        n++;
        for (const ev of res.ev) {
          if (ev.kind === K.DEPOSITED)
            deposited = {
              ...deposited,
              [ev.assetId as number]: deposited[ev.assetId as number]! + (ev.amountAtoms as number),
            };
          if (ev.kind === K.WITHDRAWAL_FINALIZED)
            deposited = {
              ...deposited,
              [ev.assetId as number]: deposited[ev.assetId as number]! - (ev.amountAtoms as number),
            };
          if (ev.kind === K.ORDER_REJECTED) {
            for (const f of ['accountId', 'marketId', 'orderId', 'refId', 'commandKind'] as const) {
              if (!Number.isSafeInteger(ev[f])) t.fail(`non-integer ${f} echoed: ${String(ev[f])}`);
            }
            if (typeof ev.clientOrderId !== 'string') t.fail('non-string clientOrderId echoed');
          }
        }
        // Also remove the field entirely.
        const { [field]: _gone, ...missing } = tpl;
        try {
          run(e, missing);
        } catch (err) {
          t.fail(`${JSON.stringify(tpl)} without ${field} threw ${String(err)}`);
        }
      }
    }
  }
  t.ok(n > 1_000, `${n} junk commands`);
  t.ok(lockedMatchesOrders(e), 'locks match open orders and withdrawals');
  const tot = totals(e);
  t.equal(tot.get(BASE), deposited[BASE]);
  t.equal(tot.get(QUOTE), deposited[QUOTE]);
  let negative = false;
  e.forEachBalance((_a, _s, avail, locked) => {
    if (avail < 0 || locked < 0) negative = true;
  });
  t.notOk(negative);
});

t.test('junk inside batches', async (t) => {
  const e = setup();
  for (const junk of JUNK) {
    const r = run(e, { kind: CommandKind.BATCH_PLACE, orders: [junk, limit(A, Side.BUY, 1, 1)] });
    t.equal(r.r, RejectReason.NONE);
    const r2 = run(e, { kind: CommandKind.BATCH_CANCEL, cancels: [junk] });
    t.equal(r2.r, RejectReason.NONE);
    t.match(r2.ev, [
      {
        kind: K.ORDER_REJECTED,
        commandKind: CommandKind.CANCEL_ORDER,
        reason: RejectReason.ORDER_UNKNOWN,
      },
    ]);
  }
  t.equal(
    run(e, { kind: CommandKind.BATCH_PLACE, orders: { length: 1, 0: limit(A, Side.BUY, 1, 1) } }).r,
    RejectReason.BATCH_TOO_LARGE,
    'array-likes are not arrays',
  );
  t.ok(lockedMatchesOrders(e));
  t.equal(C, 12);
});
