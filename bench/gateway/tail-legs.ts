// Where the slowest orders' time went, from the per-order legs the load
// workers record (load-worker.ts Legs).
import type { PhaseResult } from './load-worker';

export interface TailLegs {
  /** Orders in the slice. */
  count: number;
  lateUs: number;
  clientToGatewayUs: number;
  inGatewayUs: number;
  gatewayToClientUs: number;
}

/**
 * Where the time of the slowest orders went: the mean of each leg over the
 * orders whose whole latency is at or above the `pct` percentile (legs of
 * one order add up to its latency; percentiles of legs would not).
 */
export function tailLegs(results: readonly PhaseResult[], pct: number): TailLegs | undefined {
  let n = 0;
  for (const r of results) n += r.legs?.n ?? 0;
  if (n === 0) return undefined;
  const totals = new Float64Array(n);
  let k = 0;
  for (const r of results) {
    const l = r.legs;
    if (l !== undefined) for (let i = 0; i < l.n; i++) totals[k++] = l.total[i]!;
  }
  const sorted = totals.slice().sort();
  const threshold = sorted[Math.min(n - 1, Math.floor((n * pct) / 100))]!;
  const sum = { count: 0, late: 0, up: 0, gw: 0, down: 0 };
  for (const r of results) {
    const l = r.legs;
    if (l === undefined) continue;
    for (let i = 0; i < l.n; i++) {
      if (l.total[i]! < threshold) continue;
      sum.count++;
      sum.late += l.late[i]!;
      sum.up += l.up[i]!;
      sum.gw += l.gateway[i]!;
      sum.down += l.down[i]!;
    }
  }
  const mean = (x: number): number => Math.round((10 * x) / sum.count) / 10;
  return {
    count: sum.count,
    lateUs: mean(sum.late),
    clientToGatewayUs: mean(sum.up),
    inGatewayUs: mean(sum.gw),
    gatewayToClientUs: mean(sum.down),
  };
}
