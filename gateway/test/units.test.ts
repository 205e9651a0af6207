// Pure parts of the gateway: limits, configuration, the native uWS loader,
// IP allow lists, the order rate limiter, the book mirror, acks and reports.
import t from 'tap';
import { ConfigError, loadConfig } from '../../common/config';
import { MAX_BATCH_ITEMS as ENGINE_MAX_BATCH_ITEMS } from '../../engine/constants';
import { EventKind } from '../../engine/event';
import { CommandKind } from '../../engine/types';
import { exchange } from '../../proto';
import { hashApiSecret, logonPayload } from '../api-keys';
import { BookMirror } from '../book-mirror';
import { loadGatewayConfig } from '../gateway-config';
import { normalizeAddress, parseAllowList } from '../ip-allowlist';
import { assertLimits, MAX_BATCH_ITEMS, RATE_WINDOW_MS, REPORT_SEQ_MULTIPLIER } from '../limits';
import { cancelAcks, placeAcks } from '../order-acks';
import { OrderRateLimiter } from '../rate-limiter';
import { ReportBuilder } from '../reports';
import { loadUws, nativeBinaryPath } from '../uws';

const v1 = exchange.v1;

t.test('limits are consistent and batches match the engine', async (t) => {
  t.doesNotThrow(() => assertLimits());
  t.equal(MAX_BATCH_ITEMS, ENGINE_MAX_BATCH_ITEMS);
});

t.test('uWS loads from its native binary, never the JS fallback', async (t) => {
  const uws = loadUws();
  t.match(
    nativeBinaryPath(),
    /binaries\/uws_linux_x64_115\.node$|binaries\/uws_\w+_\w+_\d+\.node$/,
  );
  t.equal(typeof uws.App, 'function');
  t.equal(require.cache[nativeBinaryPath()]?.exports, uws, 'the module is the .node binary itself');
});

t.test('gateway config: defaults and every bad variable named', async (t) => {
  const base = loadConfig({});
  const c = loadGatewayConfig(base, {});
  t.same(c.shards, [{ shardId: 0, host: '127.0.0.1', port: 7100 }]);
  t.equal(c.deadManSwitch, 'engine');
  const unix = loadGatewayConfig(loadConfig({ ENGINE_SOCKET: '/tmp/e.sock' }), {});
  t.same(unix.shards, [{ shardId: 0, socketPath: '/tmp/e.sock' }]);
  const multi = loadGatewayConfig(base, {
    GATEWAY_ENGINE_SHARDS: '1=10.0.0.2:7101, 0=[::1]:7100,2=unix:/run/e2',
  });
  t.same(multi.shards, [
    { shardId: 0, host: '::1', port: 7100 },
    { shardId: 1, host: '10.0.0.2', port: 7101 },
    { shardId: 2, socketPath: '/run/e2' },
  ]);
  const bad: Array<[Record<string, string>, string]> = [
    [{ GATEWAY_ENGINE_SHARDS: 'x' }, 'GATEWAY_ENGINE_SHARDS'],
    [{ GATEWAY_ENGINE_SHARDS: '0=h:0' }, 'GATEWAY_ENGINE_SHARDS'],
    [{ GATEWAY_ENGINE_SHARDS: '0=a:1,0=b:2' }, 'GATEWAY_ENGINE_SHARDS'],
    [{ GATEWAY_ENGINE_TIMEOUT_MS: '5' }, 'GATEWAY_ENGINE_TIMEOUT_MS'],
    [{ GATEWAY_ENGINE_TIMEOUT_MS: 'soon' }, 'GATEWAY_ENGINE_TIMEOUT_MS'],
    [{ GATEWAY_DEAD_MAN_SWITCH: 'maybe' }, 'GATEWAY_DEAD_MAN_SWITCH'],
    [{ GATEWAY_ID: 'has space' }, 'GATEWAY_ID'],
    [{ GATEWAY_LINK_RECONNECT_MS: '-1' }, 'GATEWAY_LINK_RECONNECT_MS'],
    [{ GATEWAY_REFERENCE_REFRESH_MS: '1' }, 'GATEWAY_REFERENCE_REFRESH_MS'],
  ];
  for (const [env, name] of bad) {
    let err: unknown;
    try {
      loadGatewayConfig(base, env);
    } catch (e) {
      err = e;
    }
    t.ok(
      err instanceof ConfigError && err.variable === name,
      `${name}: ${(err as Error | undefined)?.message}`,
    );
  }
});

t.test('ip allow lists: addresses and CIDRs, IPv4 and IPv6, mapped addresses', async (t) => {
  t.equal(normalizeAddress('0000:0000:0000:0000:0000:ffff:7f00:0001'), '127.0.0.1');
  t.equal(normalizeAddress('::ffff:10.1.2.3'), '10.1.2.3');
  t.equal(
    normalizeAddress('0000:0000:0000:0000:0000:0000:0000:0001'),
    '0000:0000:0000:0000:0000:0000:0000:0001',
  );
  t.ok(parseAllowList(null).allows('203.0.113.9'), 'null: anything');
  t.notOk(parseAllowList([]).allows('127.0.0.1'), 'empty list: nothing');
  const l = parseAllowList([
    '10.0.0.0/8',
    '192.168.1.7',
    '2001:db8::/32',
    '::1',
    'garbage',
    '10.0.0.0/40',
    7,
  ]);
  t.same(l.invalid, ['garbage', '10.0.0.0/40', '7']);
  t.ok(l.allows('10.200.3.4'));
  t.ok(l.allows('192.168.1.7'));
  t.notOk(l.allows('192.168.1.8'));
  t.ok(l.allows('2001:db8:1::5'));
  t.ok(l.allows('0000:0000:0000:0000:0000:0000:0000:0001'), 'full-form ::1 as uWS prints it');
  t.notOk(l.allows('2001:db9::1'));
  t.notOk(l.allows('not an ip'));
});

t.test('secret hashing and the signed logon payload', async (t) => {
  t.equal(hashApiSecret('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  t.equal(logonPayload('pk_1', 123, Buffer.from([0xde, 0xad])).toString(), 'pk_1\n123\ndead');
});

t.test('order rate limiter: sliding window with retry-after', async (t) => {
  const l = new OrderRateLimiter(10);
  const t0 = 1_000_000;
  t.ok(l.take(6, t0).ok);
  t.ok(l.take(4, t0 + 5_000).ok);
  const refused = l.take(1, t0 + 5_000);
  t.notOk(refused.ok);
  t.equal(refused.used, 10);
  t.equal(refused.retryAfterMs, RATE_WINDOW_MS - 5_000, 'until the oldest orders leave the window');
  t.ok(l.take(6, t0 + RATE_WINDOW_MS + 100).ok, 'the first six left the window');
  t.notOk(l.take(1, t0 + RATE_WINDOW_MS + 100).ok);
  t.equal(l.take(11, t0 + 60_000).retryAfterMs, RATE_WINDOW_MS, 'more than the limit never fits');
  t.equal(l.used(t0 + 120_000), 0);
});

t.test('book mirror: absolute levels, zero deletes, best first', async (t) => {
  const b = new BookMirror(1);
  b.setLevel(1, 100, 5, 1);
  b.setLevel(1, 102, 1, 1);
  b.setLevel(1, 101, 2, 2);
  b.setLevel(2, 110, 3, 1);
  b.setLevel(2, 105, 4, 1);
  b.setLevel(1, 101, 7, 3);
  b.setLevel(1, 102, 0, 0);
  b.setLevel(2, 999, 0, 0);
  t.same(b.bids.top(0), [
    { priceTicks: 101, qtyLots: 7, orderCount: 3 },
    { priceTicks: 100, qtyLots: 5, orderCount: 1 },
  ]);
  t.same(b.asks.top(1), [{ priceTicks: 105, qtyLots: 4, orderCount: 1 }]);
  t.same(b.bids.best(), { priceTicks: 101, qtyLots: 7 });
});

const ev = (e: Record<string, number | string>): exchange.v1.IEvent => e as exchange.v1.IEvent;

t.test('acks: batch items told apart by their first event', async (t) => {
  const result: exchange.v1.ICommandResult = {
    seq: 9,
    events: [
      ev({
        kind: EventKind.ORDER_ACCEPTED,
        orderId: 5,
        qtyLots: 3,
        orderType: 1,
        clientOrderId: 'a',
      }),
      ev({ kind: EventKind.TRADE, orderId: 5, remainingLots: 0, qtyLots: 3 }),
      ev({
        kind: EventKind.ORDER_REJECTED,
        commandKind: CommandKind.PLACE_ORDER,
        rejectReason: 11,
        clientOrderId: 'b',
      }),
      ev({
        kind: EventKind.ORDER_ACCEPTED,
        orderId: 6,
        qtyLots: 3,
        orderType: 1,
        clientOrderId: 'c',
      }),
      ev({ kind: EventKind.TRADE, orderId: 6, remainingLots: 1, qtyLots: 2 }),
      ev({ kind: EventKind.ORDER_EXPIRED, orderId: 6 }),
      ev({ kind: EventKind.BOOK_LEVEL }),
    ],
  };
  const acks = placeAcks(result, 3, ['a', 'b', 'c']);
  t.same(
    acks.map((a) => [a.orderId, a.clientOrderId, a.rejectReason, a.status]),
    [
      [5, 'a', 0, v1.OrderStatus.ORDER_STATUS_FILLED],
      [0, 'b', 11, v1.OrderStatus.ORDER_STATUS_REJECTED],
      [6, 'c', 0, v1.OrderStatus.ORDER_STATUS_EXPIRED],
    ],
  );
  const whole = placeAcks(
    {
      seq: 10,
      rejectReason: 32,
      events: [
        ev({
          kind: EventKind.ORDER_REJECTED,
          commandKind: CommandKind.BATCH_PLACE,
          rejectReason: 32,
        }),
      ],
    },
    2,
    ['x', 'y'],
  );
  t.same(
    whole.map((a) => a.rejectReason),
    [32, 32],
  );
  const cancels = cancelAcks(
    {
      seq: 11,
      events: [
        ev({ kind: EventKind.ORDER_CANCELED, orderId: 7 }),
        ev({
          kind: EventKind.ORDER_REJECTED,
          commandKind: CommandKind.CANCEL_ORDER,
          orderId: 8,
          rejectReason: 20,
        }),
      ],
    },
    2,
    ['', ''],
  );
  t.same(
    cancels.map((a) => [a.orderId, a.rejectReason, a.status]),
    [
      [7, 0, v1.OrderStatus.ORDER_STATUS_CANCELED],
      [8, 20, v1.OrderStatus.ORDER_STATUS_REJECTED],
    ],
  );
});

t.test(
  'reports: cumulative state, maker and taker, and sequences independent of what the builder knows',
  async (t) => {
    const cmds = [
      {
        seq: 1,
        timeUs: 10,
        events: [
          ev({
            kind: EventKind.ORDER_ACCEPTED,
            orderId: 1,
            accountId: 7,
            marketId: 1,
            side: 2,
            orderType: 1,
            timeInForce: 1,
            priceTicks: 100,
            qtyLots: 5,
            clientOrderId: 'm',
          }),
        ],
      },
      {
        seq: 2,
        timeUs: 20,
        events: [
          ev({
            kind: EventKind.ORDER_ACCEPTED,
            orderId: 2,
            accountId: 8,
            marketId: 1,
            side: 1,
            orderType: 1,
            timeInForce: 2,
            priceTicks: 101,
            qtyLots: 3,
          }),
          ev({
            kind: EventKind.TRADE,
            tradeId: 1,
            marketId: 1,
            orderId: 2,
            accountId: 8,
            side: 1,
            makerOrderId: 1,
            makerAccountId: 7,
            priceTicks: 100,
            qtyLots: 3,
            quoteAtoms: 300,
            remainingLots: 0,
            makerRemainingLots: 2,
            takerFeeAtoms: 4,
            makerFeeAtoms: -1,
          }),
          ev({
            kind: EventKind.BOOK_LEVEL,
            marketId: 1,
            side: 2,
            priceTicks: 100,
            qtyLots: 2,
            orderCount: 1,
          }),
        ],
      },
      {
        seq: 3,
        timeUs: 30,
        events: [
          ev({
            kind: EventKind.ORDER_CANCELED,
            orderId: 1,
            accountId: 7,
            marketId: 1,
            qtyLots: 2,
            cancelReason: 1,
          }),
        ],
      },
    ];
    const live = new ReportBuilder((_m, side) => (side === 1 ? 11 : 22));
    const got: exchange.v1.IExecutionReport[] = [];
    for (const c of cmds) live.apply(c, (r) => got.push(r));
    t.same(
      got.map((r) => [
        r.accountId,
        r.reportSeq,
        r.execType,
        r.orderStatus,
        r.filledLots,
        r.remainingLots,
        r.isMaker ?? false,
      ]),
      [
        [7, 1 * REPORT_SEQ_MULTIPLIER, 1, 1, 0, 5, false],
        [8, 2 * REPORT_SEQ_MULTIPLIER, 1, 1, 0, 3, false],
        [8, 2 * REPORT_SEQ_MULTIPLIER + 1, 2, 3, 3, 0, false],
        [7, 2 * REPORT_SEQ_MULTIPLIER, 2, 2, 3, 2, true],
        [7, 3 * REPORT_SEQ_MULTIPLIER, 3, 4, 3, 0, false],
      ],
    );
    t.equal(got[3]!.feeAtoms, -1, 'maker rebate');
    t.equal(got[3]!.feeAssetId, 22, 'the seller receives quote');
    t.equal(got[2]!.feeAssetId, 11, 'the buyer receives base');
    t.equal(got[3]!.cumQuoteAtoms, 300);
    t.equal(live.orders.size, 0, 'nothing open');
    t.equal(live.lastReportSeq.get(7), 3 * REPORT_SEQ_MULTIPLIER);
    // A builder for account 7 alone that never saw seq 1 numbers the same reports the same way.
    const replay = new ReportBuilder(() => 0, 7);
    const seqs: number[] = [];
    for (const c of cmds.slice(1)) replay.apply(c, (r) => seqs.push(r.reportSeq!));
    t.same(seqs, [2 * REPORT_SEQ_MULTIPLIER, 3 * REPORT_SEQ_MULTIPLIER]);
    // Without a sink the sequences still advance.
    const silent = new ReportBuilder(() => 0);
    for (const c of cmds) silent.apply(c, undefined);
    t.same([...silent.lastReportSeq], [...live.lastReportSeq]);
  },
);

t.test('config errors name the variable', async (t) => {
  t.throws(
    () => loadGatewayConfig(loadConfig({}), { GATEWAY_ENGINE_SHARDS: '5000=h:1' }),
    ConfigError,
  );
});
