// The SDK against the real thing: a fresh Postgres database seeded by the
// admin functions (scripts/admin.ts: assets, markets, fee tiers, funded
// accounts, API keys, deposits through the engine), a private redis-server,
// the engine process (dist, built on demand) and the gateway in-process.
// The demo market maker quotes; a taker trades against it through its local
// book; reports replay after a reconnect; signed logon; dead-man's switch.
import t from 'tap';
import { loadConfig } from '../../common/config';
import {
  buildEngineOnce,
  type EngineHandle,
  type PrivateRedis,
  startEngine,
  startRedis,
} from '../../engine/process/harness';
import { type GatewayHandle, startGateway } from '../../gateway';
import {
  type AdminContext,
  connectEngine,
  createApiKey,
  type EngineCommands,
  ensureDemoTrader,
  listMarkets,
  seedReferenceData,
} from '../../scripts/admin';
import { createTestDatabase, type TestDatabase } from '../../sql';
import { ExchangeClient, type ExchangeClientOptions } from '../client';
import { MarketMaker } from '../examples/market-maker';
import {
  CancelReason,
  ExecType,
  type ExecutionReport,
  OrderStatus,
  RejectReason,
  Side,
  TimeInForce,
} from '../protocol';
import { generateEd25519KeyPair } from '../signing';
import type { MarketSpec } from '../units';

let db: TestDatabase;
let redis: PrivateRedis;
let engine: EngineHandle;
let gateway: GatewayHandle;
let link: EngineCommands | undefined;
let ctx: AdminContext;
let btc: MarketSpec;
const clients: ExchangeClient[] = [];

function waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const iv = setInterval(() => {
      if (cond()) {
        clearInterval(iv);
        resolve();
      } else if (Date.now() - t0 > timeoutMs) {
        clearInterval(iv);
        reject(new Error(`timed out waiting for ${what}`));
      }
    }, 5);
  });
}

async function trader(
  email: string,
  opts: Partial<ExchangeClientOptions> = {},
  feeTier?: string,
): Promise<ExchangeClient> {
  await ensureDemoTrader(ctx, { email, ...(feeTier === undefined ? {} : { feeTier }) });
  const key = await createApiKey(ctx, { email, ordersPer10s: 100_000, maxSessions: 10 });
  const c = new ExchangeClient({
    url: gateway.wsUrl,
    apiKey: key.prefix,
    apiSecret: key.secret,
    markets: [btc],
    requestTimeoutMs: 5000,
    autoReconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    ...opts,
  });
  c.on('error', () => {});
  clients.push(c);
  return c;
}

async function setUp(): Promise<void> {
  buildEngineOnce();
  redis = await startRedis();
  db = await createTestDatabase('client_e2e');
  engine = await startEngine({ REDIS_URL: redis.url });
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    ENGINE_PORT: String(engine.port),
    ENGINE_SOCKET: '',
  });
  ctx = {
    sql: db.sql,
    config,
    engine: async () => {
      link ??= await connectEngine(config, 'client-e2e');
      return link;
    },
  };
  await seedReferenceData(ctx, 1);
  const m = (await listMarkets(db.sql)).find((x) => x.symbol === 'BTC-USDT')!;
  btc = {
    marketId: m.engineMarketId,
    symbol: m.symbol,
    tickSize: m.tickSize,
    lotSize: m.lotSize,
    baseDecimals: m.baseAsset.precision,
    quoteDecimals: m.quoteAsset.precision,
  };
  gateway = await startGateway({
    config: {
      databaseUrl: db.url,
      redisUrl: redis.url,
      enginePort: engine.port,
      engineSocketPath: undefined,
      gatewayHost: '127.0.0.1',
      gatewayPort: 0,
      logLevel: 'silent',
    },
    env: {},
    logger: (await import('pino')).default({ level: 'silent' }),
    waitForEngineMs: 15_000,
  });
}

// The root test ends only when the process would exit, which the live
// engine, Redis and gateway prevent: keep everything inside one parent test
// whose teardown stops them.
t.test('SDK end to end', async (t) => {
  t.teardown(async () => {
    for (const c of clients) await c.close({ timeoutMs: 500 }).catch(() => undefined);
    await gateway?.close();
    await link?.close();
    await engine?.kill('SIGTERM');
    await redis?.stop();
    await db?.drop();
  });
  await setUp();

  t.test(
    'the demo market maker quotes; a taker sees it in its book and trades against it',
    async (t) => {
      const mmClient = await trader('mm@example.com', {}, 'market-maker');
      await mmClient.connect();
      const mm = new MarketMaker(mmClient, {
        marketId: btc.marketId,
        fairPriceTicks: mmClient.market(btc.marketId).priceToTicks('60000'),
        levels: 3,
        halfSpreadTicks: 100,
        stepTicks: 50,
        qtyLots: 10,
        minRequoteMs: 50,
      });
      await mm.start();
      t.equal(mm.stats.ordersPlaced, 6, 'three levels each side');

      const taker = await trader('taker@example.com');
      const fills: ExecutionReport[] = [];
      taker.on('executionReport', (r) => {
        if (r.execType === ExecType.EXEC_TYPE_TRADE) fills.push(r);
      });
      await taker.connect();
      const book = await taker.subscribeBook(btc.marketId);
      await waitFor(
        () => book.bids.size === 3 && book.asks.size === 3,
        5000,
        'the quotes in the book',
      );
      const loaded = await taker.loadMarkets(); // GET /api/v1/markets + /api/v1/assets
      t.same(
        loaded.map((m) => [m.symbol, m.tickSize, m.lotSize, m.baseDecimals, m.quoteDecimals]),
        [
          ['BTC-USDT', '0.01', '0.0001', 8, 6],
          ['ETH-USDT', '0.01', '0.001', 8, 6],
        ],
      );
      const u = taker.market('BTC-USDT');
      t.equal(u.ticksToPrice(book.bestAsk()), '60001');
      t.equal(u.ticksToPrice(book.bestBid()), '59999');
      t.equal(book.asks.at(0)?.qtyLots, 10);

      // Take 15 lots: the best ask (10) and half the next level (5).
      const ack = await taker.placeOrder({
        marketId: btc.marketId,
        side: Side.SIDE_BUY,
        priceTicks: u.priceToTicks('60001.50'),
        qtyLots: u.qtyToLots('0.0015'),
        timeInForce: TimeInForce.TIME_IN_FORCE_IOC,
        clientOrderId: 'take-1',
      });
      t.equal(ack.rejectReason, RejectReason.REJECT_REASON_UNKNOWN, 'accepted');
      t.ok(ack.orderId > 0);
      await waitFor(() => fills.length === 2, 5000, 'two fills');
      t.same(
        fills.map((f) => [f.lastPriceTicks, f.lastQtyLots]),
        [
          [u.priceToTicks('60001'), 10],
          [u.priceToTicks('60001.50'), 5],
        ],
        'price-time priority, maker prices',
      );
      t.equal(fills[1]!.orderStatus, OrderStatus.ORDER_STATUS_FILLED);
      t.equal(fills[1]!.filledLots, 15);
      t.ok(fills[0]!.feeAtoms > 0, 'the taker pays a fee');
      await waitFor(() => mm.stats.fills >= 2, 5000, 'the market maker hears of its fills');
      t.equal(mm.stats.positionLots, -15, 'the market maker sold 15 lots');
      // It requotes around the last trade price.
      await waitFor(
        () => mm.stats.requotes >= 2 && book.asks.size === 3 && book.bids.size === 3,
        5000,
        'a requote',
      );
      t.notOk(book.isCrossed());

      const status = await taker.orderStatus({ marketId: btc.marketId, clientOrderId: 'take-1' });
      t.equal(status.found, true);
      t.equal(status.order?.orderStatus, OrderStatus.ORDER_STATUS_FILLED);

      await mm.stop();
      await waitFor(
        () => book.asks.size === 0 && book.bids.size === 0,
        5000,
        'the quotes cancelled on stop',
      );
    },
  );

  t.test('execution reports missed while disconnected are replayed in order', async (t) => {
    const a = await trader('replay@example.com');
    const seen: number[] = [];
    a.on('executionReport', (r) => seen.push(r.reportSeq));
    await a.connect();
    // A second session of the same account keeps trading while the first is away.
    const key = await createApiKey(ctx, { email: 'replay@example.com', ordersPer10s: 100_000 });
    const b = new ExchangeClient({
      url: gateway.wsUrl,
      apiKey: key.prefix,
      apiSecret: key.secret,
      autoReconnect: false,
    });
    clients.push(b);
    await b.connect();
    const place = (client: ExchangeClient, price: number) =>
      client.placeOrder({
        marketId: btc.marketId,
        side: Side.SIDE_BUY,
        priceTicks: price,
        qtyLots: 1,
      });
    await place(a, 4_000_000);
    await waitFor(() => seen.length === 1, 5000, 'the first report');
    const before = a.lastReportSeq;
    let relogons = 0;
    a.on('logon', (_ack, again) => {
      if (again) relogons++;
    });
    // Drop A's socket without a close frame.
    (a as unknown as { ws: { terminate(): void } }).ws.terminate();
    for (let i = 1; i <= 5; i++) await place(b, 4_000_000 + i);
    await waitFor(
      () => relogons === 1 && a.lastReportSeq >= before + 5,
      10_000,
      'reconnect and replay',
    );
    await place(a, 4_000_100);
    await waitFor(() => a.lastReportSeq >= before + 6, 5000, 'a live report after the replay');
    // The gateway numbers reports engine seq * 4096 + ordinal: increasing, with gaps.
    t.ok(
      seen.every((s, i) => i === 0 || s > seen[i - 1]!),
      'in increasing report_seq order, none twice',
    );
    t.equal(seen.length, 7, 'one report per order: 1 before, 5 while away (replayed), 1 after');
    await a.cancelAll(btc.marketId);
  });

  t.test('Ed25519 signed logon and the dead-man switch', async (t) => {
    await ensureDemoTrader(ctx, { email: 'signed@example.com' });
    const pair = generateEd25519KeyPair();
    const key = await createApiKey(ctx, {
      email: 'signed@example.com',
      ed25519PublicKey: pair.publicKeyRaw,
    });
    const c = new ExchangeClient({
      url: gateway.wsUrl,
      apiKey: key.prefix,
      privateKey: pair.privateKeyPem,
      autoReconnect: false,
    });
    c.on('error', () => {});
    clients.push(c);
    const reports: ExecutionReport[] = [];
    c.on('executionReport', (r) => reports.push(r));
    const ack = await c.connect();
    t.ok(ack.accountId >= 1000, 'logged on with a signature');
    const placed = await c.placeOrder({
      marketId: btc.marketId,
      side: Side.SIDE_SELL,
      priceTicks: 9_000_000,
      qtyLots: 2,
    });
    t.equal(placed.rejectReason, 0);
    const armed = await c.armDeadManSwitch(1000);
    t.ok(armed.firesAtUs > 0);
    await waitFor(
      () =>
        reports.some(
          (r) => r.execType === ExecType.EXEC_TYPE_CANCELED && r.orderId === placed.orderId,
        ),
      5000,
      "the dead-man's switch cancel",
    );
    const cancel = reports.find((r) => r.execType === ExecType.EXEC_TYPE_CANCELED)!;
    t.equal(cancel.cancelReason, CancelReason.CANCEL_REASON_DEAD_MAN_SWITCH);
  });
});
