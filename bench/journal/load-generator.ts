// Drives the engine over one link. Saturation keeps a window of commands in
// flight and waits for answers in the event loop (no spinning). A fixed-rate
// run sends on a schedule and measures each acknowledgement from the command's
// INTENDED send time (so a stall delays and counts every command due during
// it: no coordinated omission). The schedule is kept by a pacer worker thread
// that sleeps with Atomics.wait (real sleeps, never a busy loop) and posts
// "n commands are due" to this thread, whose event loop otherwise blocks in
// epoll, so answers are timestamped the moment they arrive.
import { Worker } from 'node:worker_threads';
import type { LinkClient } from '../../proto/link-client';
import type { CommandStream } from './command-stream';
import { LatencyHistogram } from './latency-histogram';

export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** The pacer: posts the number of commands due so far; sleeps in between. */
const PACER = `
const { parentPort, workerData } = require('node:worker_threads');
const { startUs, intervalUs, total } = workerData;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const now = () => Number(process.hrtime.bigint() / 1000n);
let posted = 0;
while (posted < total) {
  const t = now();
  const due = Math.min(total, t < startUs ? 0 : Math.floor((t - startUs) / intervalUs) + 1);
  if (due > posted) {
    parentPort.postMessage(due);
    posted = due;
  }
  const next = startUs + posted * intervalUs;
  const wait = next - now();
  if (wait > 0) Atomics.wait(sleeper, 0, 0, wait / 1000);
}
`;

/** Reject reason of a LinkMessage payload (CommandResult field 3; a LinkReject counts as its reason). */
function rejectOf(payload: Buffer): number {
  // LinkMessage.result (field 1) -> CommandResult: field 3 = reject_reason.
  if (payload[0] !== 0x0a) return -1;
  let p = 1;
  while (payload[p]! & 0x80) p++;
  p++;
  // CommandResult fields in order: 1 corr, 2 seq, 3 reason (present only when non-zero).
  for (let f = 0; f < 2; f++) {
    const tag = payload[p];
    if (tag === 0x08 || tag === 0x10) {
      p++;
      while (payload[p]! & 0x80) p++;
      p++;
    }
  }
  if (payload[p] === 0x18) return payload[p + 1]!;
  return 0;
}

export interface RunResult {
  sent: number;
  acked: number;
  rejected: number;
  seconds: number;
  latency: LatencyHistogram;
}

/** Keeps `window` commands in flight for `seconds`; counts acknowledgements. */
export async function saturate(
  client: LinkClient,
  stream: CommandStream,
  seconds: number,
  window: number,
  maxCommands = Number.POSITIVE_INFINITY,
): Promise<RunResult> {
  const latency = new LatencyHistogram();
  let acked = 0;
  let rejected = 0;
  let sent = 0;
  let wake: (() => void) | undefined;
  const start = nowUs();
  const end = start + seconds * 1e6;
  const onAnswer = (err: Error | undefined, payload: Buffer | undefined) => {
    if (err === undefined && payload !== undefined) {
      if (rejectOf(payload) === 0) acked++;
      else rejected++;
    }
    if (wake !== undefined && client.inFlight <= window / 2) {
      const w = wake;
      wake = undefined;
      w();
    }
  };
  while (nowUs() < end && sent < maxCommands && !client.closed) {
    while (client.inFlight < window && sent < maxCommands) {
      client.sendCommandBytes(stream.next(), onAnswer);
      sent++;
    }
    client.flush();
    await new Promise<void>((r) => {
      wake = r;
    });
  }
  while (client.inFlight > 0 && !client.closed) await new Promise((r) => setTimeout(r, 1));
  return { sent, acked, rejected, seconds: (nowUs() - start) / 1e6, latency };
}

/** Sends `ratePerSec` for `seconds`, measuring acknowledgement latency from each intended send time. */
export async function fixedRate(
  client: LinkClient,
  stream: CommandStream,
  ratePerSec: number,
  seconds: number,
): Promise<RunResult> {
  const latency = new LatencyHistogram();
  const total = Math.round(ratePerSec * seconds);
  const intervalUs = 1e6 / ratePerSec;
  let acked = 0;
  let rejected = 0;
  let sent = 0;
  let answered = 0;
  const start = nowUs() + 20_000;
  const intended = new Float64Array(total);
  const cb = (i: number) => (err: Error | undefined, payload: Buffer | undefined) => {
    answered++;
    if (err !== undefined || payload === undefined) return;
    latency.record(nowUs() - intended[i]!);
    if (rejectOf(payload) === 0) acked++;
    else rejected++;
  };
  const pacer = new Worker(PACER, {
    eval: true,
    workerData: { startUs: start, intervalUs, total },
  });
  await new Promise<void>((resolve, reject) => {
    pacer.on('error', reject);
    pacer.on('message', (due: number) => {
      while (sent < due && !client.closed) {
        intended[sent] = start + sent * intervalUs;
        client.sendCommandBytes(stream.next(), cb(sent));
        sent++;
      }
      client.flush();
      if (sent >= total) resolve();
    });
  });
  await pacer.terminate();
  while (answered < sent && !client.closed) await new Promise((r) => setTimeout(r, 1));
  return { sent, acked, rejected, seconds: (nowUs() - start) / 1e6, latency };
}

/**
 * The same schedule with LinkPing instead of commands: the link and this
 * machine alone (no engine work, no Redis), as a reference for the figures.
 */
export async function fixedRatePings(
  client: LinkClient,
  ratePerSec: number,
  seconds: number,
): Promise<LatencyHistogram> {
  const latency = new LatencyHistogram();
  const total = Math.round(ratePerSec * seconds);
  const intervalUs = 1e6 / ratePerSec;
  const start = nowUs() + 20_000;
  let sent = 0;
  let answered = 0;
  const pacer = new Worker(PACER, {
    eval: true,
    workerData: { startUs: start, intervalUs, total },
  });
  await new Promise<void>((resolve, reject) => {
    pacer.on('error', reject);
    pacer.on('message', (due: number) => {
      while (sent < due && !client.closed) {
        const intended = start + sent * intervalUs;
        client.ping().then(
          () => {
            answered++;
            latency.record(nowUs() - intended);
          },
          () => {
            answered++;
          },
        );
        sent++;
      }
      client.flush();
      if (sent >= total) resolve();
    });
  });
  await pacer.terminate();
  while (answered < sent && !client.closed) await new Promise((r) => setTimeout(r, 1));
  return latency;
}
