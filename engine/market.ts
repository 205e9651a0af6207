// One market: its configuration (validated by ADD_MARKET), status and the two
// sides of its book. Hot fields are copied out of the config so the matching
// loop reads plain numbers off one monomorphic object.
import { BookSide } from './book-side';
import { MAX_PRICE_BAND_BPS, MAX_SAFE } from './constants';
import type { MarketConfig, MarketStatus } from './types';
import { isPosSafeInt, isSafeInt } from './validate';

export class Market {
  readonly id: number;
  readonly baseAssetId: number;
  readonly quoteAssetId: number;
  readonly baseAtomsPerLot: number;
  readonly quoteAtomsPerTickLot: number;
  readonly minQtyLots: number;
  readonly maxQtyLots: number;
  readonly maxPriceTicks: number;
  readonly minNotionalAtoms: number;
  readonly priceBandBps: number;
  readonly allowSelfTrade: boolean;
  status: MarketStatus;
  readonly bids = new BookSide(1);
  readonly asks = new BookSide(-1);
  /** The fee account's balance slots for this market's base and quote assets. */
  feeBaseSlot = -1;
  feeQuoteSlot = -1;
  /** A detached copy for StateView.forEachMarket and queries. */
  readonly config: Readonly<MarketConfig>;

  constructor(c: Readonly<MarketConfig>, status: MarketStatus) {
    this.id = c.marketId;
    this.baseAssetId = c.baseAssetId;
    this.quoteAssetId = c.quoteAssetId;
    this.baseAtomsPerLot = c.baseAtomsPerLot;
    this.quoteAtomsPerTickLot = c.quoteAtomsPerTickLot;
    this.minQtyLots = c.minQtyLots;
    this.maxQtyLots = c.maxQtyLots;
    this.maxPriceTicks = c.maxPriceTicks;
    this.minNotionalAtoms = c.minNotionalAtoms;
    this.priceBandBps = c.priceBandBps;
    this.allowSelfTrade = c.allowSelfTrade;
    this.status = status;
    this.config = Object.freeze({
      marketId: c.marketId,
      baseAssetId: c.baseAssetId,
      quoteAssetId: c.quoteAssetId,
      baseAtomsPerLot: c.baseAtomsPerLot,
      quoteAtomsPerTickLot: c.quoteAtomsPerTickLot,
      minQtyLots: c.minQtyLots,
      maxQtyLots: c.maxQtyLots,
      maxPriceTicks: c.maxPriceTicks,
      minNotionalAtoms: c.minNotionalAtoms,
      priceBandBps: c.priceBandBps,
      allowSelfTrade: c.allowSelfTrade,
    });
  }
}

/**
 * The ADD_MARKET configuration rules of SEMANTICS "Units and exactness",
 * except asset existence (the caller knows the assets). Returns a normalized
 * copy (-0 as 0, allowSelfTrade by truthiness) or undefined.
 */
export function checkMarketConfig(c: Record<string, unknown>): MarketConfig | undefined {
  const { marketId, baseAssetId, quoteAssetId, baseAtomsPerLot, quoteAtomsPerTickLot } = c;
  const { minQtyLots, maxQtyLots, maxPriceTicks, minNotionalAtoms, priceBandBps } = c;
  if (!isPosSafeInt(marketId) || !isPosSafeInt(baseAssetId) || !isPosSafeInt(quoteAssetId)) {
    return undefined;
  }
  if (!isPosSafeInt(baseAtomsPerLot) || !isPosSafeInt(quoteAtomsPerTickLot)) return undefined;
  if (!isPosSafeInt(minQtyLots) || !isPosSafeInt(maxQtyLots) || !isPosSafeInt(maxPriceTicks)) {
    return undefined;
  }
  if (!isSafeInt(minNotionalAtoms) || minNotionalAtoms < 0) return undefined;
  if (!isSafeInt(priceBandBps) || priceBandBps < 0 || priceBandBps > MAX_PRICE_BAND_BPS) {
    return undefined;
  }
  if (baseAssetId === quoteAssetId || minQtyLots > maxQtyLots) return undefined;
  // Products of safe integers: the double is >= 2^53 exactly when the true
  // product exceeds 2^53 - 1, so these comparisons are exact.
  if (maxPriceTicks * maxQtyLots > MAX_SAFE) return undefined;
  if (maxPriceTicks * maxQtyLots * quoteAtomsPerTickLot > MAX_SAFE) return undefined;
  if (maxQtyLots * baseAtomsPerLot > MAX_SAFE) return undefined;
  if (maxPriceTicks * 20_000 > MAX_SAFE) return undefined;
  return {
    marketId,
    baseAssetId,
    quoteAssetId,
    baseAtomsPerLot,
    quoteAtomsPerTickLot,
    minQtyLots,
    maxQtyLots,
    maxPriceTicks,
    minNotionalAtoms: minNotionalAtoms + 0,
    priceBandBps: priceBandBps + 0,
    allowSelfTrade: Boolean(c.allowSelfTrade),
  };
}
