// A gateway starting after the engine trimmed its journal (below a snapshot,
// once settlement's cursor allows it) seeds its books and open orders from
// the engine's snapshot plus the journal tail, and serves the same book as a
// gateway that saw everything; fills of orders older than the snapshot get
// correct cumulative quantities.
import t from 'tap';
import { exchange } from '../../proto';
import { JournalReader } from '../journal-reader';
import { eventually, limitOrder, MARKET_ID, startExchange } from './helpers/exchange-env';
import { TestClient } from './helpers/test-client';

const v1 = exchange.v1;

t.test('seeding from the engine snapshot when the journal is trimmed', async (t) => {
  const env = await startExchange({
    users: [
      ['mia', 7001],
      ['ned', 7002],
    ],
  });
  t.teardown(() => env.stop());
  const mk = await env.addKey(env.user('mia'));
  const nk = await env.addKey(env.user('ned'));
  const mia = await TestClient.connect(env.gateway.wsUrl);
  t.teardown(() => mia.close());
  await mia.logon({ apiKeyPrefix: mk.prefix, apiSecret: mk.secret, heartbeatIntervalMs: 60_000 });
  const ned = await TestClient.connect(env.gateway.wsUrl);
  t.teardown(() => ned.close());
  await ned.logon({ apiKeyPrefix: nk.prefix, apiSecret: nk.secret, heartbeatIntervalMs: 60_000 });

  // History before the snapshot: resting orders, a partial fill, a cancel.
  for (let i = 0; i < 5; i++)
    await mia.request({ newOrder: limitOrder('sell', 110 + i, 10, `s${i}`) });
  for (let i = 0; i < 5; i++)
    await ned.request({ newOrder: limitOrder('buy', 100 - i, 3, `b${i}`) });
  await ned.request({ newOrder: limitOrder('buy', 110, 4, 'taker') });
  await ned.request({ cancelOrder: { marketId: MARKET_ID, clientOrderId: 'b4' } });

  // Let the engine trim: a settlement cursor far ahead, then a snapshot now.
  await env.redis.client().set('settled:{0}', '1000000000');
  env.engine.proc.kill('SIGUSR2');
  await env.engine.waitForLog((l) => l.msg === 'journal trimmed', 20_000);
  const journal = new JournalReader(env.redis.client(), 0);
  const first = await journal.firstSeq();
  t.ok(first > 1, `journal starts at seq ${first}`);

  // History after the snapshot.
  await mia.request({ newOrder: limitOrder('sell', 120, 2, 'late') });
  await ned.request({ newOrder: limitOrder('buy', 99, 1, 'late-b') });

  const second = await env.startGateway();
  t.ok(second.gateway.feeds.get(0)!.trimmedAt === 0, 'seeded, not left with a hole');
  const mia2 = await TestClient.connect(second.wsUrl);
  t.teardown(() => mia2.close());
  await mia2.logon({ apiKeyPrefix: mk.prefix, apiSecret: mk.secret, heartbeatIntervalMs: 60_000 });
  await mia2.request({ subscribe: { subscriptions: [{ channel: v1.Channel.CHANNEL_REPORTS }] } });
  const a = (await mia.request({ bookSnapshot: { marketId: MARKET_ID } })).bookSnapshot;
  const b = await eventually(
    async () => {
      const s = (await mia2.request({ bookSnapshot: { marketId: MARKET_ID } })).bookSnapshot;
      return s?.seq === a.seq ? s : undefined;
    },
    5_000,
    'the seeded gateway at the same seq',
  );
  t.same(b, a, 'the seeded gateway serves the same book');
  t.equal(a.asks[0].priceTicks, 110);
  t.equal(a.asks[0].qtyLots, 6, 'partially filled before the snapshot');

  // A fill of an order older than the snapshot: cumulative quantities continue from it.
  await ned.request({ newOrder: limitOrder('buy', 110, 6, 'taker-2') });
  const fill = await mia2.waitFor(
    (m) => m.body === 'executionReport' && m.executionReport.clientOrderId === 's0',
    5_000,
    'maker fill through the seeded gateway',
  );
  t.same(
    [
      fill.executionReport.filledLots,
      fill.executionReport.remainingLots,
      fill.executionReport.qtyLots,
      fill.executionReport.orderStatus,
    ],
    [10, 0, 10, v1.OrderStatus.ORDER_STATUS_FILLED],
  );
  t.equal(fill.executionReport.cumQuoteAtoms, 1_100, '10 lots at 110 ticks, 1 atom per tick-lot');
  // Replays cannot reach before the journal.
  const r = await mia2.request({ replayReports: { afterReportSeq: 1 } });
  t.equal(r.reject?.reason, v1.RejectReason.REJECT_REASON_REPLAY_UNAVAILABLE);
});
