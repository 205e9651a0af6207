// Markets and assets as operators define them in Postgres, with the engine
// ids that route orders (markets.engine_market_id -> markets.shard_id) and
// the sizes that turn integer ticks and lots into decimal strings for REST.
// Re-read every GATEWAY_REFERENCE_REFRESH_MS; a failed refresh keeps the last good copy.
import Decimal from 'decimal.js';
import type { Sql } from 'postgres';

export interface AssetInfo {
  readonly assetId: number;
  readonly symbol: string;
  readonly precision: number;
  readonly status: string;
}

export interface MarketInfo {
  readonly marketId: number;
  readonly symbol: string;
  readonly shardId: number;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** Engine asset ids (0 when the asset row is missing). */
  readonly baseAssetId: number;
  readonly quoteAssetId: number;
  readonly status: string;
  readonly tickSize: Decimal;
  readonly lotSize: Decimal;
  readonly minQuantity: Decimal;
  readonly minNotional: Decimal;
  readonly priceBandBps: number;
}

interface MarketRow {
  symbol: string;
  engine_market_id: number;
  shard_id: number;
  base_asset: string;
  quote_asset: string;
  status: string;
  tick_size: string;
  lot_size: string;
  min_quantity: string;
  min_notional: string;
  price_band_bps: number;
}

interface AssetRow {
  symbol: string;
  precision: number;
  status: string;
  engine_asset_id: number;
}

export class ReferenceData {
  private marketsById = new Map<number, MarketInfo>();
  private marketsBySymbol = new Map<string, MarketInfo>();
  private assetsBySymbol = new Map<string, AssetInfo>();
  private loadedOnce = false;

  constructor(private readonly sql: Sql) {}

  get loaded(): boolean {
    return this.loadedOnce;
  }

  market(marketId: number): MarketInfo | undefined {
    return this.marketsById.get(marketId);
  }

  marketBySymbol(symbol: string): MarketInfo | undefined {
    return this.marketsBySymbol.get(symbol.toUpperCase());
  }

  markets(): MarketInfo[] {
    return [...this.marketsById.values()].sort((a, b) => a.marketId - b.marketId);
  }

  assets(): AssetInfo[] {
    return [...this.assetsBySymbol.values()].sort((a, b) => a.assetId - b.assetId);
  }

  /** Market ids of one shard. */
  marketsOfShard(shardId: number): number[] {
    const out: number[] = [];
    for (const m of this.marketsById.values()) if (m.shardId === shardId) out.push(m.marketId);
    return out.sort((a, b) => a - b);
  }

  async refresh(): Promise<void> {
    const [assetRows, marketRows] = await Promise.all([
      this.sql<AssetRow[]>`select symbol, precision, status, engine_asset_id from assets`,
      this.sql<MarketRow[]>`
        select symbol, engine_market_id, shard_id, base_asset, quote_asset, status,
               tick_size::text as tick_size, lot_size::text as lot_size,
               min_quantity::text as min_quantity, min_notional::text as min_notional,
               price_band_bps
        from markets`,
    ]);
    const assets = new Map<string, AssetInfo>();
    for (const r of assetRows) {
      assets.set(r.symbol, {
        assetId: r.engine_asset_id,
        symbol: r.symbol,
        precision: r.precision,
        status: r.status,
      });
    }
    const byId = new Map<number, MarketInfo>();
    const bySymbol = new Map<string, MarketInfo>();
    for (const r of marketRows) {
      const m: MarketInfo = {
        marketId: r.engine_market_id,
        symbol: r.symbol,
        shardId: r.shard_id,
        baseAsset: r.base_asset,
        quoteAsset: r.quote_asset,
        baseAssetId: assets.get(r.base_asset)?.assetId ?? 0,
        quoteAssetId: assets.get(r.quote_asset)?.assetId ?? 0,
        status: r.status,
        tickSize: new Decimal(r.tick_size),
        lotSize: new Decimal(r.lot_size),
        minQuantity: new Decimal(r.min_quantity),
        minNotional: new Decimal(r.min_notional),
        priceBandBps: r.price_band_bps,
      };
      byId.set(m.marketId, m);
      bySymbol.set(m.symbol, m);
    }
    this.assetsBySymbol = assets;
    this.marketsById = byId;
    this.marketsBySymbol = bySymbol;
    this.loadedOnce = true;
  }
}

/** ticks x tick size as a plain decimal string. */
export function priceString(m: MarketInfo, ticks: number): string {
  return m.tickSize.mul(ticks).toFixed();
}

/** lots x lot size as a plain decimal string. */
export function qtyString(m: MarketInfo, lots: number): string {
  return m.lotSize.mul(lots).toFixed();
}
