// End to end over the real uWS server, the real engine process, a private
// Redis and a fresh Postgres database: two accounts trade, both see the right
// execution reports; book subscribers see gap-free updates and a late joiner
// converges to the same book; a reconnecting client replays what it missed
// from the journal; REST serves markets, assets, book, trades, time, health
// and metrics.
import t from 'tap';
import { exchange } from '../../proto';
import { REPORT_SEQ_MULTIPLIER } from '../limits';
import {
  type ExchangeEnv,
  eventually,
  limitOrder,
  MARKET_ID,
  startExchange,
} from './helpers/exchange-env';
import { type ServerMessage, TestClient } from './helpers/test-client';

const v1 = exchange.v1;
const { ExecType, OrderStatus, Channel } = v1;

let env: ExchangeEnv;

t.before(async () => {
  env = await startExchange({
    users: [
      ['alice', 1001],
      ['bob', 1002],
      ['carol', 1003],
    ],
  });
});
t.teardown(() => env.stop());

async function session(name: string, scopes?: string[]): Promise<TestClient> {
  const key = await env.addKey(env.user(name), scopes === undefined ? {} : { scopes });
  const c = await TestClient.connect(env.gateway.wsUrl);
  const ack = await c.logon({ apiKeyPrefix: key.prefix, apiSecret: key.secret });
  if (ack.body !== 'logonAck') throw new Error(`logon failed: ${JSON.stringify(ack.toJSON())}`);
  return c;
}

/** A client-side book kept from a snapshot plus updates, checking that sequences never gap. */
class LocalBook {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();
  seq = -1;
  gaps = 0;
  updates = 0;
  private seen = 0;

  constructor(private readonly client: TestClient) {}

  /** Applies everything received so far. */
  sync(): void {
    const all = this.client.all();
    for (; this.seen < all.length; this.seen++) {
      const m = all[this.seen]!;
      if (m.body === 'bookSnapshot' && this.seq < 0) {
        const s = m.bookSnapshot!;
        for (const l of s.bids) this.bids.set(l.priceTicks, l.qtyLots);
        for (const l of s.asks) this.asks.set(l.priceTicks, l.qtyLots);
        this.seq = s.seq;
      } else if (m.body === 'bookUpdate' && this.seq >= 0) {
        const u = m.bookUpdate!;
        if (u.firstSeq !== this.seq + 1) this.gaps++;
        this.updates++;
        this.seq = u.lastSeq;
        for (const l of u.updates) {
          const side = l.side === v1.Side.SIDE_BUY ? this.bids : this.asks;
          if (l.qtyLots === 0) side.delete(l.priceTicks);
          else side.set(l.priceTicks, l.qtyLots);
        }
      }
    }
  }

  levels(): { bids: number[][]; asks: number[][] } {
    this.sync();
    return {
      bids: [...this.bids].sort((a, b) => b[0]! - a[0]!),
      asks: [...this.asks].sort((a, b) => a[0]! - b[0]!),
    };
  }
}

function reportsOf(c: TestClient, orderId: number): ServerMessage[] {
  return c.reports().filter((r) => r.orderId === orderId);
}

t.test(
  'a maker and a taker trade and both see the right reports; book subscribers see every change',
  async (t) => {
    const alice = await session('alice');
    const bob = await session('bob');
    const watcher = await session('carol', ['read']);
    t.teardown(() => {
      alice.close();
      bob.close();
      watcher.close();
    });
    const sub = (channels: Array<[number, number]>): exchange.v1.IClientMessage => ({
      subscribe: { subscriptions: channels.map(([channel, marketId]) => ({ channel, marketId })) },
    });
    t.equal((await alice.request(sub([[Channel.CHANNEL_REPORTS, 0]]))).body, 'subscribe');
    t.equal((await bob.request(sub([[Channel.CHANNEL_REPORTS, 0]]))).body, 'subscribe');
    const wsub = await watcher.request(
      sub([
        [Channel.CHANNEL_BOOK, MARKET_ID],
        [Channel.CHANNEL_TRADES, MARKET_ID],
        [Channel.CHANNEL_BBO, MARKET_ID],
      ]),
    );
    t.equal(wsub.body, 'subscribe');
    const book = new LocalBook(watcher);

    // Alice quotes five asks in one batch.
    const quotes = [101, 102, 103, 104, 105].map((p, i) => limitOrder('sell', p, 10, `ask-${i}`));
    const placed = await alice.request({ newOrderBatch: { orders: quotes } });
    t.equal(placed.body, 'orderResponse');
    t.ok(
      placed.recvTimeUs > 0 && placed.sendTimeUs >= placed.recvTimeUs,
      'server receive and send times',
    );
    t.equal(placed.rateLimit?.ordersUsed, 5, 'rate usage counts each batch item');
    const askIds = placed.orderResponse!.acks.map((a: ServerMessage) => {
      t.equal(a.status, OrderStatus.ORDER_STATUS_NEW);
      return a.orderId;
    });
    await alice.waitForCount((m) => m.body === 'executionReport', 5, 5_000, 'NEW reports');

    // Bob lifts 25 lots: 10 @101, 10 @102, 5 @103.
    const take = await bob.request({ newOrder: limitOrder('buy', 103, 25, 'take-1') });
    const takeAck = take.orderResponse!.acks[0]!;
    t.equal(takeAck.status, OrderStatus.ORDER_STATUS_FILLED, 'the taker is filled at once');
    const takerId = takeAck.orderId;
    await bob.waitForCount((m) => m.body === 'executionReport', 4, 5_000, 'taker reports');
    const bobReports = reportsOf(bob, takerId);
    t.same(
      bobReports.map((r) => [
        r.execType,
        r.orderStatus,
        r.lastPriceTicks ?? 0,
        r.lastQtyLots ?? 0,
        r.filledLots,
        r.remainingLots,
        r.isMaker,
      ]),
      [
        [ExecType.EXEC_TYPE_NEW, OrderStatus.ORDER_STATUS_NEW, 0, 0, 0, 25, false],
        [
          ExecType.EXEC_TYPE_TRADE,
          OrderStatus.ORDER_STATUS_PARTIALLY_FILLED,
          101,
          10,
          10,
          15,
          false,
        ],
        [
          ExecType.EXEC_TYPE_TRADE,
          OrderStatus.ORDER_STATUS_PARTIALLY_FILLED,
          102,
          10,
          20,
          5,
          false,
        ],
        [ExecType.EXEC_TYPE_TRADE, OrderStatus.ORDER_STATUS_FILLED, 103, 5, 25, 0, false],
      ],
      'taker: NEW then three fills, cumulative',
    );
    t.equal(
      bobReports[3]!.cumQuoteAtoms,
      10 * 101 + 10 * 102 + 5 * 103,
      'cumulative quote (1 tick x 1 lot = 1 atom)',
    );
    t.equal(bobReports[1]!.feeAssetId, 1, 'a buyer pays its fee in base');
    t.ok(bobReports.every((r) => r.clientOrderId === 'take-1'));

    await alice.waitForCount((m) => m.body === 'executionReport', 8, 5_000, 'maker fills');
    const makerFills = alice.reports().filter((r) => r.execType === ExecType.EXEC_TYPE_TRADE);
    t.same(
      makerFills.map((r) => [
        r.orderId,
        r.isMaker,
        r.orderStatus,
        r.lastQtyLots,
        r.filledLots,
        r.remainingLots,
        r.side,
      ]),
      [
        [askIds[0], true, OrderStatus.ORDER_STATUS_FILLED, 10, 10, 0, v1.Side.SIDE_SELL],
        [askIds[1], true, OrderStatus.ORDER_STATUS_FILLED, 10, 10, 0, v1.Side.SIDE_SELL],
        [askIds[2], true, OrderStatus.ORDER_STATUS_PARTIALLY_FILLED, 5, 5, 5, v1.Side.SIDE_SELL],
      ],
      'maker: each resting order filled, the third partially',
    );
    t.equal(makerFills[0]!.feeAssetId, 2, 'a seller pays its fee in quote');
    const allSeqs = [...alice.reports(), ...bob.reports()].map((r) => r.reportSeq!);
    for (const c of [alice, bob]) {
      const seqs = c.reports().map((r) => r.reportSeq!);
      t.same(
        seqs,
        [...seqs].sort((a, b) => a - b),
        'report sequences increase per account',
      );
    }
    t.equal(
      new Set(alice.reports().map((r) => r.reportSeq)).size,
      alice.reports().length,
      'unique report seqs',
    );
    t.ok(allSeqs.every((s) => Number.isSafeInteger(s) && s > 0));

    // Public trades and BBO reached the watcher.
    const trades = await watcher.waitForCount((m) => m.body === 'trade', 3, 5_000, 'public trades');
    t.same(
      trades.map((m) => [m.trade!.priceTicks, m.trade!.qtyLots, m.trade!.takerSide]),
      [
        [101, 10, v1.Side.SIDE_BUY],
        [102, 10, v1.Side.SIDE_BUY],
        [103, 5, v1.Side.SIDE_BUY],
      ],
    );
    await watcher.waitFor(
      (m) => m.body === 'bbo' && m.bbo!.askPriceTicks === 103 && m.bbo!.askQtyLots === 5,
      5_000,
      'bbo',
    );

    // Random activity from both accounts: places, amends, cancels, takers.
    let next = 0;
    const openByClient: Array<{ c: TestClient; id: number }> = [];
    for (let i = 0; i < 150; i++) {
      const c = i % 2 === 0 ? alice : bob;
      const op = i % 5;
      if (op === 3 && openByClient.length > 0) {
        const o = openByClient.splice((i * 7) % openByClient.length, 1)[0]!;
        await o.c.request({ cancelOrder: { marketId: MARKET_ID, orderId: o.id } });
      } else if (op === 4 && openByClient.length > 0) {
        const o = openByClient[(i * 3) % openByClient.length]!;
        await o.c.request({
          amendOrder: { marketId: MARKET_ID, orderId: o.id, newQtyLots: 1 + (i % 4) },
        });
      } else {
        const side = (i * 13) % 3 === 0 ? 'buy' : 'sell';
        const price = side === 'buy' ? 90 + (i % 15) : 96 + (i % 15);
        const r = await c.request({ newOrder: limitOrder(side, price, 1 + (i % 7), `r${next++}`) });
        const ack = r.orderResponse?.acks[0];
        if (ack !== undefined && ack.status === OrderStatus.ORDER_STATUS_NEW)
          openByClient.push({ c, id: ack.orderId });
      }
    }
    // The watcher's book converges to the REST book (the mirror), gap free.
    const snapshot = await watcher.request({ bookSnapshot: { marketId: MARKET_ID } });
    const target = snapshot.bookSnapshot!;
    await eventually(
      () => {
        book.sync();
        return book.seq >= target.seq;
      },
      5_000,
      'watcher catches up',
    );
    t.equal(book.gaps, 0, 'book updates never gap');
    t.ok(book.updates > 20, `many book updates (${book.updates})`);
    const mine = book.levels();
    t.same(
      mine,
      {
        bids: target.bids.map((l: ServerMessage) => [l.priceTicks, l.qtyLots]),
        asks: target.asks.map((l: ServerMessage) => [l.priceTicks, l.qtyLots]),
      },
      'local book equals a fresh snapshot',
    );
    const bids = new Map(mine.bids.map(([p, q]) => [p!, q!]));
    const asks = new Map(mine.asks.map(([p, q]) => [p!, q!]));
    t.ok(
      [...bids.keys()].every((b) => [...asks.keys()].every((a) => b < a)),
      'the book is not crossed',
    );

    // A third subscriber joining late converges to the same book.
    const late = await session('carol', ['read']);
    t.teardown(() => late.close());
    await late.request({
      subscribe: { subscriptions: [{ channel: Channel.CHANNEL_BOOK, marketId: MARKET_ID }] },
    });
    const lateBook = new LocalBook(late);
    await alice.request({ newOrder: limitOrder('buy', 80, 3, 'late-1') });
    await alice.request({ newOrder: limitOrder('sell', 200, 4, 'late-2') });
    const end = (await watcher.request({ bookSnapshot: { marketId: MARKET_ID } })).bookSnapshot!;
    await eventually(
      () => {
        lateBook.sync();
        book.sync();
        return lateBook.seq >= end.seq && book.seq >= end.seq;
      },
      5_000,
      'both books reach the end',
    );
    t.same(lateBook.levels(), book.levels(), 'the late joiner converges to the same book');
    t.equal(lateBook.gaps, 0);

    // REST: the book from the mirror in decimal strings (tick 1 USD, lot 0.01 BTC).
    const res = await fetch(`${env.gateway.url}/api/v1/markets/BTC-USD/book?depth=500`);
    t.equal(res.status, 200);
    const rest = (await res.json()) as {
      seq: number;
      bids: Array<{ price: string; quantity: string }>;
      asks: Array<{ price: string; quantity: string }>;
    };
    t.equal(rest.seq, end.seq);
    t.same(
      rest.bids.map((l) => [l.price, l.quantity]),
      end.bids.map((l: ServerMessage) => [String(l.priceTicks), (l.qtyLots / 100).toString()]),
      'REST bids: decimal strings',
    );
    const restTrades = (await (
      await fetch(`${env.gateway.url}/api/v1/markets/btc-usd/trades?limit=3`)
    ).json()) as {
      trades: Array<{ price: string; quantity: string; takerSide: string; tradeId: number }>;
    };
    t.equal(restTrades.trades.length, 3);
    t.ok(restTrades.trades[0]!.tradeId > restTrades.trades[1]!.tradeId, 'newest trade first');
  },
);

t.test(
  'a reconnecting client replays the reports it missed, in order, before new ones',
  async (t) => {
    const key = await env.addKey(env.user('bob'));
    const logon = async (): Promise<[TestClient, ServerMessage]> => {
      const c = await TestClient.connect(env.gateway.wsUrl);
      const ack = await c.logon({ apiKeyPrefix: key.prefix, apiSecret: key.secret });
      return [c, ack];
    };
    const [first, ack1] = await logon();
    const [steady] = await logon(); // stays connected: what a client that never left saw
    t.teardown(() => steady.close());
    for (const c of [first, steady])
      await c.request({ subscribe: { subscriptions: [{ channel: Channel.CHANNEL_REPORTS }] } });
    const alice = await session('alice');
    t.teardown(() => alice.close());
    // Start from an empty book: both accounts cancel everything the first test left.
    for (const c of [alice, steady]) {
      const r = await c.request({ cancelAll: { marketId: 0 } });
      t.equal(r.body, 'orderResponse');
    }
    const rest = await first.request({ newOrder: limitOrder('buy', 50, 20, 'replay-bid') });
    const bidId = rest.orderResponse!.acks[0]!.orderId;
    const seenBefore = await first.waitFor(
      (m) => m.body === 'executionReport' && m.executionReport!.orderId === bidId,
    );
    const lastSeen = seenBefore.executionReport!.reportSeq;
    t.ok(ack1.logonAck!.lastReportSeq < lastSeen);
    first.close();
    await first.ws.closed;

    // While bob is away: alice hits his bid three times; bob's order is amended by... nobody, then canceled by the other session.
    for (const q of [3, 4, 5])
      await alice.request({
        newOrder: limitOrder('sell', 50, q, '', { timeInForce: v1.TimeInForce.TIME_IN_FORCE_IOC }),
      });
    await steady.request({ cancelOrder: { marketId: MARKET_ID, clientOrderId: 'replay-bid' } });
    const missed = await steady.waitForCount(
      (m) =>
        m.body === 'executionReport' &&
        m.executionReport!.orderId === bidId &&
        m.executionReport!.reportSeq > lastSeen,
      4,
      5_000,
      'reports while away',
    );

    const [again, ack2] = await logon();
    t.teardown(() => again.close());
    t.ok(
      ack2.logonAck!.lastReportSeq >= missed[3]!.executionReport!.reportSeq,
      'logon ack names the newest report',
    );
    await again.request({ subscribe: { subscriptions: [{ channel: Channel.CHANNEL_REPORTS }] } });
    const replayId = again.send({ replayReports: { afterReportSeq: lastSeen } });
    // A new report of the account arrives while the replay runs: it must come after the replayed ones.
    steady.send({ newOrder: limitOrder('buy', 30, 1, 'during-replay') });
    const done = await again.waitFor(
      (m) => m.requestId === replayId && m.body === 'replayReports',
      10_000,
      'replay response',
    );
    const live = await again.waitFor(
      (m) =>
        m.body === 'executionReport' &&
        m.requestId === 0 &&
        m.executionReport!.clientOrderId === 'during-replay',
      5_000,
      'live report',
    );
    if (live.executionReport!.reportSeq > done.replayReports!.lastReportSeq) {
      t.ok(
        again.all().indexOf(live) > again.all().indexOf(done),
        'a report newer than the replay follows it',
      );
    }
    const replayed = again
      .all()
      .filter((m) => m.requestId === replayId && m.body === 'executionReport')
      .map((m) => m.executionReport!);
    const expected = steady
      .reports()
      .filter((r) => r.reportSeq! > lastSeen && r.reportSeq! <= done.replayReports!.lastReportSeq);
    t.same(
      replayed.map((r) =>
        exchange.v1.ExecutionReport.toObject(exchange.v1.ExecutionReport.fromObject(r)),
      ),
      expected.map((r) =>
        exchange.v1.ExecutionReport.toObject(exchange.v1.ExecutionReport.fromObject(r)),
      ),
      'replayed reports equal what a connected session received, field for field',
    );
    t.equal(done.replayReports!.count, expected.length);
    t.equal(done.replayReports!.firstReportSeq, expected[0]!.reportSeq);
    t.same(
      replayed.map((r) => [r.execType, r.filledLots, r.orderStatus]),
      [
        [ExecType.EXEC_TYPE_TRADE, 3, OrderStatus.ORDER_STATUS_PARTIALLY_FILLED],
        [ExecType.EXEC_TYPE_TRADE, 7, OrderStatus.ORDER_STATUS_PARTIALLY_FILLED],
        [ExecType.EXEC_TYPE_TRADE, 12, OrderStatus.ORDER_STATUS_PARTIALLY_FILLED],
        [ExecType.EXEC_TYPE_CANCELED, 12, OrderStatus.ORDER_STATUS_CANCELED],
      ],
      'cumulative state rebuilt from the journal',
    );
    const all = again.all();
    const idxDone = all.indexOf(done);
    t.ok(
      all.every(
        (m, i) =>
          !(
            m.body === 'executionReport' &&
            m.requestId === 0 &&
            m.executionReport!.reportSeq <= done.replayReports!.lastReportSeq &&
            i > idxDone
          ),
      ),
      'no live report older than the replay comes after it',
    );
    t.equal(Math.floor(lastSeen / REPORT_SEQ_MULTIPLIER) > 0, true);

    // Order status by client order id (the query a client makes after ENGINE_TIMEOUT).
    const st = await steady.request({
      orderStatus: { marketId: MARKET_ID, clientOrderId: 'no-such-order' },
    });
    t.equal(st.orderStatus?.found, false);
    const resting = await steady.request({ newOrder: limitOrder('buy', 40, 2, 'status-me') });
    const st2 = await steady.request({
      orderStatus: { marketId: MARKET_ID, clientOrderId: 'status-me' },
    });
    t.equal(st2.orderStatus?.found, true);
    t.equal(st2.orderStatus!.order!.orderId, resting.orderResponse!.acks[0]!.orderId);
    t.equal(st2.orderStatus!.order!.remainingLots, 2);
  },
);

t.test('REST: markets, assets, time, health, metrics and JSON errors', async (t) => {
  const get = async (path: string, init?: RequestInit) => {
    const r = await fetch(`${env.gateway.url}${path}`, init);
    return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
  };
  const markets = await get('/api/v1/markets');
  t.equal(markets.status, 200);
  t.same(JSON.parse(markets.body).markets[0], {
    symbol: 'BTC-USD',
    marketId: 1,
    shardId: 0,
    baseAsset: 'BTC',
    quoteAsset: 'USD',
    status: 'active',
    tickSize: '1',
    lotSize: '0.01',
    minQuantity: '0.01',
    minNotional: '0.01',
    priceBandBps: 1000,
  });
  const assets = JSON.parse((await get('/api/v1/assets')).body).assets;
  t.same(
    assets.map((a: { symbol: string; precision: number }) => [a.symbol, a.precision]),
    [
      ['BTC', 8],
      ['USD', 2],
    ],
  );
  const time = JSON.parse((await get('/api/v1/time')).body);
  t.ok(Math.abs(time.serverTimeUs / 1000 - Date.now()) < 5_000);
  const health = await get('/api/v1/health');
  t.equal(health.status, 200, health.body);
  t.match(JSON.parse(health.body), {
    status: 'ok',
    postgres: true,
    redis: true,
    engine: [{ shardId: 0, up: true, synced: true }],
  });
  const metrics = await get('/metrics');
  t.equal(metrics.status, 200);
  for (const name of [
    'gateway_sessions',
    'gateway_messages_in_total',
    'gateway_messages_out_total',
    'gateway_rejects_total',
    'gateway_engine_round_trip_seconds_bucket{le="+Inf"}',
    'gateway_slow_consumer_resyncs_total',
    'gateway_slow_consumer_disconnects_total',
  ]) {
    t.ok(metrics.body.includes(name), name);
  }
  const notFound = await get('/api/v1/nope');
  t.equal(notFound.status, 404);
  t.equal(JSON.parse(notFound.body).code, 'NOT_FOUND');
  t.equal((await get('/api/v1/markets/ETH-USD/book')).status, 404);
  const badDepth = await get('/api/v1/markets/BTC-USD/book?depth=zero');
  t.equal(badDepth.status, 400);
  t.equal(JSON.parse(badDepth.body).code, 'BAD_REQUEST');
  const post = await get('/api/v1/markets', { method: 'POST', body: '{}' });
  t.equal(post.status, 405);
  t.equal(JSON.parse(post.body).code, 'METHOD_NOT_ALLOWED');
});
