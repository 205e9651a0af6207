import t from 'tap';
import { overFloor, type Percentiles, referenceVerdicts, targetsOf } from '../verdicts';

const lat = (p50: number, p99: number): Percentiles => ({ p50, p99, p999: p99 * 2, max: p99 * 3 });

t.test('targets: each passes only strictly inside its bound', async (t) => {
  const pass = targetsOf({
    ratePerSec: 10_000,
    connections: 50,
    latencyUs: lat(299, 1999),
    floorUs: 100,
    saturationPerSec: 50_000,
  });
  t.same(
    pass.map((x) => x.pass),
    [true, true, true],
  );
  t.equal(pass[0]!.label, 'p99 < 2 ms at 10000/s over 50 connections');
  t.equal(pass[1]!.value, '2.99x (299 / 100 µs)');
  t.equal(pass[2]!.value, '50000/s');

  const miss = targetsOf({
    ratePerSec: 10_000,
    connections: 50,
    latencyUs: lat(300, 2000),
    floorUs: 100,
    saturationPerSec: 49_999,
  });
  t.same(
    miss.map((x) => x.pass),
    [false, false, false],
  );
});

t.test(
  'targets: no saturation row when that phase did not run; no floor never passes',
  async (t) => {
    const rows = targetsOf({
      ratePerSec: 2_000,
      connections: 10,
      latencyUs: lat(50, 500),
      floorUs: 0,
      saturationPerSec: undefined,
    });
    t.equal(rows.length, 2);
    t.equal(rows[1]!.pass, false);
    t.equal(overFloor(50, 0), 0);
    t.equal(overFloor(1, 3), 0.33);
  },
);

t.test('references that leave room say how much', async (t) => {
  const v = referenceVerdicts({ floorUs: 100, stub: lat(40, 900), relay: lat(150, 1500) });
  t.equal(v.p99ReachableHere, true);
  t.equal(v.relayP50OverFloor, 1.5);
  t.same(v.lines, [
    "  the stub reference's p99 (900 µs) leaves 1100 µs of the 2 ms p99 budget to the gateway, engine and journal",
    "  the relay reference's p99 (1500 µs): the six hops alone leave 500 µs of the 2 ms budget to the exchange's own work",
    "  the relay reference's p50 is 1.5x the floor: the six hops alone leave 150 µs of the 3x p50 budget to the exchange's own work",
  ]);
});

t.test('references that miss say the target is out of reach in this run', async (t) => {
  const v = referenceVerdicts({ floorUs: 150, stub: lat(80, 2000), relay: lat(450, 3100) });
  t.equal(v.p99ReachableHere, false);
  t.equal(v.relayP50OverFloor, 3);
  t.equal(v.lines.length, 3);
  t.match(v.lines[0]!, /not reachable .* stub reference alone has p99 2000 µs/);
  t.match(v.lines[1]!, /relay reference alone has p99 3100 µs >= 2000 µs/);
  t.match(v.lines[2]!, /relay reference alone has p50 3x the floor \(450 \/ 150 µs\) >= 3x/);
});

t.test('without references there is nothing to say', async (t) => {
  const v = referenceVerdicts({ floorUs: 100, stub: undefined, relay: undefined });
  t.equal(v.p99ReachableHere, undefined);
  t.equal(v.relayP50OverFloor, null);
  t.same(v.lines, []);
  // A relay without a floor: its p99 still speaks, its p50 ratio cannot.
  const noFloor = referenceVerdicts({ floorUs: 0, stub: undefined, relay: lat(100, 1000) });
  t.equal(noFloor.lines.length, 1);
  t.equal(noFloor.relayP50OverFloor, 0);
});
