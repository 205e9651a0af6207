// Seeding a shard's state when the journal no longer starts at seq 1 (the
// engine trims it below its latest snapshot once settlement has applied it):
// the gateway reads the engine's own snapshot from Redis
// (engine/process/snapshot-store.ts), restores it with the engine's decoder,
// and takes the book levels and open orders from it; the journal tail after
// the snapshot is then applied as usual. Open orders older than the snapshot
// get cum_quote_atoms estimated as filled x price x quote atoms per tick-lot
// (exact for fills as a maker at the order's own price), and replays cannot
// reach before the journal's first entry (REPLAY_UNAVAILABLE).
import type Redis from 'ioredis';
import { Engine } from '../engine/engine';
import { SnapshotStore } from '../engine/process/snapshot-store';
import { type MarketConfig, Side } from '../engine/types';
import type { MarketData } from './market-data';
import { OrderState, type ReportBuilder } from './reports';

export interface SeedResult {
  /** The snapshot's last seq: the journal is applied from the next one. */
  readonly lastSeq: number;
  readonly markets: number;
  readonly orders: number;
}

/** Seeds book mirrors and open orders from the shard's latest snapshot; undefined when there is none. */
export async function seedFromSnapshot(
  redis: Redis,
  shardId: number,
  marketData: MarketData,
  builder: ReportBuilder,
): Promise<SeedResult | undefined> {
  const snap = await new SnapshotStore(redis, shardId).read();
  if (snap === undefined) return undefined;
  const engine = Engine.restore(snap.engineBytes);
  const configs: MarketConfig[] = [];
  engine.forEachMarket((config) => configs.push(config));
  let orders = 0;
  for (const config of configs) {
    const book = marketData.ensure(config.marketId);
    book.clear();
    for (const side of [Side.BUY, Side.SELL]) {
      let price = -1;
      let qty = 0;
      let count = 0;
      const flush = (): void => {
        if (price >= 0) book.setLevel(side, price, qty, count);
      };
      engine.forEachRestingOrder(config.marketId, side, (o) => {
        if (o.priceTicks !== price) {
          flush();
          price = o.priceTicks;
          qty = 0;
          count = 0;
        }
        qty += o.remainingLots;
        count++;
        const st = new OrderState(
          o.orderId,
          o.accountId,
          o.marketId,
          o.side,
          1, // resting orders are limit orders
          o.timeInForce,
          o.priceTicks,
          o.qtyLots,
          false,
          o.clientOrderId,
          0,
        );
        st.filledLots = o.filledLots;
        st.cumQuoteAtoms = o.filledLots * o.priceTicks * config.quoteAtomsPerTickLot;
        builder.orders.set(o.orderId, st);
        orders++;
      });
      flush();
    }
    book.seq = snap.lastSeq;
  }
  marketData.resetBbo();
  return { lastSeq: snap.lastSeq, markets: configs.length, orders };
}
