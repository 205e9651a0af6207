// Drives the engine over a bare link (raw-link.ts). Saturation keeps a window
// of commands in flight and refills it from the answer handler (no spinning,
// one socket write per refill). A fixed-rate run sends on a schedule and
// measures each acknowledgement from the command's INTENDED send time (so a
// stall delays and counts every command due during it: no coordinated
// omission).
//
// The fixed-rate send path: every frame of the run is encoded before it
// starts into a SharedArrayBuffer; a pacer worker thread owns the sending. It
// sleeps with Atomics.wait (real sleeps of a fraction of a millisecond, never
// a busy loop), and at each wake-up writes ALL the frames due by then with one
// write(2) on the link's file descriptor. No postMessage hop, no allocation
// and no per-command syscall on the send path. This thread only reads: its
// event loop blocks in epoll, so each answer is timestamped on arrival and
// matched to its intended send time by correlation id (index arithmetic, no
// per-command state).
import { readFileSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { CommandStream } from './command-stream';
import { LatencyHistogram } from './latency-histogram';
import {
  firstFieldOf,
  nowUs,
  putCommandFrame,
  putPingFrame,
  type RawLink,
  rejectOf,
  TAG_PONG,
  TAG_REJECT,
  TAG_RESULT,
} from './raw-link';

export { nowUs };

/** The pacer: writes the frames due so far to the link's fd; sleeps in between. */
const PACER = `
const { parentPort, workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { fd, frames, offsets, progress, startUs, intervalUs, total, quantumUs } = workerData;
const bytes = new Uint8Array(frames);
const offs = new Int32Array(offsets);
const prog = new Int32Array(progress);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const now = () => Number(process.hrtime.bigint()) / 1000;
let sent = 0;
let writes = 0;
let wakeups = 0;
let eagain = 0;
let maxBehindUs = 0;
// Send lateness per command (actual write time - intended), 10 us buckets up to 100 ms.
const late = new Float64Array(10001);
// Per wake-up: how long past its deadline the sleep ended, and how long the write took.
const oversleep = new Float64Array(10001);
const writeTook = new Float64Array(10001);
let sleptUntil = 0;
let oversleepMaxUs = 0;
let writeMaxUs = 0;
while (sent < total) {
  const t = now();
  if (sleptUntil > 0) {
    if (t - sleptUntil > oversleepMaxUs) oversleepMaxUs = t - sleptUntil;
    const o = Math.min(10000, Math.floor((t - sleptUntil) / 10));
    oversleep[o < 0 ? 0 : o]++;
  }
  let due = t < startUs ? 0 : Math.floor((t - startUs) / intervalUs) + 1;
  if (due > total) due = total;
  if (due > sent) {
    const behind = t - (startUs + sent * intervalUs);
    if (behind > maxBehindUs) maxBehindUs = behind;
    let from = offs[sent];
    const to = offs[due];
    while (from < to) {
      try {
        from += writeSync(fd, bytes, from, to - from);
      } catch (e) {
        if (e.code !== 'EAGAIN') throw e;
        eagain++;
        Atomics.wait(sleeper, 0, 0, 0.1);
      }
    }
    const tw = now();
    writeTook[Math.min(10000, Math.floor((tw - t) / 10))]++;
    if (tw - t > writeMaxUs) writeMaxUs = tw - t;
    for (let i = sent; i < due; i++) {
      const b = Math.min(10000, Math.floor((tw - (startUs + i * intervalUs)) / 10));
      late[b < 0 ? 0 : b]++;
    }
    writes++;
    sent = due;
    Atomics.store(prog, 0, sent);
    if (sent >= total) break;
  }
  const next = startUs + sent * intervalUs;
  let wait = next - now();
  if (wait < quantumUs) wait = quantumUs;
  wakeups++;
  sleptUntil = now() + wait;
  Atomics.wait(sleeper, 0, 0, wait / 1000);
}
const pctOf = (h, q) => {
  let n = 0;
  for (let b = 0; b < h.length; b++) n += h[b];
  let acc = 0;
  for (let b = 0; b < h.length; b++) {
    acc += h[b];
    if (acc >= q * n) return b * 10 + 5;
  }
  return h.length * 10;
};
parentPort.postMessage({
  writes, wakeups, eagain, maxBehindUs,
  sendLateP50Us: pctOf(late, 0.5), sendLateP99Us: pctOf(late, 0.99),
  oversleepP50Us: pctOf(oversleep, 0.5), oversleepP99Us: pctOf(oversleep, 0.99),
  writeP50Us: pctOf(writeTook, 0.5), writeP99Us: pctOf(writeTook, 0.99),
  oversleepMaxUs, writeMaxUs,
});
`;

export interface PacerStats {
  writes: number;
  wakeups: number;
  eagain: number;
  maxBehindUs: number;
  /** Write time minus intended send time, per command (10 us resolution). */
  sendLateP50Us: number;
  sendLateP99Us: number;
  /** How far past its deadline a sleep ended, per wake-up (10 us resolution). */
  oversleepP50Us: number;
  oversleepP99Us: number;
  /** How long one write(2) of the due frames took, per wake-up. */
  writeP50Us: number;
  writeP99Us: number;
  oversleepMaxUs: number;
  writeMaxUs: number;
}

export interface RunResult {
  sent: number;
  acked: number;
  rejected: number;
  seconds: number;
  latency: LatencyHistogram;
  pacer?: PacerStats;
}

/** Keeps `window` commands in flight for `seconds`; counts acknowledgements. */
export function saturate(
  link: RawLink,
  stream: CommandStream,
  seconds: number,
  window: number,
  maxCommands = Number.POSITIVE_INFINITY,
): Promise<RunResult> {
  const latency = new LatencyHistogram(0);
  let acked = 0;
  let rejected = 0;
  let sent = 0;
  let inFlight = 0;
  let corr = 0;
  const start = nowUs();
  const end = start + seconds * 1e6;
  const refillAt = Math.floor((window * 3) / 4);
  let out = Buffer.allocUnsafe(window * 96);
  let stopped = false;
  const refill = () => {
    if (stopped) return;
    if (sent >= maxCommands || nowUs() >= end) {
      stopped = true;
      return;
    }
    let p = 0;
    const n = Math.min(window - inFlight, maxCommands - sent);
    for (let k = 0; k < n; k++) {
      const cmd = stream.next();
      if (p + 32 + cmd.length > out.length) {
        const bigger = Buffer.allocUnsafe(out.length * 2);
        out.copy(bigger, 0, 0, p);
        out = bigger;
      }
      p = putCommandFrame(out, p, ++corr, cmd);
    }
    sent += n;
    inFlight += n;
    // The socket may keep a reference to what it could not write at once.
    link.write(Buffer.from(out.subarray(0, p)));
  };
  return new Promise<RunResult>((resolve) => {
    const done = () => {
      clearInterval(watch);
      link.onFrame = () => {};
      resolve({ sent, acked, rejected, seconds: (nowUs() - start) / 1e6, latency });
    };
    link.onFrame = (buf, s, e) => {
      const tag = buf[s];
      if (tag !== TAG_RESULT && tag !== TAG_REJECT) return;
      inFlight--;
      if (rejectOf(buf, s, e) === 0) acked++;
      else rejected++;
      if (inFlight <= refillAt) refill();
      if (stopped && inFlight === 0) done();
    };
    const watch = setInterval(() => {
      if (link.closed) done();
    }, 100);
    refill();
    if (stopped && inFlight === 0) done();
  });
}

interface Schedule {
  frames: SharedArrayBuffer;
  offsets: SharedArrayBuffer;
}

/** Encodes `total` frames (frame i has correlation id i + 1) into shared memory. */
function encodeSchedule(
  total: number,
  put: (buf: Buffer, p: number, i: number) => number,
): Schedule {
  let buf = Buffer.allocUnsafe(total * 64 + 1024);
  const offs = new Int32Array(new SharedArrayBuffer((total + 1) * 4));
  let p = 0;
  for (let i = 0; i < total; i++) {
    if (p + 512 > buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, p);
      buf = bigger;
    }
    offs[i] = p;
    p = put(buf, p, i);
  }
  offs[total] = p;
  const frames = new SharedArrayBuffer(p);
  buf.copy(new Uint8Array(frames), 0, 0, p);
  return { frames, offsets: offs.buffer as SharedArrayBuffer };
}

/** Pacer wake-ups never closer than this (us): 0 = as close as the schedule asks. */
const QUANTUM_US = Number(process.env.BENCH_PACER_QUANTUM_US ?? '0');

/**
 * Timer slack for the pacer thread (ns), opt-in. Linux ends a sleep with a
 * timeout up to the thread's timer slack late (50 us by default: here every
 * Atomics.wait ends 65-70 us after its deadline, so each wake-up sends the
 * commands due in the last ~65 us together). A thread inherits the slack of
 * the thread that creates it, so with BENCH_PACER_SLACK_NS set the pacer is
 * created with that slack (1000: sleeps end 12-16 us late, commands leave
 * ~25 us after their intended time instead of ~65 us). NOT the default: on two
 * cores the engine then gets one command per batch (1.45 commands per commit
 * instead of ~2.5 at 20k/s) and its per-batch cost (one fenced XADD, one reply
 * write, one wake-up each) roughly doubled the ack p50 (316-347 us against
 * 153-167 us, interleaved runs). Not touched when unset.
 */
const PACER_SLACK_NS = process.env.BENCH_PACER_SLACK_NS;
const SLACK_FILE = '/proc/self/timerslack_ns';

/** Starts the pacer thread (with PACER_SLACK_NS as its timer slack when set). */
function startPacer(workerData: Record<string, unknown>): Worker {
  let saved: string | undefined;
  if (PACER_SLACK_NS !== undefined) {
    try {
      saved = readFileSync(SLACK_FILE, 'utf8').trim();
      writeFileSync(SLACK_FILE, PACER_SLACK_NS);
    } catch {
      saved = undefined;
    }
  }
  try {
    return new Worker(PACER, { eval: true, workerData });
  } finally {
    if (saved !== undefined) writeFileSync(SLACK_FILE, saved);
  }
}

/**
 * Runs the schedule: the pacer writes frame i at start + i * interval; each
 * answer (matched by `indexOf`, which returns -1 for other frames) is
 * measured from that intended time.
 */
async function runSchedule(
  link: RawLink,
  sched: Schedule,
  total: number,
  ratePerSec: number,
  indexOf: (buf: Buffer, s: number, e: number) => number,
  onAnswer: (buf: Buffer, s: number, e: number) => void,
): Promise<{ latency: LatencyHistogram; answered: number; seconds: number; pacer: PacerStats }> {
  const latency = new LatencyHistogram(total);
  const intervalUs = 1e6 / ratePerSec;
  const progress = new SharedArrayBuffer(4);
  let answered = 0;
  const start = nowUs() + 20_000;
  const finished = new Promise<void>((resolve) => {
    const watch = setInterval(() => {
      if (link.closed) {
        clearInterval(watch);
        resolve();
      }
    }, 100);
    link.onFrame = (buf, s, e, now) => {
      const i = indexOf(buf, s, e);
      if (i < 0 || i >= total) return;
      latency.record(now - (start + i * intervalUs));
      onAnswer(buf, s, e);
      if (++answered === total) {
        clearInterval(watch);
        resolve();
      }
    };
  });
  const pacer = startPacer({
    fd: link.fd,
    frames: sched.frames,
    offsets: sched.offsets,
    progress,
    startUs: start,
    intervalUs,
    total,
    quantumUs: QUANTUM_US,
  });
  const stats = new Promise<PacerStats>((resolve, reject) => {
    pacer.once('message', resolve);
    pacer.once('error', reject);
  });
  const pacerStats = await stats;
  await finished;
  link.onFrame = () => {};
  await pacer.terminate();
  return { latency, answered, seconds: (nowUs() - start) / 1e6, pacer: pacerStats };
}

/** Sends `ratePerSec` for `seconds`, measuring acknowledgement latency from each intended send time. */
export async function fixedRate(
  link: RawLink,
  stream: CommandStream,
  ratePerSec: number,
  seconds: number,
): Promise<RunResult> {
  const total = Math.round(ratePerSec * seconds);
  const sched = encodeSchedule(total, (buf, p, i) => putCommandFrame(buf, p, i + 1, stream.next()));
  let acked = 0;
  let rejected = 0;
  const r = await runSchedule(
    link,
    sched,
    total,
    ratePerSec,
    (buf, s) => {
      const tag = buf[s];
      return tag === TAG_RESULT || tag === TAG_REJECT ? firstFieldOf(buf, s) - 1 : -1;
    },
    (buf, s, e) => {
      if (rejectOf(buf, s, e) === 0) acked++;
      else rejected++;
    },
  );
  return {
    sent: total,
    acked,
    rejected,
    seconds: r.seconds,
    latency: r.latency,
    pacer: r.pacer,
  };
}

/**
 * The same schedule with LinkPing instead of commands: the link and this
 * machine alone (no engine work, no Redis), as a reference for the figures.
 * Each ping carries its index + 1 as time_us, which the pong echoes.
 */
export async function fixedRatePings(
  link: RawLink,
  ratePerSec: number,
  seconds: number,
): Promise<LatencyHistogram & { pacer?: PacerStats }> {
  const total = Math.round(ratePerSec * seconds);
  const sched = encodeSchedule(total, (buf, p, i) => putPingFrame(buf, p, i + 1, i + 1));
  const r = await runSchedule(
    link,
    sched,
    total,
    ratePerSec,
    (buf, s) => (buf[s] === TAG_PONG ? firstFieldOf(buf, s) - 1 : -1),
    () => {},
  );
  return Object.assign(r.latency, { pacer: r.pacer });
}
