// Wall-clock time in microseconds since the Unix epoch (the protocol's unit).
// performance.timeOrigin + performance.now() has sub-millisecond resolution
// and never goes backwards within a process.
import { performance } from 'node:perf_hooks';

const origin = performance.timeOrigin;

export function nowUs(): number {
  return Math.floor((origin + performance.now()) * 1000);
}

export function nowMs(): number {
  return Date.now();
}
