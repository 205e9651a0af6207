// Public REST (JSON) on the gateway's port:
//   GET /api/v1/markets                      markets (decimal strings for sizes)
//   GET /api/v1/assets                       assets
//   GET /api/v1/markets/:symbol/book?depth=N L2 book from the mirror (decimal strings)
//   GET /api/v1/markets/:symbol/trades?limit=N  recent public trades (newest first)
//   GET /api/v1/time                         server time
//   GET /api/v1/health                       engine links, Postgres, Redis (503 when one is down)
//   GET /metrics                             Prometheus text
// Errors are {"code": "...", "message": "..."} with 400, 404, 405 or 503.
// Markets and assets come from Postgres (re-read when the cached copy is
// older than a second). Asynchronous handlers register onAborted and cork
// their writes, as uWS requires.
import type { exchange } from '../proto';
import { nowUs } from './clock';
import type { Gateway } from './gateway';
import { REST_BOOK_DEFAULT_DEPTH, REST_BOOK_MAX_DEPTH, TRADE_RING_SIZE } from './limits';
import { type MarketInfo, priceString, qtyString } from './reference-data';
import type { HttpRequest, HttpResponse } from './uws';

const JSON_TYPE = 'application/json';

function sendJson(res: HttpResponse, status: string, body: unknown): void {
  res.cork(() => {
    res
      .writeStatus(status)
      .writeHeader('Content-Type', JSON_TYPE)
      .writeHeader('Cache-Control', 'no-store')
      .end(JSON.stringify(body));
  });
}

function sendError(
  res: HttpResponse,
  status: string,
  code: string,
  message: string,
  extraHeader?: [string, string],
): void {
  res.cork(() => {
    res.writeStatus(status).writeHeader('Content-Type', JSON_TYPE);
    if (extraHeader !== undefined) res.writeHeader(extraHeader[0], extraHeader[1]);
    res.end(JSON.stringify({ code, message }));
  });
}

/** Runs an async handler with onAborted registered; the response is skipped if the client went away. */
function asyncRoute(
  handler: (req: {
    url: string;
    query: (k: string) => string;
    param: (i: number) => string;
  }) => Promise<[string, unknown]>,
): (res: HttpResponse, req: HttpRequest) => void {
  return (res, req) => {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    // HttpRequest is only valid inside this callback: copy what the handler needs.
    const url = req.getUrl();
    const params = [req.getParameter(0), req.getParameter(1)];
    const queries = new URLSearchParams(req.getQuery() ?? '');
    handler({ url, query: (k) => queries.get(k) ?? '', param: (i) => params[i] ?? '' }).then(
      ([status, body]) => {
        if (!aborted) sendJson(res, status, body);
      },
      (err: unknown) => {
        if (!aborted)
          sendError(res, '503 Service Unavailable', 'UNAVAILABLE', (err as Error).message);
      },
    );
  };
}

function marketJson(m: MarketInfo): Record<string, unknown> {
  return {
    symbol: m.symbol,
    marketId: m.marketId,
    shardId: m.shardId,
    baseAsset: m.baseAsset,
    quoteAsset: m.quoteAsset,
    status: m.status,
    tickSize: m.tickSize.toFixed(),
    lotSize: m.lotSize.toFixed(),
    minQuantity: m.minQuantity.toFixed(),
    minNotional: m.minNotional.toFixed(),
    priceBandBps: m.priceBandBps,
  };
}

function parseBoundedInt(text: string, fallback: number, max: number): number | undefined {
  if (text === '') return fallback;
  if (!/^\d{1,9}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= max ? n : undefined;
}

const SIDE_NAMES: Record<number, string> = { 1: 'buy', 2: 'sell' };

export function registerRest(gw: Gateway): void {
  const app = gw.app;
  let refreshedAt = 0;
  let refreshing: Promise<void> | undefined;
  const freshReference = async (): Promise<void> => {
    if (Date.now() - refreshedAt < 1_000) return;
    refreshing ??= gw.refData.refresh().finally(() => {
      refreshedAt = Date.now();
      refreshing = undefined;
    });
    await refreshing;
  };

  const methodGuard = (path: string): void => {
    app.any(path, (res, req) => {
      const method = req.getMethod();
      if (method === 'get') {
        req.setYield(true);
        return;
      }
      sendError(
        res,
        '405 Method Not Allowed',
        'METHOD_NOT_ALLOWED',
        `${method.toUpperCase()} is not allowed here`,
        ['Allow', 'GET'],
      );
    });
  };

  app.get(
    '/api/v1/markets',
    asyncRoute(async () => {
      await freshReference();
      return ['200 OK', { markets: gw.refData.markets().map(marketJson) }];
    }),
  );

  app.get(
    '/api/v1/assets',
    asyncRoute(async () => {
      await freshReference();
      return [
        '200 OK',
        {
          assets: gw.refData.assets().map((a) => ({
            symbol: a.symbol,
            assetId: a.assetId,
            precision: a.precision,
            status: a.status,
          })),
        },
      ];
    }),
  );

  app.get('/api/v1/markets/:symbol/book', (res, req) => {
    const symbol = decodeURIComponent(req.getParameter(0) ?? '');
    const depth = parseBoundedInt(
      req.getQuery('depth') ?? '',
      REST_BOOK_DEFAULT_DEPTH,
      REST_BOOK_MAX_DEPTH,
    );
    if (depth === undefined) {
      sendError(
        res,
        '400 Bad Request',
        'BAD_REQUEST',
        `depth must be an integer in [1, ${REST_BOOK_MAX_DEPTH}]`,
      );
      return;
    }
    const market = gw.refData.marketBySymbol(symbol);
    if (market === undefined) {
      sendError(res, '404 Not Found', 'MARKET_NOT_FOUND', `no market ${JSON.stringify(symbol)}`);
      return;
    }
    const feed = gw.feeds.get(market.shardId);
    if (feed === undefined || !feed.synced) {
      sendError(
        res,
        '503 Service Unavailable',
        'ENGINE_UNAVAILABLE',
        `the book of ${market.symbol} is not available yet`,
      );
      return;
    }
    const snap = gw.marketData.snapshot(market.marketId, depth);
    const level = (l: exchange.v1.IBookLevel): Record<string, unknown> => ({
      price: priceString(market, l.priceTicks ?? 0),
      quantity: qtyString(market, l.qtyLots ?? 0),
      orders: l.orderCount ?? 0,
    });
    sendJson(res, '200 OK', {
      symbol: market.symbol,
      marketId: market.marketId,
      seq: snap.seq,
      bids: (snap.bids ?? []).map(level),
      asks: (snap.asks ?? []).map(level),
    });
  });

  app.get('/api/v1/markets/:symbol/trades', (res, req) => {
    const symbol = decodeURIComponent(req.getParameter(0) ?? '');
    const limit = parseBoundedInt(req.getQuery('limit') ?? '', 100, TRADE_RING_SIZE);
    if (limit === undefined) {
      sendError(
        res,
        '400 Bad Request',
        'BAD_REQUEST',
        `limit must be an integer in [1, ${TRADE_RING_SIZE}]`,
      );
      return;
    }
    const market = gw.refData.marketBySymbol(symbol);
    if (market === undefined) {
      sendError(res, '404 Not Found', 'MARKET_NOT_FOUND', `no market ${JSON.stringify(symbol)}`);
      return;
    }
    const trades = gw.marketData.trades(market.marketId)?.newest(limit) ?? [];
    sendJson(res, '200 OK', {
      symbol: market.symbol,
      trades: trades.map((t) => ({
        tradeId: t.tradeId,
        price: priceString(market, t.priceTicks),
        quantity: qtyString(market, t.qtyLots),
        takerSide: SIDE_NAMES[t.takerSide] ?? 'unknown',
        seq: t.engineSeq,
        timeUs: t.timeUs,
        time: new Date(Math.floor(t.timeUs / 1000)).toISOString(),
      })),
    });
  });

  app.get('/api/v1/time', (res) => {
    const us = nowUs();
    sendJson(res, '200 OK', {
      serverTimeUs: us,
      serverTime: new Date(Math.floor(us / 1000)).toISOString(),
    });
  });

  app.get(
    '/api/v1/health',
    asyncRoute(async () => {
      const timeout = <T>(p: Promise<T>): Promise<T | false> =>
        Promise.race([p, new Promise<false>((r) => setTimeout(() => r(false), 1_000).unref())]);
      const [pg, redis] = await Promise.all([
        timeout(gw.sql`select 1 as ok`.then(() => true)).catch(() => false),
        timeout(gw.redis.ping().then((r) => r === 'PONG')).catch(() => false),
      ]);
      const shards = gw.shardStatus();
      const engineOk = shards.every((s) => s.up && s.synced);
      const ok = pg === true && redis === true && engineOk;
      return [
        ok ? '200 OK' : '503 Service Unavailable',
        {
          status: ok ? 'ok' : 'degraded',
          postgres: pg === true,
          redis: redis === true,
          engine: shards,
          sessions: gw.sessions.size,
          timeUs: nowUs(),
        },
      ];
    }),
  );

  app.get('/metrics', (res) => {
    res.cork(() => {
      res
        .writeStatus('200 OK')
        .writeHeader('Content-Type', 'text/plain; version=0.0.4')
        .end(gw.metrics.render());
    });
  });

  for (const path of [
    '/api/v1/markets',
    '/api/v1/assets',
    '/api/v1/markets/:symbol/book',
    '/api/v1/markets/:symbol/trades',
    '/api/v1/time',
    '/api/v1/health',
    '/metrics',
  ]) {
    methodGuard(path);
  }

  app.any('/*', (res, req) => {
    sendError(
      res,
      '404 Not Found',
      'NOT_FOUND',
      `no route for ${req.getMethod().toUpperCase()} ${req.getUrl()}`,
    );
  });
}
