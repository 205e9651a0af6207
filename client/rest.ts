// Reference data over the gateway's public REST API (GET /api/v1/markets and
// /api/v1/assets): each market's tick and lot sizes with its assets'
// decimals, as MarketSpec values for MarketUnits.
import { ClientError } from './errors';
import type { MarketSpec } from './units';

/** A market as GET /api/v1/markets describes it, with its assets' decimals. */
export interface MarketInfo extends MarketSpec {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly status: string;
  readonly minQuantity: string;
  readonly minNotional: string;
  readonly priceBandBps: number;
}

/** http(s)://host:port of the gateway serving a ws(s)://host:port/ws URL. */
export function restUrlOf(wsUrl: string): string {
  const u = new URL(wsUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = '/';
  u.search = '';
  return u.toString().replace(/\/$/, '');
}

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new ClientError('E_NOT_CONNECTED', `GET ${url}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!res.ok) throw new ClientError('E_PROTOCOL', `GET ${url}: HTTP ${res.status}`);
  return res.json();
}

/**
 * Every market of the exchange with what decimal conversion needs.
 * `baseUrl` is the gateway's http(s)://host:port (see restUrlOf()).
 */
export async function fetchMarkets(baseUrl: string, timeoutMs = 5000): Promise<MarketInfo[]> {
  const root = baseUrl.replace(/\/$/, '');
  const [m, a] = (await Promise.all([
    getJson(`${root}/api/v1/markets`, timeoutMs),
    getJson(`${root}/api/v1/assets`, timeoutMs),
  ])) as [
    { markets?: Array<Record<string, unknown>> },
    { assets?: Array<{ symbol: string; precision: number }> },
  ];
  const decimals = new Map((a.assets ?? []).map((x) => [x.symbol, x.precision]));
  return (m.markets ?? []).map((x) => {
    const base = String(x.baseAsset);
    const quote = String(x.quoteAsset);
    const bd = decimals.get(base);
    const qd = decimals.get(quote);
    if (bd === undefined || qd === undefined) {
      throw new ClientError(
        'E_PROTOCOL',
        `market ${String(x.symbol)}: asset ${bd === undefined ? base : quote} not listed`,
      );
    }
    return {
      marketId: Number(x.marketId),
      symbol: String(x.symbol),
      baseAsset: base,
      quoteAsset: quote,
      status: String(x.status),
      tickSize: String(x.tickSize),
      lotSize: String(x.lotSize),
      minQuantity: String(x.minQuantity),
      minNotional: String(x.minNotional),
      priceBandBps: Number(x.priceBandBps),
      baseDecimals: bd,
      quoteDecimals: qd,
    };
  });
}
