import t from 'tap';
import type { PhaseResult } from '../load-worker';
import { tailLegs } from '../tail-legs';

function result(rows: number[][]): PhaseResult {
  const n = rows.length;
  const col = (k: number) => Float64Array.from(rows.map((r) => r[k]!));
  return {
    legs: {
      n,
      late: col(0),
      up: col(1),
      gateway: col(2),
      down: col(3),
      total: Float64Array.from(rows.map((r) => r[0]! + r[1]! + r[2]! + r[3]!)),
    },
  } as unknown as PhaseResult;
}

t.test('tail legs: the mean of each leg over the orders at or above the percentile', async (t) => {
  // 100 orders: 98 fast ones, and two slow ones whose time is in different legs.
  const fast = Array.from({ length: 98 }, () => [0, 50, 200, 50]);
  const a = result([...fast.slice(0, 49), [1000, 50, 200, 50]]);
  const b = result([...fast.slice(49), [0, 50, 3000, 50]]);
  const tail = tailLegs([a, b], 99)!;
  t.equal(tail.count, 1, 'only the slowest order is at or above p99 of 100');
  t.same(tail, {
    count: 1,
    lateUs: 0,
    clientToGatewayUs: 50,
    inGatewayUs: 3000,
    gatewayToClientUs: 50,
  });
  const all = tailLegs([a, b], 0)!;
  t.equal(all.count, 100);
  t.equal(all.lateUs, 10);
  t.equal(all.inGatewayUs, (98 * 200 + 200 + 3000) / 100);
  t.equal(tailLegs([{ legs: undefined } as unknown as PhaseResult], 99), undefined);
});
