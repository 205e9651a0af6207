// Wall-clock milliseconds with sub-microsecond resolution, comparable across
// worker threads (each thread's performance.timeOrigin differs; the sum does not).
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
