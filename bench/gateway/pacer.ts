// Pacer thread of one load worker: sleeps (Atomics.wait with sub-millisecond
// timeouts, no spinning) until the next intended send time of the worker's
// open-loop schedule and pokes the worker with a message; the worker then
// sends every order that is due. A poke is skipped while the previous one is
// unhandled (shared flag), so a busy worker gets one wake-up, not a backlog.
// Wake-up lateness (timer slack) is measured and reported: it is part of the
// measured latency, which always counts from the intended send time.
import { parentPort, workerData } from 'node:worker_threads';
import { epochMs } from './clock';

export interface PacerData {
  /** Intended time of order 0 (epoch ms). */
  t0: number;
  intervalMs: number;
  total: number;
  /** Wake this much before the intended time (ms) to absorb timer slack. */
  earlyMs: number;
  /** Int32Array[2]: [0] = poke pending (1) / handled (0); [1] never changes (sleep target). */
  flag: SharedArrayBuffer;
}

if (
  parentPort !== null &&
  workerData !== null &&
  (workerData as { pacer?: boolean }).pacer === true
) {
  const d = workerData as PacerData & { pacer: true };
  const port = parentPort;
  const i32 = new Int32Array(d.flag);
  const lateness: number[] = [];
  let k = 0;
  while (k < d.total) {
    const target = d.t0 + k * d.intervalMs;
    const wait = target - d.earlyMs - epochMs();
    if (wait > 0.02) Atomics.wait(i32, 1, 0, wait);
    const now = epochMs();
    if (lateness.length < 100_000) lateness.push(now - target);
    if (Atomics.compareExchange(i32, 0, 0, 1) === 0) port.postMessage(0);
    // Everything intended up to now is the worker's to send on this poke.
    k = Math.max(k + 1, Math.floor((now - d.t0) / d.intervalMs) + 1);
  }
  lateness.sort((a, b) => a - b);
  port.postMessage({
    done: true,
    latenessP50Us: Math.round((lateness[lateness.length >> 1] ?? 0) * 1000),
  });
}
