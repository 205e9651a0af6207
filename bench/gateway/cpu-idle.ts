// The CPU idle policy the gateway benchmark runs under. By default it asks the
// engine and the gateway to hold EXCHANGE_CPU_LATENCY_US=0 (idle CPUs poll,
// common/cpu-latency-qos.ts), the setting for a dedicated low-latency host;
// `--cpu-latency-us off` measures the machine's own policy. Either way the
// report says which, since on a VM the two differ by ~3x at p50.
import { readFileSync } from 'node:fs';
import {
  CpuLatencyQosError,
  currentCpuLatencyUs,
  holdCpuLatency,
} from '../../common/cpu-latency-qos';

export interface CpuIdlePlan {
  /** What the exchange's processes will be asked to hold; undefined = nothing. */
  readonly requestUs: number | undefined;
  /** Why a request that was asked for cannot be made here (then requestUs is undefined). */
  readonly refused: string | undefined;
}

/** Checks that the request can be held here (it is dropped again at once). */
export function planCpuIdle(requestUs: number | undefined): CpuIdlePlan {
  if (requestUs === undefined) return { requestUs: undefined, refused: undefined };
  try {
    holdCpuLatency(requestUs).release();
    return { requestUs, refused: undefined };
  } catch (err) {
    if (err instanceof CpuLatencyQosError) return { requestUs: undefined, refused: err.message };
    throw err;
  }
}

/** The kernel's cpuidle driver ("haltpoll", "intel_idle", "acpi_idle", "none"), if it says. */
export function cpuIdleDriver(): string {
  try {
    return readFileSync('/sys/devices/system/cpu/cpuidle/current_driver', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

export interface CpuIdleReport {
  readonly driver: string;
  readonly requestedUs: number | null;
  /** The smallest request any process holds while measuring (2e9 = none). */
  readonly effectiveUs: number | null;
}

export function cpuIdleReport(plan: CpuIdlePlan): CpuIdleReport {
  return {
    driver: cpuIdleDriver(),
    requestedUs: plan.requestUs ?? null,
    effectiveUs: currentCpuLatencyUs() ?? null,
  };
}

/** The line the benchmark prints. */
export function cpuIdleLine(plan: CpuIdlePlan, r: CpuIdleReport, holder: string): string {
  const head = `CPU idle: cpuidle driver ${r.driver}; `;
  if (plan.refused !== undefined) {
    return `${head}the machine's own idle policy, because the request could not be made: ${plan.refused}`;
  }
  if (plan.requestUs === undefined) {
    return (
      `${head}the machine's own idle policy (no request; effective ${r.effectiveUs ?? 'unknown'} µs). ` +
      '--cpu-latency-us 0 keeps idle CPUs polling, as EXCHANGE_CPU_LATENCY_US=0 does for the exchange'
    );
  }
  return (
    `${head}EXCHANGE_CPU_LATENCY_US=${plan.requestUs} held by ${holder} (effective ${r.effectiveUs ?? 'unknown'} µs)` +
    `${plan.requestUs === 0 ? ': idle CPUs poll instead of halting' : ''}. --cpu-latency-us off measures the machine's own idle policy`
  );
}
