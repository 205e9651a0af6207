// `npm run admin -- <command> [options]`: operator tasks until the REST
// account API exists. Identity and reference data live in Postgres; the engine
// hears of assets, markets, accounts, fee rates and deposits only through
// journaled commands sent over the engine link. Every operation is
// idempotent: rows are upserted by their natural key and the engine's
// "already exists" / "duplicate reference" answers count as success, so a
// re-run (or `sync-engine` after a journal loss) converges.
//
// The functions are exported for scripts/start.ts, the demo market maker and
// bench/gateway; main() is the CLI.
import { createPublicKey, randomBytes, scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import Decimal from 'decimal.js';
import postgres, { type Sql } from 'postgres';
import { generateEd25519KeyPair, marketScales } from '../client';
import { type Config, loadConfig } from '../common/config';
import {
  MAX_MAKER_FEE_BPS,
  MAX_PRICE_BAND_BPS,
  MAX_TAKER_FEE_BPS,
  MIN_MAKER_FEE_BPS,
} from '../engine/constants';
import { hashApiSecret } from '../gateway/api-keys';
import { exchange } from '../proto';
import { LinkClient } from '../proto/link-client';
import { defaultMigrationsDir, migrate } from '../sql';
import { describeDatabase } from '../sql/migrate-cli';

const v1 = exchange.v1;
const RR = v1.RejectReason;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

// ---------------------------------------------------------------------------
// errors and output

/** A failure the CLI reports as one line with an exit code (1 = failed, 2 = usage, 3 = unreachable). */
export class AdminError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

function rejectName(reason: number): string {
  return v1.RejectReason[reason] ?? String(reason);
}

// ---------------------------------------------------------------------------
// the engine link

/** What admin needs from an engine link. */
export interface EngineCommands {
  /** Sends one command; resolves with the engine's result once it is journaled. */
  command(command: exchange.v1.ICommand): Promise<exchange.v1.CommandResult>;
  /** The shard the link talks to. */
  readonly shardId: number;
  /** The engine's last journaled seq when the link was opened. */
  readonly lastSeq: number;
  close(): Promise<void>;
}

/** Where the engine link listens (from common/config). */
export function engineAddress(config: Config): string {
  return config.engineSocketPath !== undefined
    ? `unix:${config.engineSocketPath}`
    : `${config.engineHost}:${config.enginePort}`;
}

/** Connects to the engine shard of `config` (ENGINE_HOST/ENGINE_PORT or ENGINE_SOCKET). */
export async function connectEngine(
  config: Config,
  name = 'admin',
  timeoutMs = 5000,
): Promise<EngineCommands> {
  let link: LinkClient;
  let ack: exchange.v1.LinkHelloAck;
  try {
    link = await LinkClient.connect({
      ...(config.engineSocketPath !== undefined
        ? { path: config.engineSocketPath }
        : { host: config.engineHost, port: config.enginePort }),
      connectTimeoutMs: timeoutMs,
    });
    ack = await withTimeout(link.hello(name), timeoutMs, 'no LinkHelloAck');
  } catch (err) {
    throw new AdminError(
      `the engine does not answer at ${engineAddress(config)} (${(err as Error).message}); start it with ` +
        '`npm start` (or `node dist/engine/process/main.js`)',
      3,
    );
  }
  return {
    shardId: ack.shardId,
    lastSeq: ack.lastSeq,
    command: async (c) => {
      const answer = await withTimeout(link.command(c), timeoutMs, 'engine timeout');
      if (answer.result) return answer.result as exchange.v1.CommandResult;
      const rej = answer.reject;
      throw new AdminError(
        `engine link refused the command: ${rejectName(rej?.reason ?? 0)}${rej?.message ? ` (${rej.message})` : ''}`,
      );
    },
    close: () => link.close(2000),
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new AdminError(`${what} within ${ms} ms`, 3)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** Sends `command`; returns the result, treating the listed reasons as "already done". */
async function engineCommand(
  engine: EngineCommands,
  command: exchange.v1.ICommand,
  what: string,
  alreadyDone: readonly number[] = [],
): Promise<{ status: 'applied' | 'already'; seq: number }> {
  const r = await engine.command(command);
  const reason = r.rejectReason ?? 0;
  if (reason === 0) return { status: 'applied', seq: r.seq };
  if (alreadyDone.includes(reason)) return { status: 'already', seq: r.seq };
  throw new AdminError(`engine refused ${what}: ${rejectName(reason)}`);
}

// ---------------------------------------------------------------------------
// context

/** Postgres plus a lazily opened engine link. */
export interface AdminContext {
  readonly sql: Sql;
  readonly config: Config;
  /** Opens the engine link on first use. */
  engine(): Promise<EngineCommands>;
  /** Progress lines for humans (silent when undefined). */
  readonly say?: (line: string) => void;
}

/** Opens a context on DATABASE_URL and the configured engine; close it with closeContext(). */
export function openContext(
  config: Config = loadConfig(),
  say?: (line: string) => void,
): AdminContext & {
  close(): Promise<void>;
} {
  const sql = postgres(config.databaseUrl, { max: 2, connect_timeout: 5, onnotice: () => {} });
  let link: Promise<EngineCommands> | undefined;
  return {
    sql,
    config,
    ...(say === undefined ? {} : { say }),
    engine: () => {
      link ??= connectEngine(config);
      return link;
    },
    close: async () => {
      if (link !== undefined) await (await link.catch(() => undefined))?.close();
      await sql.end({ timeout: 2 });
    },
  };
}

/** Checks that Postgres answers, with a readable error naming the address and the fix. */
export async function checkPostgres(sql: Sql, url: string): Promise<void> {
  try {
    await sql`select 1`;
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).message;
    throw new AdminError(
      `Postgres does not answer at ${describeDatabase(url)} (${code}).\n` +
        'Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
      3,
    );
  }
}

/** Applies pending migrations; returns the names applied. */
export async function applyMigrations(sql: Sql): Promise<string[]> {
  const silent = { info() {}, warn() {}, debug() {}, error() {}, child: () => silent };
  let dir: string;
  try {
    dir = defaultMigrationsDir(__dirname);
  } catch {
    dir = defaultMigrationsDir(process.cwd());
  }
  const r = await migrate(sql, { dir, log: silent as never });
  return r.applied;
}

// ---------------------------------------------------------------------------
// assets

export interface AssetSpec {
  symbol: string;
  precision: number;
  /** Default: the next free id. */
  engineAssetId?: number;
}

export interface AssetRow {
  symbol: string;
  precision: number;
  engineAssetId: number;
}

export async function listAssets(sql: Sql): Promise<AssetRow[]> {
  const rows = await sql<{ symbol: string; precision: number; engine_asset_id: number }[]>`
    select symbol, precision, engine_asset_id from assets order by engine_asset_id`;
  return rows.map((r) => ({
    symbol: r.symbol,
    precision: r.precision,
    engineAssetId: r.engine_asset_id,
  }));
}

async function assetBySymbol(sql: Sql, symbol: string): Promise<AssetRow> {
  const [r] = await sql<{ symbol: string; precision: number; engine_asset_id: number }[]>`
    select symbol, precision, engine_asset_id from assets where symbol = ${symbol}`;
  if (r === undefined)
    throw new AdminError(`unknown asset ${symbol}: add it with \`npm run admin -- add-asset\``);
  return { symbol: r.symbol, precision: r.precision, engineAssetId: r.engine_asset_id };
}

/** Creates the asset in Postgres (or finds it, refusing a conflicting definition) and in the engine. */
export async function ensureAsset(
  ctx: AdminContext,
  spec: AssetSpec,
): Promise<AssetRow & { engine: string }> {
  const symbol = spec.symbol.toUpperCase();
  if (!/^[A-Z0-9]{1,16}$/.test(symbol))
    throw new AdminError(`asset symbol ${spec.symbol}: 1-16 of A-Z, 0-9`, 2);
  if (!Number.isInteger(spec.precision) || spec.precision < 0 || spec.precision > 18) {
    throw new AdminError(`asset ${symbol}: precision must be 0..18`, 2);
  }
  const engine = await ctx.engine(); // fail before writing anything when the engine is down
  const row = await ctx.sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('admin:assets'))`;
    const [existing] = await tx<{ precision: number; engine_asset_id: number }[]>`
      select precision, engine_asset_id from assets where symbol = ${symbol}`;
    if (existing !== undefined) {
      if (existing.precision !== spec.precision) {
        throw new AdminError(
          `asset ${symbol} exists with precision ${existing.precision}, not ${spec.precision}`,
        );
      }
      if (spec.engineAssetId !== undefined && spec.engineAssetId !== existing.engine_asset_id) {
        throw new AdminError(`asset ${symbol} exists with engine id ${existing.engine_asset_id}`);
      }
      return { symbol, precision: existing.precision, engineAssetId: existing.engine_asset_id };
    }
    const [next] = await tx<
      { id: number }[]
    >`select coalesce(max(engine_asset_id), 0) + 1 as id from assets`;
    const id = spec.engineAssetId ?? next!.id;
    await tx`insert into assets (symbol, precision, engine_asset_id) values (${symbol}, ${spec.precision}, ${id})`;
    return { symbol, precision: spec.precision, engineAssetId: id };
  });
  const r = await engineCommand(
    engine,
    { addAsset: { assetId: row.engineAssetId } },
    `ADD_ASSET ${symbol}`,
    [RR.REJECT_REASON_ASSET_EXISTS],
  );
  ctx.say?.(
    `asset ${symbol} (engine id ${row.engineAssetId}, ${row.precision} decimals): ${r.status === 'applied' ? 'added to the engine' : 'already in the engine'}`,
  );
  return { ...row, engine: r.status };
}

// ---------------------------------------------------------------------------
// markets

export interface MarketSpecInput {
  /** BASE-QUOTE */
  symbol: string;
  tickSize: string;
  lotSize: string;
  minQuantity: string;
  minNotional: string;
  priceBandBps?: number;
  engineMarketId?: number;
  shardId?: number;
  status?: 'active' | 'cancel_only' | 'halted';
}

interface MarketDbRow {
  symbol: string;
  base_asset: string;
  quote_asset: string;
  status: string;
  engine_market_id: number;
  shard_id: number;
  tick_size: string;
  lot_size: string;
  min_quantity: string;
  min_notional: string;
  price_band_bps: number;
}

const MARKET_STATUS: Record<string, number> = {
  active: v1.MarketStatus.MARKET_STATUS_ACTIVE,
  cancel_only: v1.MarketStatus.MARKET_STATUS_CANCEL_ONLY,
  halted: v1.MarketStatus.MARKET_STATUS_HALTED,
};

/**
 * The engine's ADD_MARKET for a market row, computed exactly from the decimal
 * sizes and the assets' precisions; throws AdminError when it is not exact.
 * The price/quantity range (not stored in Postgres) splits 2^53 evenly:
 * maxPriceTicks = maxQtyLots = floor(sqrt((2^53-1) / quoteAtomsPerTickLot)),
 * so every notional is an exact double (engine/SEMANTICS.md).
 */
export function addMarketCommand(
  m: MarketDbRow,
  base: AssetRow,
  quote: AssetRow,
): exchange.v1.IAddMarket {
  let scales: { baseAtomsPerLot: number; quoteAtomsPerTickLot: number };
  try {
    scales = marketScales({
      symbol: m.symbol,
      tickSize: m.tick_size,
      lotSize: m.lot_size,
      baseDecimals: base.precision,
      quoteDecimals: quote.precision,
    });
  } catch (err) {
    throw new AdminError((err as Error).message);
  }
  const minQty = new Decimal(m.min_quantity).div(m.lot_size);
  if (!minQty.isInteger() || minQty.lte(0)) {
    throw new AdminError(
      `market ${m.symbol}: min quantity ${m.min_quantity} is not a positive multiple of the lot size ${m.lot_size}`,
    );
  }
  const minNotional = new Decimal(m.min_notional).mul(new Decimal(10).pow(quote.precision));
  if (!minNotional.isInteger()) {
    throw new AdminError(
      `market ${m.symbol}: min notional ${m.min_notional} has more than ${quote.precision} decimals (${quote.symbol})`,
    );
  }
  const qptl = scales.quoteAtomsPerTickLot;
  let range = Math.floor(Math.sqrt(MAX_SAFE / qptl));
  while (range * range * qptl > MAX_SAFE) range--;
  const maxPriceTicks = Math.min(range, Math.floor(MAX_SAFE / 20000));
  const maxQtyLots = Math.min(range, Math.floor(MAX_SAFE / scales.baseAtomsPerLot));
  if (minQty.gt(maxQtyLots))
    throw new AdminError(`market ${m.symbol}: min quantity above the representable maximum`);
  if (m.price_band_bps < 1 || m.price_band_bps > MAX_PRICE_BAND_BPS) {
    throw new AdminError(
      `market ${m.symbol}: price band ${m.price_band_bps} bps outside 1..${MAX_PRICE_BAND_BPS}`,
    );
  }
  return {
    marketId: m.engine_market_id,
    baseAssetId: base.engineAssetId,
    quoteAssetId: quote.engineAssetId,
    baseAtomsPerLot: scales.baseAtomsPerLot,
    quoteAtomsPerTickLot: qptl,
    minQtyLots: minQty.toNumber(),
    maxQtyLots,
    maxPriceTicks,
    minNotionalAtoms: minNotional.toNumber(),
    priceBandBps: m.price_band_bps,
    allowSelfTrade: false,
    status: MARKET_STATUS[m.status] ?? v1.MarketStatus.MARKET_STATUS_ACTIVE,
  };
}

export interface MarketRow {
  symbol: string;
  engineMarketId: number;
  shardId: number;
  tickSize: string;
  lotSize: string;
  minQuantity: string;
  minNotional: string;
  baseAsset: AssetRow;
  quoteAsset: AssetRow;
}

export async function listMarkets(sql: Sql): Promise<MarketRow[]> {
  const assets = new Map((await listAssets(sql)).map((a) => [a.symbol, a]));
  const rows = await sql<MarketDbRow[]>`
    select symbol, base_asset, quote_asset, status, engine_market_id, shard_id, tick_size::text,
           lot_size::text, min_quantity::text, min_notional::text, price_band_bps
    from markets order by engine_market_id`;
  return rows.map((r) => ({
    symbol: r.symbol,
    engineMarketId: r.engine_market_id,
    shardId: r.shard_id,
    tickSize: r.tick_size,
    lotSize: r.lot_size,
    minQuantity: r.min_quantity,
    minNotional: r.min_notional,
    baseAsset: assets.get(r.base_asset)!,
    quoteAsset: assets.get(r.quote_asset)!,
  }));
}

function sameDecimal(a: string, b: string): boolean {
  return new Decimal(a).eq(b);
}

/** Creates the market in Postgres (or finds it, refusing a conflicting definition) and in the engine. */
export async function ensureMarket(
  ctx: AdminContext,
  spec: MarketSpecInput,
): Promise<MarketRow & { engine: string }> {
  const symbol = spec.symbol.toUpperCase();
  const parts = /^([A-Z0-9]{1,16})-([A-Z0-9]{1,16})$/.exec(symbol);
  if (parts === null)
    throw new AdminError(`market symbol ${spec.symbol}: expected BASE-QUOTE, e.g. BTC-USDT`, 2);
  const base = await assetBySymbol(ctx.sql, parts[1]!);
  const quote = await assetBySymbol(ctx.sql, parts[2]!);
  for (const [name, value] of [
    ['tick size', spec.tickSize],
    ['lot size', spec.lotSize],
    ['min quantity', spec.minQuantity],
    ['min notional', spec.minNotional],
  ] as const) {
    if (!/^\d+(\.\d+)?$/.test(value) || new Decimal(value).lte(0)) {
      throw new AdminError(
        `market ${symbol}: ${name} must be a positive decimal, got ${JSON.stringify(value)}`,
        2,
      );
    }
  }
  const band = spec.priceBandBps ?? 500;
  const status = spec.status ?? 'active';
  // Validate exactness before touching anything.
  const probe: MarketDbRow = {
    symbol,
    base_asset: base.symbol,
    quote_asset: quote.symbol,
    status,
    engine_market_id: 1,
    shard_id: spec.shardId ?? 0,
    tick_size: spec.tickSize,
    lot_size: spec.lotSize,
    min_quantity: spec.minQuantity,
    min_notional: spec.minNotional,
    price_band_bps: band,
  };
  addMarketCommand(probe, base, quote);
  const engine = await ctx.engine();
  if ((spec.shardId ?? 0) !== engine.shardId) {
    throw new AdminError(
      `market ${symbol}: shard ${spec.shardId ?? 0}, but the engine link is shard ${engine.shardId}`,
    );
  }
  const row = await ctx.sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('admin:markets'))`;
    const [existing] = await tx<MarketDbRow[]>`
      select symbol, base_asset, quote_asset, status, engine_market_id, shard_id, tick_size::text,
             lot_size::text, min_quantity::text, min_notional::text, price_band_bps
      from markets where symbol = ${symbol}`;
    if (existing !== undefined) {
      const diffs: string[] = [];
      if (!sameDecimal(existing.tick_size, spec.tickSize))
        diffs.push(`tick size ${existing.tick_size}`);
      if (!sameDecimal(existing.lot_size, spec.lotSize))
        diffs.push(`lot size ${existing.lot_size}`);
      if (!sameDecimal(existing.min_quantity, spec.minQuantity))
        diffs.push(`min quantity ${existing.min_quantity}`);
      if (!sameDecimal(existing.min_notional, spec.minNotional))
        diffs.push(`min notional ${existing.min_notional}`);
      if (spec.engineMarketId !== undefined && spec.engineMarketId !== existing.engine_market_id) {
        diffs.push(`engine id ${existing.engine_market_id}`);
      }
      if (diffs.length > 0) {
        throw new AdminError(
          `market ${symbol} already exists with ${diffs.join(', ')}; markets are not redefined in place`,
        );
      }
      return existing;
    }
    const [next] = await tx<
      { id: number }[]
    >`select coalesce(max(engine_market_id), 0) + 1 as id from markets`;
    const id = spec.engineMarketId ?? next!.id;
    const [inserted] = await tx<MarketDbRow[]>`
      insert into markets (symbol, base_asset, quote_asset, status, engine_market_id, shard_id, tick_size,
                           lot_size, min_quantity, min_notional, price_band_bps)
      values (${symbol}, ${base.symbol}, ${quote.symbol}, ${status}, ${id}, ${spec.shardId ?? 0},
              ${spec.tickSize}, ${spec.lotSize}, ${spec.minQuantity}, ${spec.minNotional}, ${band})
      returning symbol, base_asset, quote_asset, status, engine_market_id, shard_id, tick_size::text,
                lot_size::text, min_quantity::text, min_notional::text, price_band_bps`;
    return inserted!;
  });
  if (row.shard_id !== engine.shardId) {
    throw new AdminError(
      `market ${symbol} belongs to shard ${row.shard_id}, but the engine link is shard ${engine.shardId}`,
    );
  }
  const cmd = addMarketCommand(row, base, quote);
  const r = await engineCommand(engine, { addMarket: cmd }, `ADD_MARKET ${symbol}`, [
    RR.REJECT_REASON_MARKET_EXISTS,
  ]);
  ctx.say?.(
    `market ${symbol} (engine id ${row.engine_market_id}, tick ${row.tick_size}, lot ${row.lot_size}, ` +
      `${cmd.baseAtomsPerLot} base atoms/lot, ${cmd.quoteAtomsPerTickLot} quote atoms/tick-lot): ` +
      `${r.status === 'applied' ? 'added to the engine' : 'already in the engine'}`,
  );
  return {
    symbol,
    engineMarketId: row.engine_market_id,
    shardId: row.shard_id,
    tickSize: row.tick_size,
    lotSize: row.lot_size,
    minQuantity: row.min_quantity,
    minNotional: row.min_notional,
    baseAsset: base,
    quoteAsset: quote,
    engine: r.status,
  };
}

// ---------------------------------------------------------------------------
// fee tiers

export interface FeeTier {
  name: string;
  makerFeeBps: number;
  takerFeeBps: number;
  minVolume: string;
}

/** The tier an account without one pays (accounts.fee_tier_id null). */
export const BASE_FEE_TIER = 'base';

function checkFees(maker: number, taker: number): void {
  if (!Number.isInteger(maker) || maker < MIN_MAKER_FEE_BPS || maker > MAX_MAKER_FEE_BPS) {
    throw new AdminError(
      `maker fee ${maker} bps outside the engine's ${MIN_MAKER_FEE_BPS}..${MAX_MAKER_FEE_BPS}`,
      2,
    );
  }
  if (!Number.isInteger(taker) || taker < 0 || taker > MAX_TAKER_FEE_BPS) {
    throw new AdminError(`taker fee ${taker} bps outside the engine's 0..${MAX_TAKER_FEE_BPS}`, 2);
  }
}

/**
 * Creates or updates a fee tier; when its rates change, every account on it
 * (and, for the base tier, every account without a tier) gets SET_FEES.
 */
export async function ensureFeeTier(
  ctx: AdminContext,
  tier: FeeTier,
): Promise<{ changed: boolean; accounts: number }> {
  checkFees(tier.makerFeeBps, tier.takerFeeBps);
  const [before] = await ctx.sql<{ maker_fee_bps: number; taker_fee_bps: number }[]>`
    select maker_fee_bps, taker_fee_bps from fee_tiers where name = ${tier.name}`;
  await ctx.sql`
    insert into fee_tiers (name, maker_fee_bps, taker_fee_bps, min_volume)
    values (${tier.name}, ${tier.makerFeeBps}, ${tier.takerFeeBps}, ${tier.minVolume})
    on conflict (name) do update set maker_fee_bps = excluded.maker_fee_bps,
      taker_fee_bps = excluded.taker_fee_bps, min_volume = excluded.min_volume`;
  const changed =
    before !== undefined &&
    (before.maker_fee_bps !== tier.makerFeeBps || before.taker_fee_bps !== tier.takerFeeBps);
  let accounts = 0;
  if (changed) {
    const rows = await ctx.sql<{ engine_account_id: string }[]>`
      select a.engine_account_id from accounts a left join fee_tiers t on t.id = a.fee_tier_id
      where a.type = 'spot' and (t.name = ${tier.name} or (a.fee_tier_id is null and ${tier.name} = ${BASE_FEE_TIER}))`;
    const engine = await ctx.engine();
    for (const r of rows) {
      await engineCommand(
        engine,
        {
          setFees: {
            accountId: Number(r.engine_account_id),
            makerFeeBps: tier.makerFeeBps,
            takerFeeBps: tier.takerFeeBps,
          },
        },
        `SET_FEES account ${r.engine_account_id}`,
      );
      accounts++;
    }
  }
  ctx.say?.(
    `fee tier ${tier.name}: maker ${tier.makerFeeBps} bps, taker ${tier.takerFeeBps} bps` +
      (before === undefined
        ? ' (created)'
        : changed
          ? ` (rates changed; ${accounts} account(s) updated in the engine)`
          : ' (unchanged)'),
  );
  return { changed, accounts };
}

async function tierRates(
  sql: Sql,
  name: string | null,
): Promise<{ maker: number; taker: number; tierId: string | null }> {
  const [t] = await sql<{ id: string; maker_fee_bps: number; taker_fee_bps: number }[]>`
    select id, maker_fee_bps, taker_fee_bps from fee_tiers where name = ${name ?? BASE_FEE_TIER}`;
  if (t === undefined) {
    if (name !== null && name !== BASE_FEE_TIER) {
      throw new AdminError(
        `unknown fee tier ${name}: add it with \`npm run admin -- add-fee-tier\``,
      );
    }
    return { maker: 0, taker: 0, tierId: null }; // no base tier defined: no fees
  }
  return { maker: t.maker_fee_bps, taker: t.taker_fee_bps, tierId: name === null ? null : t.id };
}

// ---------------------------------------------------------------------------
// users, accounts

function normaliseEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(e))
    throw new AdminError(`not an email address: ${JSON.stringify(email)}`, 2);
  return e;
}

/** scrypt password hash: `scrypt$N$r$p$<salt b64>$<hash b64>`. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, { N: 16384, r: 8, p: 1 });
  return `scrypt$16384$8$1$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** A password hash no password matches (users created without one log on with API keys only). */
const NO_PASSWORD = '!no-password';

export async function ensureUser(
  ctx: AdminContext,
  email: string,
  password?: string,
): Promise<{ id: string; created: boolean }> {
  const e = normaliseEmail(email);
  const [existing] = await ctx.sql<{ id: string }[]>`select id from users where email = ${e}`;
  if (existing !== undefined) {
    ctx.say?.(`user ${e}: exists`);
    return { id: existing.id, created: false };
  }
  const [row] = await ctx.sql<{ id: string }[]>`
    insert into users (email, password_hash) values (${e}, ${password === undefined ? NO_PASSWORD : hashPassword(password)})
    on conflict (email) do update set email = excluded.email
    returning id`;
  ctx.say?.(`user ${e}: created`);
  return { id: row!.id, created: true };
}

async function userId(sql: Sql, email: string): Promise<string> {
  const e = normaliseEmail(email);
  const [u] = await sql<{ id: string }[]>`select id from users where email = ${e}`;
  if (u === undefined)
    throw new AdminError(
      `no user ${e}: create it with \`npm run admin -- create-user --email ${e}\``,
    );
  return u.id;
}

export interface AccountRow {
  id: string;
  engineAccountId: number;
  userEmail: string | null;
  type: string;
  feeTier: string | null;
}

/** The exchange's fee (engine: ENGINE_FEE_ACCOUNT_ID) and treasury accounts in Postgres. */
export async function ensureSystemAccounts(
  ctx: AdminContext,
  feeAccountId: number,
  treasuryAccountId = 2,
): Promise<void> {
  for (const [type, id] of [
    ['fee', feeAccountId],
    ['treasury', treasuryAccountId],
  ] as const) {
    const [existing] = await ctx.sql<{ engine_account_id: string }[]>`
      select engine_account_id from accounts where type = ${type}`;
    if (existing !== undefined) {
      if (type === 'fee' && Number(existing.engine_account_id) !== feeAccountId) {
        throw new AdminError(
          `the fee account has engine id ${existing.engine_account_id} in Postgres but the engine uses ` +
            `ENGINE_FEE_ACCOUNT_ID=${feeAccountId}`,
        );
      }
      continue;
    }
    await ctx.sql`
      insert into accounts (user_id, type, engine_account_id)
      values (null, ${type}, ${id}) on conflict do nothing`;
    ctx.say?.(`${type} account: created (engine id ${id})`);
  }
}

/**
 * Creates a spot account for a user (in Postgres, then ADD_ACCOUNT with its
 * tier's rates). With `ifMissing`, returns the user's existing spot account instead.
 */
export async function createAccount(
  ctx: AdminContext,
  opts: { email: string; engineAccountId?: number; feeTier?: string; ifMissing?: boolean },
): Promise<AccountRow & { created: boolean }> {
  const uid = await userId(ctx.sql, opts.email);
  const rates = await tierRates(ctx.sql, opts.feeTier ?? null);
  const engine = await ctx.engine();
  let created = false;
  let row: { id: string; engine_account_id: string } | undefined;
  if (opts.ifMissing === true) {
    [row] = await ctx.sql<{ id: string; engine_account_id: string }[]>`
      select id, engine_account_id from accounts where user_id = ${uid} and type = 'spot' order by created_at limit 1`;
  }
  if (row === undefined) {
    if (opts.engineAccountId !== undefined) {
      if (
        !Number.isInteger(opts.engineAccountId) ||
        opts.engineAccountId < 1 ||
        opts.engineAccountId >= 1_048_576
      ) {
        throw new AdminError('engine account id must be in 1..1048575', 2);
      }
      [row] = await ctx.sql<{ id: string; engine_account_id: string }[]>`
        insert into accounts (user_id, type, fee_tier_id, engine_account_id)
        values (${uid}, 'spot', ${rates.tierId}, ${opts.engineAccountId})
        returning id, engine_account_id`;
    } else {
      [row] = await ctx.sql<{ id: string; engine_account_id: string }[]>`
        insert into accounts (user_id, type, fee_tier_id) values (${uid}, 'spot', ${rates.tierId})
        returning id, engine_account_id`;
    }
    created = true;
  }
  const engineAccountId = Number(row!.engine_account_id);
  const r = await engineCommand(
    engine,
    {
      addAccount: {
        accountId: engineAccountId,
        makerFeeBps: rates.maker,
        takerFeeBps: rates.taker,
      },
    },
    `ADD_ACCOUNT ${engineAccountId}`,
    [RR.REJECT_REASON_ACCOUNT_EXISTS],
  );
  if (r.status === 'already') {
    await engineCommand(
      engine,
      {
        setFees: { accountId: engineAccountId, makerFeeBps: rates.maker, takerFeeBps: rates.taker },
      },
      `SET_FEES ${engineAccountId}`,
    );
  }
  ctx.say?.(
    `account ${engineAccountId} of ${normaliseEmail(opts.email)}: ${created ? 'created' : 'exists'} ` +
      `(fees maker ${rates.maker} / taker ${rates.taker} bps; engine: ${r.status === 'applied' ? 'added' : 'already known'})`,
  );
  return {
    id: row!.id,
    engineAccountId,
    userEmail: normaliseEmail(opts.email),
    type: 'spot',
    feeTier: opts.feeTier ?? null,
    created,
  };
}

async function accountByEngineId(
  sql: Sql,
  engineAccountId: number,
): Promise<{ id: string; type: string }> {
  const [a] = await sql<{ id: string; type: string }[]>`
    select id, type from accounts where engine_account_id = ${engineAccountId}`;
  if (a === undefined) throw new AdminError(`no account with engine id ${engineAccountId}`);
  return a;
}

/** Resolves --account (engine id) or --email (the user's first spot account). */
async function resolveAccount(sql: Sql, flags: Flags): Promise<number> {
  const acct = flags.get('account');
  if (acct !== undefined) return intFlag(flags, 'account', 1, 1_048_575);
  const email = flags.get('email');
  if (typeof email !== 'string')
    throw new AdminError('give --account <engine account id> or --email <email>', 2);
  const uid = await userId(sql, email);
  const [a] = await sql<{ engine_account_id: string }[]>`
    select engine_account_id from accounts where user_id = ${uid} and type = 'spot' order by created_at limit 1`;
  if (a === undefined)
    throw new AdminError(
      `user ${email} has no spot account: \`npm run admin -- create-account --email ${email}\``,
    );
  return Number(a.engine_account_id);
}

/** Moves an account to a fee tier (Postgres) and sends SET_FEES. */
export async function setAccountFeeTier(
  ctx: AdminContext,
  engineAccountId: number,
  tier: string,
): Promise<void> {
  const a = await accountByEngineId(ctx.sql, engineAccountId);
  if (a.type !== 'spot') throw new AdminError(`account ${engineAccountId} is a ${a.type} account`);
  const rates = await tierRates(ctx.sql, tier);
  await ctx.sql`update accounts set fee_tier_id = ${rates.tierId} where id = ${a.id}`;
  const engine = await ctx.engine();
  await engineCommand(
    engine,
    { setFees: { accountId: engineAccountId, makerFeeBps: rates.maker, takerFeeBps: rates.taker } },
    `SET_FEES ${engineAccountId}`,
  );
  ctx.say?.(
    `account ${engineAccountId}: fee tier ${tier} (maker ${rates.maker}, taker ${rates.taker} bps)`,
  );
}

// ---------------------------------------------------------------------------
// API keys

/** How the gateway stores a secret (its exported function: sha256 hex of the UTF-8 secret). */
export { hashApiSecret };

export interface ApiKeyOptions {
  email: string;
  scopes?: string[];
  ipWhitelist?: string[];
  /** Raw 32-byte Ed25519 public key. */
  ed25519PublicKey?: Buffer;
  ordersPer10s?: number;
  maxSessions?: number;
  label?: string;
}

export interface CreatedApiKey {
  prefix: string;
  /** Shown once; only its hash is stored. */
  secret: string;
  scopes: string[];
}

function checkIpEntry(entry: string): void {
  const [ip, bits, extra] = entry.split('/');
  const family = isIP(ip ?? '');
  const max = family === 4 ? 32 : 128;
  if (
    family === 0 ||
    extra !== undefined ||
    (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max))
  ) {
    throw new AdminError(`--ip: ${JSON.stringify(entry)} is not an IP address or CIDR`, 2);
  }
}

/** Creates an API key; the secret is returned once and only sha256(secret) is stored. */
export async function createApiKey(ctx: AdminContext, opts: ApiKeyOptions): Promise<CreatedApiKey> {
  const uid = await userId(ctx.sql, opts.email);
  const scopes = opts.scopes ?? ['read', 'trade'];
  for (const s of scopes) {
    if (!['read', 'trade', 'withdraw', 'admin'].includes(s))
      throw new AdminError(`unknown scope ${s} (read, trade, withdraw, admin)`, 2);
  }
  for (const ip of opts.ipWhitelist ?? []) checkIpEntry(ip);
  if (opts.ed25519PublicKey !== undefined && opts.ed25519PublicKey.length !== 32) {
    throw new AdminError('the Ed25519 public key must be 32 raw bytes', 2);
  }
  const prefix = `ek_${randomBytes(8).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  await ctx.sql`
    insert into api_keys (user_id, prefix, key_hash, scopes, ip_whitelist, ed25519_public_key, label,
                          max_sessions, orders_per_10s)
    values (${uid}, ${prefix}, ${hashApiSecret(secret)}, ${scopes},
            ${opts.ipWhitelist === undefined ? null : ctx.sql.json(opts.ipWhitelist)},
            ${opts.ed25519PublicKey ?? null}, ${opts.label ?? null}, ${opts.maxSessions ?? 5},
            ${opts.ordersPer10s ?? 100})`;
  return { prefix, secret, scopes };
}

/** Revokes a key by prefix (idempotent); returns whether it was active. */
export async function revokeApiKey(ctx: AdminContext, prefix: string): Promise<boolean> {
  const [k] = await ctx.sql<
    { revoked_at: Date | null }[]
  >`select revoked_at from api_keys where prefix = ${prefix}`;
  if (k === undefined) throw new AdminError(`no API key with prefix ${prefix}`);
  if (k.revoked_at !== null) return false;
  await ctx.sql`update api_keys set revoked_at = now() where prefix = ${prefix} and revoked_at is null`;
  return true;
}

/** Parses an Ed25519 public key: 64 hex chars, base64 of 32 bytes, or a PEM (SPKI) text. */
export function parseEd25519PublicKey(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (t.includes('BEGIN PUBLIC KEY')) {
    const key = createPublicKey(t);
    if (key.asymmetricKeyType !== 'ed25519')
      throw new AdminError(`expected an Ed25519 key, got ${key.asymmetricKeyType}`, 2);
    return Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url');
  }
  const b = Buffer.from(t, 'base64');
  if (b.length === 32) return b;
  throw new AdminError(
    'Ed25519 public key: expected 64 hex chars, base64 of 32 bytes, or a PEM public key',
    2,
  );
}

// ---------------------------------------------------------------------------
// deposits

export interface DepositResult {
  refId: number;
  txid: string;
  status: 'credited' | 'already_credited';
  seq: number;
}

/**
 * Credits a deposit through the engine: a deposits row (pending; its
 * engine_ref_id is the engine's refId), then DEPOSIT over the link. The same
 * txid again re-sends the same refId, which the engine answers
 * DUPLICATE_REFERENCE when already credited: idempotent. Settlement records
 * the journaled outcome in the row.
 */
export async function deposit(
  ctx: AdminContext,
  opts: { engineAccountId: number; asset: string; amount: string; txid?: string },
): Promise<DepositResult> {
  const asset = await assetBySymbol(ctx.sql, opts.asset.toUpperCase());
  const account = await accountByEngineId(ctx.sql, opts.engineAccountId);
  if (!/^\d+(\.\d+)?$/.test(opts.amount) || new Decimal(opts.amount).lte(0)) {
    throw new AdminError(
      `amount must be a positive decimal, got ${JSON.stringify(opts.amount)}`,
      2,
    );
  }
  const atoms = new Decimal(opts.amount).mul(new Decimal(10).pow(asset.precision));
  if (!atoms.isInteger())
    throw new AdminError(
      `${opts.amount} ${asset.symbol} has more than ${asset.precision} decimals`,
      2,
    );
  if (atoms.gt(MAX_SAFE))
    throw new AdminError(`${opts.amount} ${asset.symbol} is more than 2^53-1 atoms`, 2);
  const txid = opts.txid ?? `admin-${randomBytes(8).toString('hex')}`;
  const engine = await ctx.engine();
  await ctx.sql`
    insert into deposits (account_id, asset, amount, txid) values (${account.id}, ${asset.symbol}, ${opts.amount}, ${txid})
    on conflict (asset, txid) do nothing`;
  const [row] = await ctx.sql<{ account_id: string; amount: string; engine_ref_id: string }[]>`
    select account_id, amount::text, engine_ref_id from deposits where asset = ${asset.symbol} and txid = ${txid}`;
  if (row!.account_id !== account.id || !new Decimal(row!.amount).eq(opts.amount)) {
    throw new AdminError(
      `deposit ${asset.symbol} txid ${txid} already exists for another account or amount`,
    );
  }
  const refId = Number(row!.engine_ref_id);
  const r = await engineCommand(
    engine,
    {
      deposit: {
        accountId: opts.engineAccountId,
        assetId: asset.engineAssetId,
        amountAtoms: atoms.toNumber(),
        refId,
      },
    },
    `DEPOSIT ${opts.amount} ${asset.symbol} to ${opts.engineAccountId}`,
    [RR.REJECT_REASON_DUPLICATE_REFERENCE],
  );
  const status = r.status === 'applied' ? 'credited' : 'already_credited';
  ctx.say?.(
    `deposit ${opts.amount} ${asset.symbol} -> account ${opts.engineAccountId} (ref ${refId}, txid ${txid}): ` +
      (status === 'credited' ? `credited at engine seq ${r.seq}` : 'already credited'),
  );
  return { refId, txid, status, seq: r.seq };
}

// ---------------------------------------------------------------------------
// sync: Postgres -> engine

/**
 * Re-sends every asset, market and spot account (with its tier's rates) to
 * the engine; already-known ones are no-ops. Use after the engine's journal
 * was lost (e.g. a Redis without persistence restarted).
 */
export async function syncEngine(
  ctx: AdminContext,
): Promise<{ assets: number; markets: number; accounts: number }> {
  const engine = await ctx.engine();
  const counts = { assets: 0, markets: 0, accounts: 0 };
  for (const a of await listAssets(ctx.sql)) {
    const r = await engineCommand(
      engine,
      { addAsset: { assetId: a.engineAssetId } },
      `ADD_ASSET ${a.symbol}`,
      [RR.REJECT_REASON_ASSET_EXISTS],
    );
    if (r.status === 'applied') counts.assets++;
  }
  const assets = new Map((await listAssets(ctx.sql)).map((a) => [a.symbol, a]));
  const markets = await ctx.sql<MarketDbRow[]>`
    select symbol, base_asset, quote_asset, status, engine_market_id, shard_id, tick_size::text,
           lot_size::text, min_quantity::text, min_notional::text, price_band_bps
    from markets where shard_id = ${engine.shardId} order by engine_market_id`;
  for (const m of markets) {
    const cmd = addMarketCommand(m, assets.get(m.base_asset)!, assets.get(m.quote_asset)!);
    const r = await engineCommand(engine, { addMarket: cmd }, `ADD_MARKET ${m.symbol}`, [
      RR.REJECT_REASON_MARKET_EXISTS,
    ]);
    if (r.status === 'applied') counts.markets++;
  }
  const accounts = await ctx.sql<
    { engine_account_id: string; maker: number | null; taker: number | null }[]
  >`
    select a.engine_account_id, t.maker_fee_bps as maker, t.taker_fee_bps as taker
    from accounts a left join fee_tiers t on t.id = coalesce(a.fee_tier_id, (select id from fee_tiers where name = ${BASE_FEE_TIER}))
    where a.type = 'spot' order by a.engine_account_id`;
  for (const a of accounts) {
    const id = Number(a.engine_account_id);
    const fees = { makerFeeBps: a.maker ?? 0, takerFeeBps: a.taker ?? 0 };
    const r = await engineCommand(
      engine,
      { addAccount: { accountId: id, ...fees } },
      `ADD_ACCOUNT ${id}`,
      [RR.REJECT_REASON_ACCOUNT_EXISTS],
    );
    if (r.status === 'applied') counts.accounts++;
    else await engineCommand(engine, { setFees: { accountId: id, ...fees } }, `SET_FEES ${id}`);
  }
  ctx.say?.(
    `engine shard ${engine.shardId} in sync: ${counts.assets} asset(s), ${counts.markets} market(s), ` +
      `${counts.accounts} account(s) newly added`,
  );
  return counts;
}

// ---------------------------------------------------------------------------
// demo data (npm start, demo market maker, benchmark)

/** Reference data of the demo: assets, markets, fee tiers. */
export const DEMO_ASSETS: readonly AssetSpec[] = [
  { symbol: 'BTC', precision: 8, engineAssetId: 1 },
  { symbol: 'USDT', precision: 6, engineAssetId: 2 },
  { symbol: 'ETH', precision: 8, engineAssetId: 3 },
];

export const DEMO_MARKETS: readonly MarketSpecInput[] = [
  {
    symbol: 'BTC-USDT',
    engineMarketId: 1,
    tickSize: '0.01',
    lotSize: '0.0001',
    minQuantity: '0.0001',
    minNotional: '1',
    priceBandBps: 500,
  },
  {
    symbol: 'ETH-USDT',
    engineMarketId: 2,
    tickSize: '0.01',
    lotSize: '0.001',
    minQuantity: '0.001',
    minNotional: '1',
    priceBandBps: 500,
  },
];

export const DEMO_FEE_TIERS: readonly FeeTier[] = [
  { name: BASE_FEE_TIER, makerFeeBps: 10, takerFeeBps: 20, minVolume: '0' },
  { name: 'vip1', makerFeeBps: 5, takerFeeBps: 15, minVolume: '1000000' },
  { name: 'market-maker', makerFeeBps: 0, takerFeeBps: 10, minVolume: '0' },
];

export const DEMO_BALANCES: Readonly<Record<string, string>> = {
  BTC: '100',
  USDT: '10000000',
  ETH: '1000',
};

/** Seeds reference data: assets, markets, fee tiers, the fee and treasury accounts. Idempotent. */
export async function seedReferenceData(ctx: AdminContext, feeAccountId: number): Promise<void> {
  for (const a of DEMO_ASSETS) await ensureAsset(ctx, a);
  for (const m of DEMO_MARKETS) await ensureMarket(ctx, m);
  for (const t of DEMO_FEE_TIERS) await ensureFeeTier(ctx, t);
  await ensureSystemAccounts(ctx, feeAccountId);
}

/**
 * A funded demo trader: user, spot account, deposits of DEMO_BALANCES (by
 * fixed txids, so repeats credit nothing twice) and, unless the user already
 * has an active key labelled `keyLabel`, a new API key (returned with its
 * secret; undefined when one exists).
 */
export async function ensureDemoTrader(
  ctx: AdminContext,
  opts: {
    email: string;
    feeTier?: string;
    keyLabel?: string;
    balances?: Readonly<Record<string, string>>;
  },
): Promise<{
  engineAccountId: number;
  key: CreatedApiKey | undefined;
  existingKeyPrefix: string | undefined;
}> {
  await ensureUser(ctx, opts.email);
  const account = await createAccount(ctx, {
    email: opts.email,
    ifMissing: true,
    ...(opts.feeTier === undefined ? {} : { feeTier: opts.feeTier }),
  });
  for (const [asset, amount] of Object.entries(opts.balances ?? DEMO_BALANCES)) {
    await deposit(ctx, {
      engineAccountId: account.engineAccountId,
      asset,
      amount,
      txid: `demo-seed:${normaliseEmail(opts.email)}:${asset}`,
    });
  }
  if (opts.keyLabel === undefined)
    return {
      engineAccountId: account.engineAccountId,
      key: undefined,
      existingKeyPrefix: undefined,
    };
  const uid = await userId(ctx.sql, opts.email);
  const [existing] = await ctx.sql<{ prefix: string }[]>`
    select prefix from api_keys where user_id = ${uid} and label = ${opts.keyLabel} and revoked_at is null
    order by created_at limit 1`;
  if (existing !== undefined) {
    return {
      engineAccountId: account.engineAccountId,
      key: undefined,
      existingKeyPrefix: existing.prefix,
    };
  }
  const key = await createApiKey(ctx, {
    email: opts.email,
    label: opts.keyLabel,
    ordersPer10s: 10_000,
    maxSessions: 20,
  });
  return { engineAccountId: account.engineAccountId, key, existingKeyPrefix: undefined };
}

// ---------------------------------------------------------------------------
// CLI

type Flags = Map<string, string | true>;

interface CommandDef {
  summary: string;
  usage: string;
  flags: Record<string, string>;
  run(ctx: AdminContext & { json: boolean }, flags: Flags): Promise<unknown>;
}

function str(flags: Flags, name: string, required: true): string;
function str(flags: Flags, name: string, required?: false): string | undefined;
function str(flags: Flags, name: string, required = false): string | undefined {
  const v = flags.get(name);
  if (v === true) throw new AdminError(`--${name} needs a value`, 2);
  if (v === undefined && required) throw new AdminError(`--${name} is required`, 2);
  return v;
}

function intFlag(flags: Flags, name: string, min: number, max: number): number {
  const v = str(flags, name, true);
  if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new AdminError(`--${name} must be an integer in ${min}..${max}, got ${v}`, 2);
  }
  return Number(v);
}

function optInt(flags: Flags, name: string, min: number, max: number): number | undefined {
  return flags.has(name) ? intFlag(flags, name, min, max) : undefined;
}

function list(flags: Flags, name: string): string[] | undefined {
  const v = str(flags, name);
  return v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}

const COMMANDS: Record<string, CommandDef> = {
  'create-user': {
    summary: 'create a user (idempotent by email)',
    usage: 'create-user --email <email> [--password <password>]',
    flags: {
      email: 'the user email (stored lowercased)',
      password: 'optional; stored as a scrypt hash',
    },
    run: (ctx, f) => ensureUser(ctx, str(f, 'email', true), str(f, 'password')),
  },
  'create-account': {
    summary: 'create a spot account for a user, in Postgres and the engine',
    usage: 'create-account --email <email> [--engine-account-id <n>] [--fee-tier <name>]',
    flags: {
      email: 'owner',
      'engine-account-id': 'explicit engine id (default: next from 1000)',
      'fee-tier': `fee tier name (default: ${BASE_FEE_TIER})`,
    },
    run: (ctx, f) => {
      const engineAccountId = optInt(f, 'engine-account-id', 1, 1_048_575);
      const feeTier = str(f, 'fee-tier');
      return createAccount(ctx, {
        email: str(f, 'email', true),
        ...(engineAccountId === undefined ? {} : { engineAccountId }),
        ...(feeTier === undefined ? {} : { feeTier }),
      });
    },
  },
  'create-key': {
    summary: 'create an API key; prints the secret ONCE (only its sha256 is stored)',
    usage:
      'create-key --email <email> [--scopes read,trade] [--ip 10.0.0.0/8,1.2.3.4] [--ed25519-public-key <hex|base64|@file.pem>] ' +
      '[--generate-ed25519] [--rate-limit <orders per 10 s>] [--max-sessions <n>] [--label <text>]',
    flags: {
      email: 'owner',
      scopes: 'comma list of read, trade, withdraw, admin (default read,trade)',
      ip: 'comma list of IPs/CIDRs allowed (default: any)',
      'ed25519-public-key':
        'public key for signed logon: 64 hex chars, base64, or @path to a PEM file',
      'generate-ed25519': 'generate a key pair; prints the private key (PEM) once',
      'rate-limit': 'orders per 10 s (default 100)',
      'max-sessions': 'concurrent sessions (default 5)',
      label: 'a note shown in key lists',
    },
    run: async (ctx, f) => {
      let publicKey: Buffer | undefined;
      let privateKeyPem: string | undefined;
      const pk = str(f, 'ed25519-public-key');
      if (pk !== undefined)
        publicKey = parseEd25519PublicKey(
          pk.startsWith('@') ? readFileSync(pk.slice(1), 'utf8') : pk,
        );
      if (f.has('generate-ed25519')) {
        if (publicKey !== undefined)
          throw new AdminError('give --ed25519-public-key or --generate-ed25519, not both', 2);
        const pair = generateEd25519KeyPair();
        publicKey = pair.publicKeyRaw;
        privateKeyPem = pair.privateKeyPem;
      }
      const scopes = list(f, 'scopes');
      const ip = list(f, 'ip');
      const ordersPer10s = optInt(f, 'rate-limit', 1, 1_000_000);
      const maxSessions = optInt(f, 'max-sessions', 1, 1000);
      const label = str(f, 'label');
      const key = await createApiKey(ctx, {
        email: str(f, 'email', true),
        ...(scopes === undefined ? {} : { scopes }),
        ...(ip === undefined ? {} : { ipWhitelist: ip }),
        ...(publicKey === undefined ? {} : { ed25519PublicKey: publicKey }),
        ...(ordersPer10s === undefined ? {} : { ordersPer10s }),
        ...(maxSessions === undefined ? {} : { maxSessions }),
        ...(label === undefined ? {} : { label }),
      });
      if (!ctx.json) {
        ctx.say?.(
          `API key created (scopes ${key.scopes.join(',')}). The secret is shown ONCE; store it now:`,
        );
        ctx.say?.(`  key:    ${key.prefix}`);
        ctx.say?.(`  secret: ${key.secret}`);
        if (publicKey !== undefined)
          ctx.say?.(`  ed25519 public key: ${publicKey.toString('hex')}`);
        if (privateKeyPem !== undefined)
          ctx.say?.(`  ed25519 private key (shown once):\n${privateKeyPem}`);
      }
      return {
        ...key,
        ...(privateKeyPem === undefined ? {} : { ed25519PrivateKeyPem: privateKeyPem }),
      };
    },
  },
  'revoke-key': {
    summary: 'revoke an API key (idempotent)',
    usage: 'revoke-key --prefix <key prefix>',
    flags: { prefix: 'the key (its public prefix)' },
    run: async (ctx, f) => {
      const prefix = str(f, 'prefix', true);
      const was = await revokeApiKey(ctx, prefix);
      ctx.say?.(`API key ${prefix}: ${was ? 'revoked' : 'was already revoked'}`);
      return { prefix, revoked: true, wasActive: was };
    },
  },
  'list-keys': {
    summary: 'list API keys (never secrets)',
    usage: 'list-keys [--email <email>]',
    flags: { email: 'only this user' },
    run: async (ctx, f) => {
      const email = str(f, 'email');
      const rows = await ctx.sql<
        {
          email: string;
          prefix: string;
          scopes: string[];
          label: string | null;
          revoked_at: Date | null;
          ed25519: boolean;
        }[]
      >`
        select u.email, k.prefix, k.scopes, k.label, k.revoked_at, k.ed25519_public_key is not null as ed25519
        from api_keys k join users u on u.id = k.user_id
        where ${email === undefined ? ctx.sql`true` : ctx.sql`u.email = ${normaliseEmail(email)}`}
        order by k.created_at`;
      for (const r of rows) {
        ctx.say?.(
          `${r.prefix}  ${r.email}  ${r.scopes.join(',')}${r.ed25519 ? '  ed25519' : ''}` +
            `${r.label ? `  "${r.label}"` : ''}${r.revoked_at ? '  REVOKED' : ''}`,
        );
      }
      return rows;
    },
  },
  deposit: {
    summary: 'credit a deposit THROUGH THE ENGINE (deposits row + DEPOSIT command)',
    usage:
      'deposit (--account <engine account id> | --email <email>) --asset <SYMBOL> --amount <decimal> [--txid <id>]',
    flags: {
      account: 'engine account id',
      email: "or the user's spot account",
      asset: 'asset symbol',
      amount: 'decimal amount, e.g. 1.5',
      txid: 'external reference; the same txid again is a no-op (default: random)',
    },
    run: async (ctx, f) => {
      const engineAccountId = await resolveAccount(ctx.sql, f);
      const txid = str(f, 'txid');
      return deposit(ctx, {
        engineAccountId,
        asset: str(f, 'asset', true),
        amount: str(f, 'amount', true),
        ...(txid === undefined ? {} : { txid }),
      });
    },
  },
  'add-asset': {
    summary: 'define an asset in Postgres and the engine (ADD_ASSET)',
    usage: 'add-asset --symbol <SYM> --precision <0..18> [--engine-asset-id <n>]',
    flags: {
      symbol: 'A-Z0-9',
      precision: 'decimal places',
      'engine-asset-id': 'default: next free',
    },
    run: (ctx, f) => {
      const id = optInt(f, 'engine-asset-id', 1, 1023);
      return ensureAsset(ctx, {
        symbol: str(f, 'symbol', true),
        precision: intFlag(f, 'precision', 0, 18),
        ...(id === undefined ? {} : { engineAssetId: id }),
      });
    },
  },
  'add-market': {
    summary: 'define a market in Postgres and the engine (ADD_MARKET, exact integer scales)',
    usage:
      'add-market --symbol BASE-QUOTE --tick-size <dec> --lot-size <dec> --min-qty <dec> --min-notional <dec> ' +
      '[--price-band-bps 500] [--engine-market-id <n>] [--shard <n>]',
    flags: {
      symbol: 'BASE-QUOTE (both assets must exist)',
      'tick-size': 'price step',
      'lot-size': 'quantity step',
      'min-qty': 'minimum order quantity (a multiple of the lot size)',
      'min-notional': 'minimum order value in quote',
      'price-band-bps': 'market-order protection band (default 500)',
      'engine-market-id': 'default: next free',
      shard: 'engine shard (default 0)',
    },
    run: (ctx, f) => {
      const id = optInt(f, 'engine-market-id', 1, 4095);
      const band = optInt(f, 'price-band-bps', 1, MAX_PRICE_BAND_BPS);
      const shard = optInt(f, 'shard', 0, 1023);
      return ensureMarket(ctx, {
        symbol: str(f, 'symbol', true),
        tickSize: str(f, 'tick-size', true),
        lotSize: str(f, 'lot-size', true),
        minQuantity: str(f, 'min-qty', true),
        minNotional: str(f, 'min-notional', true),
        ...(id === undefined ? {} : { engineMarketId: id }),
        ...(band === undefined ? {} : { priceBandBps: band }),
        ...(shard === undefined ? {} : { shardId: shard }),
      });
    },
  },
  'add-fee-tier': {
    summary: 'create or update a fee tier (rate changes are pushed to its accounts with SET_FEES)',
    usage: 'add-fee-tier --name <name> --maker-bps <n> --taker-bps <n> [--min-volume <dec>]',
    flags: {
      name: `tier name ("${BASE_FEE_TIER}" applies to accounts without a tier)`,
      'maker-bps': `maker fee, ${MIN_MAKER_FEE_BPS}..${MAX_MAKER_FEE_BPS} (negative = rebate)`,
      'taker-bps': `taker fee, 0..${MAX_TAKER_FEE_BPS}`,
      'min-volume': 'informational volume threshold (default 0)',
    },
    run: (ctx, f) =>
      ensureFeeTier(ctx, {
        name: str(f, 'name', true),
        makerFeeBps: intFlag(f, 'maker-bps', -10000, 10000),
        takerFeeBps: intFlag(f, 'taker-bps', 0, 10000),
        minVolume: str(f, 'min-volume') ?? '0',
      }),
  },
  'set-fees': {
    summary: 'move an account to a fee tier (Postgres + SET_FEES)',
    usage: 'set-fees (--account <engine account id> | --email <email>) --tier <name>',
    flags: {
      account: 'engine account id',
      email: "or the user's spot account",
      tier: 'fee tier name',
    },
    run: async (ctx, f) =>
      setAccountFeeTier(ctx, await resolveAccount(ctx.sql, f), str(f, 'tier', true)),
  },
  'sync-engine': {
    summary: 're-send all assets, markets and accounts to the engine (after a journal loss)',
    usage: 'sync-engine',
    flags: {},
    run: (ctx) => syncEngine(ctx),
  },
  'seed-demo': {
    summary: 'seed the demo reference data and a funded demo trader (what npm start does)',
    usage: 'seed-demo [--email demo@example.com]',
    flags: { email: 'demo trader (default demo@example.com)' },
    run: async (ctx, f) => {
      await seedReferenceData(ctx, feeAccountIdFromEnv());
      const r = await ensureDemoTrader(ctx, {
        email: str(f, 'email') ?? 'demo@example.com',
        keyLabel: 'demo',
      });
      if (r.key !== undefined && !ctx.json) {
        ctx.say?.(`demo API key (shown once): key ${r.key.prefix} secret ${r.key.secret}`);
      } else if (r.existingKeyPrefix !== undefined) {
        ctx.say?.(
          `demo API key exists: ${r.existingKeyPrefix} (its secret was shown when it was created)`,
        );
      }
      return r;
    },
  },
  migrate: {
    summary: 'apply pending migrations (same as npm run migrate)',
    usage: 'migrate',
    flags: {},
    run: async (ctx) => {
      const applied = await applyMigrations(ctx.sql);
      ctx.say?.(applied.length === 0 ? 'schema up to date' : `applied ${applied.join(', ')}`);
      return { applied };
    },
  },
};

/** ENGINE_FEE_ACCOUNT_ID as the engine reads it (default 1). */
export function feeAccountIdFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ENGINE_FEE_ACCOUNT_ID;
  if (raw === undefined || raw === '') return 1;
  if (!/^\d+$/.test(raw))
    throw new AdminError(`ENGINE_FEE_ACCOUNT_ID: expected an integer, got ${raw}`, 2);
  return Number(raw);
}

function usage(): string {
  const lines = [
    'usage: npm run admin -- <command> [options]   (add --json for machine-readable output)',
    '',
    'commands:',
  ];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(15)} ${c.summary}`);
  lines.push(
    '',
    "`npm run admin -- <command> --help` describes a command's options.",
    'Environment: DATABASE_URL, ENGINE_HOST/ENGINE_PORT (or ENGINE_SOCKET), ENGINE_FEE_ACCOUNT_ID.',
    'Exit codes: 0 ok, 1 failed, 2 bad usage, 3 Postgres or the engine unreachable.',
  );
  return lines.join('\n');
}

function commandHelp(name: string, c: CommandDef): string {
  const lines = [`usage: npm run admin -- ${c.usage}`, '', c.summary];
  const entries = Object.entries(c.flags);
  if (entries.length > 0) {
    lines.push('', 'options:');
    for (const [f, d] of entries) lines.push(`  --${f.padEnd(20)} ${d}`);
  }
  lines.push(`  --${'json'.padEnd(20)} print the result as JSON`);
  void name;
  return lines.join('\n');
}

/** Parses `--a b --c=d --flag` into a map; positional arguments are refused. */
export function parseFlags(args: readonly string[]): Flags {
  const flags: Flags = new Map();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) throw new AdminError(`unexpected argument ${JSON.stringify(a)}`, 2);
    const eq = a.indexOf('=');
    if (eq > 0) {
      flags.set(a.slice(2, eq), a.slice(eq + 1));
    } else {
      const next = args[i + 1];
      if (next !== undefined && (!next.startsWith('--') || /^--?\d/.test(next))) {
        flags.set(a.slice(2), next);
        i++;
      } else {
        flags.set(a.slice(2), true);
      }
    }
  }
  return flags;
}

/** The CLI; returns the exit code. `io` receives stdout/stderr lines (tests capture them). */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  io: { out: (line: string) => void; err: (line: string) => void } = {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  },
): Promise<number> {
  const out = io.out;
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(usage());
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS[name];
  if (cmd === undefined) {
    io.err(`admin: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  let ctx: ReturnType<typeof openContext> | undefined;
  try {
    const flags = parseFlags(rest);
    if (flags.has('help') || rest.includes('-h')) {
      out(commandHelp(name, cmd));
      return 0;
    }
    const json = flags.delete('json');
    for (const f of flags.keys()) {
      if (!(f in cmd.flags)) throw new AdminError(`${name}: unknown option --${f} (see --help)`, 2);
    }
    const config = loadConfig();
    ctx = openContext(config, json ? undefined : out);
    await checkPostgres(ctx.sql, config.databaseUrl);
    const result = await cmd.run({ ...ctx, json }, flags);
    if (json) out(JSON.stringify(result ?? null));
    return 0;
  } catch (err) {
    const code = err instanceof AdminError ? err.exitCode : 1;
    const msg = err instanceof Error ? err.message : String(err);
    const pgCode = (err as { code?: string }).code;
    io.err(`admin ${name}: ${msg}${pgCode && !(err instanceof AdminError) ? ` (${pgCode})` : ''}`);
    return code;
  } finally {
    await ctx?.close().catch(() => undefined);
  }
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`admin: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
