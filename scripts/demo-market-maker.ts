// `npm run demo:mm`: the demo market maker (client/examples/market-maker.ts)
// against the local exchange started by `npm start`.
//
// Credentials: EXCHANGE_API_KEY + EXCHANGE_API_SECRET when set; otherwise it
// bootstraps itself through the admin functions (Postgres + engine link of
// this machine): a funded market-maker account mm@example.com on the
// "market-maker" fee tier and a fresh API key for this run, revoked on exit.
// Ctrl-C cancels its quotes and exits.
import {
  CancelOnDisconnect,
  ExchangeClient,
  fetchMarkets,
  type MarketSpec,
  restUrlOf,
} from '../client';
import { MarketMaker } from '../client/examples/market-maker';
import { loadConfig } from '../common/config';
import {
  AdminError,
  createApiKey,
  DEMO_MARKETS,
  ensureDemoTrader,
  listMarkets,
  openContext,
  parseFlags,
  revokeApiKey,
} from './admin';

const HELP = `usage: npm run demo:mm -- [options]

  --market <SYMBOL>       market to quote (default BTC-USDT)
  --mid <price>           starting fair price (default: 60000 for BTC-USDT, 3000 for ETH-USDT)
  --levels <n>            levels per side (default 3)
  --half-spread <price>   distance of the first level from the fair price (default 10 ticks)
  --step <price>          distance between levels (default 5 ticks)
  --qty <quantity>        size per level (default 10 lots)
  --url <ws url>          gateway (default ws://GATEWAY_HOST:GATEWAY_PORT/ws)

Credentials from EXCHANGE_API_KEY and EXCHANGE_API_SECRET, else a temporary key
for mm@example.com is created (and revoked on exit).`;

const DEFAULT_MID: Record<string, string> = { 'BTC-USDT': '60000', 'ETH-USDT': '3000' };

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.has('help')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const get = (name: string): string | undefined => {
    const v = flags.get(name);
    if (v === true) throw new AdminError(`--${name} needs a value`, 2);
    return v;
  };
  const known = new Set(['market', 'mid', 'levels', 'half-spread', 'step', 'qty', 'url']);
  for (const f of flags.keys())
    if (!known.has(f)) throw new AdminError(`unknown option --${f} (see --help)`, 2);
  const config = loadConfig();
  const symbol = (get('market') ?? 'BTC-USDT').toUpperCase();
  const url =
    get('url') ??
    `ws://${config.gatewayHost === '0.0.0.0' ? '127.0.0.1' : config.gatewayHost}:${config.gatewayPort}/ws`;
  const log = (line: string): void => {
    process.stdout.write(`[mm ${new Date().toISOString().slice(11, 23)}] ${line}\n`);
  };

  let apiKey = process.env.EXCHANGE_API_KEY;
  let apiSecret = process.env.EXCHANGE_API_SECRET;
  let spec: MarketSpec | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  const ctx = openContext(config);
  try {
    // Market sizes from the gateway's REST API, else from Postgres.
    spec = (await fetchMarkets(restUrlOf(url)).catch(() => [])).find((x) => x.symbol === symbol);
    const m =
      spec === undefined
        ? (await listMarkets(ctx.sql).catch(() => [])).find((x) => x.symbol === symbol)
        : undefined;
    if (m !== undefined) {
      spec = {
        marketId: m.engineMarketId,
        symbol,
        tickSize: m.tickSize,
        lotSize: m.lotSize,
        baseDecimals: m.baseAsset.precision,
        quoteDecimals: m.quoteAsset.precision,
      };
    }
    if (apiKey === undefined || apiSecret === undefined) {
      log(
        'no EXCHANGE_API_KEY/EXCHANGE_API_SECRET: bootstrapping mm@example.com with a temporary key',
      );
      await ensureDemoTrader(ctx, { email: 'mm@example.com', feeTier: 'market-maker' });
      const key = await createApiKey(ctx, {
        email: 'mm@example.com',
        label: 'demo-mm (temporary)',
        ordersPer10s: 100_000,
        maxSessions: 5,
      });
      apiKey = key.prefix;
      apiSecret = key.secret;
      cleanup = async () => {
        await revokeApiKey(ctx, key.prefix).catch(() => undefined);
      };
    }
  } catch (err) {
    await ctx.close().catch(() => undefined);
    throw err;
  }
  if (spec === undefined) {
    const d = DEMO_MARKETS.find((x) => x.symbol === symbol);
    if (d === undefined)
      throw new AdminError(`unknown market ${symbol} (and Postgres does not list it)`, 2);
    const decimals: Record<string, number> = { BTC: 8, USDT: 6, ETH: 8 };
    const [b, q] = symbol.split('-') as [string, string];
    spec = {
      marketId: d.engineMarketId!,
      symbol,
      tickSize: d.tickSize,
      lotSize: d.lotSize,
      baseDecimals: decimals[b]!,
      quoteDecimals: decimals[q]!,
    };
  }

  const client = new ExchangeClient({
    url,
    apiKey,
    apiSecret,
    markets: [spec],
    cancelOnDisconnect: CancelOnDisconnect.CANCEL_ON_DISCONNECT_SESSION,
  });
  client.on('error', (err) => log(`error: ${err.message}`));
  client.on('disconnect', (d) =>
    log(
      `disconnected (${d.code}${d.reason ? ` ${d.reason}` : ''})${d.willReconnect ? ', reconnecting' : ''}`,
    ),
  );
  client.on('logon', (ack, again) =>
    log(`${again ? 're' : ''}logged on: account ${ack.accountId}, session ${ack.sessionId}`),
  );
  const units = client.market(spec.marketId);
  const midText = get('mid') ?? DEFAULT_MID[symbol];
  if (midText === undefined) throw new AdminError(`--mid is required for ${symbol}`, 2);
  const halfSpread = get('half-spread');
  const step = get('step');
  const qty = get('qty');
  const levels = get('levels');
  const mm = new MarketMaker(client, {
    marketId: spec.marketId,
    fairPriceTicks: units.priceToTicks(midText),
    ...(levels === undefined ? {} : { levels: Number(levels) }),
    ...(halfSpread === undefined ? {} : { halfSpreadTicks: units.priceToTicks(halfSpread) }),
    ...(step === undefined ? {} : { stepTicks: units.priceToTicks(step) }),
    ...(qty === undefined ? {} : { qtyLots: units.qtyToLots(qty) }),
    skewTicksPerLot: 0.1,
    log,
  });

  const stop = async (why: string): Promise<void> => {
    log(`${why}: cancelling quotes`);
    await mm.stop();
    await client.close({ cancelAll: true });
    await cleanup?.();
    await ctx.close().catch(() => undefined);
    log(
      `stopped (${mm.stats.requotes} requotes, ${mm.stats.fills} fills, position ${units.lotsToQty(mm.stats.positionLots)})`,
    );
  };
  try {
    log(`connecting to ${url}, quoting ${symbol} around ${midText}`);
    await client.connect();
    await mm.start();
  } catch (err) {
    await stop('start failed').catch(() => undefined);
    throw err;
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (sig: string): void => {
      if (stopping) process.exit(130);
      stopping = true;
      void stop(sig).finally(resolve);
    };
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
  });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo:mm: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof AdminError ? err.exitCode : 1);
  },
);
