// The gateway benchmark's targets (issue #5) and what its two references say
// about them: the stub that acks at once (the harness and the machine alone)
// and the relay (the exchange's six hops and batching with none of its
// logic). When a reference misses a target, no exchange built this way could
// meet it on this machine in that run; the lines say so instead of leaving
// the reader to work it out.

/** Acknowledgement latency percentiles, µs. */
export interface Percentiles {
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export interface Target {
  label: string;
  value: string;
  pass: boolean;
}

export const P99_TARGET_US = 2_000;
export const P50_OVER_FLOOR_TARGET = 3;
export const SATURATION_TARGET_PER_SEC = 50_000;

/** p50 / floor rounded to 0.01; 0 when there is no floor to divide by. */
export function overFloor(p50Us: number, floorUs: number): number {
  return floorUs > 0 ? Math.round((p50Us / floorUs) * 100) / 100 : 0;
}

export function targetsOf(run: {
  ratePerSec: number;
  connections: number;
  latencyUs: Percentiles;
  floorUs: number;
  /** Acknowledged orders/s at saturation; undefined when that phase did not run. */
  saturationPerSec: number | undefined;
}): Target[] {
  const ratio = overFloor(run.latencyUs.p50, run.floorUs);
  const targets: Target[] = [
    {
      label: `p99 < 2 ms at ${run.ratePerSec}/s over ${run.connections} connections`,
      value: `${run.latencyUs.p99} µs`,
      pass: run.latencyUs.p99 < P99_TARGET_US,
    },
    {
      label: 'p50 < 3 x floor',
      value: `${ratio}x (${run.latencyUs.p50} / ${run.floorUs} µs)`,
      pass: ratio > 0 && ratio < P50_OVER_FLOOR_TARGET,
    },
  ];
  if (run.saturationPerSec !== undefined) {
    targets.push({
      label: '>= 50000 acknowledged orders/s at saturation',
      value: `${run.saturationPerSec}/s`,
      pass: run.saturationPerSec >= SATURATION_TARGET_PER_SEC,
    });
  }
  return targets;
}

export interface ReferenceVerdicts {
  /** The stub's p99 is under the target (undefined: no stub run). */
  p99ReachableHere: boolean | undefined;
  /** The relay's p50 / floor (null: no relay run). */
  relayP50OverFloor: number | null;
  /** One line each, indented for the report. */
  lines: string[];
}

export function referenceVerdicts(refs: {
  floorUs: number;
  stub: Percentiles | undefined;
  relay: Percentiles | undefined;
}): ReferenceVerdicts {
  const lines: string[] = [];
  const { stub, relay, floorUs } = refs;
  // Every order's round trip contains a WebSocket round trip between the
  // same load generator and a uWS server on the same schedule: when the stub
  // alone misses the p99 target, no gateway could meet it in this run.
  const p99ReachableHere = stub === undefined ? undefined : stub.p99 < P99_TARGET_US;
  if (stub !== undefined) {
    lines.push(
      p99ReachableHere
        ? `  the stub reference's p99 (${stub.p99} µs) leaves ${Math.round(P99_TARGET_US - stub.p99)} µs of the 2 ms p99 budget to the gateway, engine and journal`
        : `  p99 target not reachable on this machine in this run: the stub reference alone has p99 ${stub.p99} µs >= 2000 µs`,
    );
  }
  let relayP50OverFloor: number | null = null;
  if (relay !== undefined) {
    // The relay has the exchange's processes, hops and batching and nothing
    // else: when it misses, the topology alone misses on this machine now.
    lines.push(
      relay.p99 < P99_TARGET_US
        ? `  the relay reference's p99 (${relay.p99} µs): the six hops alone leave ${Math.round(P99_TARGET_US - relay.p99)} µs of the 2 ms budget to the exchange's own work`
        : `  the relay reference alone has p99 ${relay.p99} µs >= 2000 µs: the exchange's six hops miss the p99 target on this machine in this run with no exchange logic at all`,
    );
    relayP50OverFloor = overFloor(relay.p50, floorUs);
    if (floorUs > 0) {
      lines.push(
        relayP50OverFloor < P50_OVER_FLOOR_TARGET
          ? `  the relay reference's p50 is ${relayP50OverFloor}x the floor: the six hops alone leave ${Math.round(P50_OVER_FLOOR_TARGET * floorUs - relay.p50)} µs of the 3x p50 budget to the exchange's own work`
          : `  the relay reference alone has p50 ${relayP50OverFloor}x the floor (${relay.p50} / ${floorUs} µs) >= 3x: the exchange's six hops miss the p50 target on this machine in this run with no exchange logic at all`,
      );
    }
  }
  return { p99ReachableHere, relayP50OverFloor, lines };
}
