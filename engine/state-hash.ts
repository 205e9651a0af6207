// A SHA-256 over the canonical walk of a StateView. Not on the hot path: the
// engine process records it in the journal every so often, and recovery and
// the differential tests compare it.
import { createHash, type Hash } from 'node:crypto';
import type { RestingOrderView, StateView } from './state-view';
import type { MarketConfig, MarketStatus } from './types';

const SIDES = [1, 2] as const;

class Digest {
  private readonly hash: Hash = createHash('sha256');
  private readonly buf = Buffer.alloc(8);
  num(n: number): void {
    // Every engine number is a safe integer; doubles encode them exactly.
    this.buf.writeDoubleLE(n, 0);
    this.hash.update(this.buf);
  }
  str(s: string): void {
    this.num(s.length);
    this.hash.update(s, 'utf8');
  }
  tag(t: number): void {
    this.num(-1_000_000 - t);
  }
  hex(): string {
    return this.hash.digest('hex');
  }
}

export function hashState(view: StateView): string {
  const d = new Digest();
  d.tag(1);
  d.num(view.lastSeq);
  d.num(view.nextOrderId);
  d.num(view.nextTradeId);
  d.num(view.feeAccountId);
  d.tag(2);
  view.forEachAsset((assetId) => d.num(assetId));
  d.tag(3);
  view.forEachAccount((accountId, maker, taker) => {
    d.num(accountId);
    d.num(maker);
    d.num(taker);
  });
  d.tag(4);
  view.forEachBalance((accountId, assetId, available, locked) => {
    d.num(accountId);
    d.num(assetId);
    d.num(available);
    d.num(locked);
  });
  d.tag(5);
  const markets: MarketConfig[] = [];
  view.forEachMarket((m: MarketConfig, status: MarketStatus) => {
    markets.push(m);
    d.num(m.marketId);
    d.num(m.baseAssetId);
    d.num(m.quoteAssetId);
    d.num(m.baseAtomsPerLot);
    d.num(m.quoteAtomsPerTickLot);
    d.num(m.minQtyLots);
    d.num(m.maxQtyLots);
    d.num(m.maxPriceTicks);
    d.num(m.minNotionalAtoms);
    d.num(m.priceBandBps);
    d.num(m.allowSelfTrade ? 1 : 0);
    d.num(status);
  });
  for (const m of markets) {
    for (const side of SIDES) {
      d.tag(6);
      d.num(m.marketId);
      d.num(side);
      view.forEachRestingOrder(m.marketId, side, (o: RestingOrderView) => {
        d.num(o.orderId);
        d.num(o.accountId);
        d.num(o.priceTicks);
        d.num(o.qtyLots);
        d.num(o.filledLots);
        d.num(o.remainingLots);
        d.num(o.timeInForce);
        d.num(o.stpMode);
        d.num(o.postOnly ? 1 : 0);
        d.str(o.clientOrderId);
      });
    }
  }
  d.tag(7);
  view.forEachPendingWithdrawal((refId, accountId, assetId, amount) => {
    d.num(refId);
    d.num(accountId);
    d.num(assetId);
    d.num(amount);
  });
  d.tag(8);
  view.forEachDepositRef((refId) => d.num(refId));
  d.tag(9);
  view.forEachWithdrawalRef((refId) => d.num(refId));
  // Armed dead-man's switches. The tag is written only when there is one, so
  // the digest of a state without switches is what it was before they existed.
  let tagged = false;
  view.forEachDeadManSwitch((accountId, marketId, deadlineUs, timeoutMs) => {
    if (!tagged) {
      d.tag(10);
      tagged = true;
    }
    d.num(accountId);
    d.num(marketId);
    d.num(deadlineUs);
    d.num(timeoutMs);
  });
  return d.hex();
}
