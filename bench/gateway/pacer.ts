// Pacer thread of one load worker, for the fixed-rate (open-loop) phase: it
// sleeps (Atomics.wait with sub-millisecond timeouts, no spinning) until the
// next intended send time, then writes every order that is due straight to
// its connection's socket (write(2) on the socket's descriptor) and goes back
// to sleep. The worker thread only reads the responses.
//
// Why the pacer writes itself: when it only poked the worker (a message per
// wake-up) the worker sent the orders, so every order waited for the worker's
// event loop as well, which was busy reading responses; on this 2-core machine
// that was 0.8-1.5 ms of the slowest 1%'s latency, spent before the order
// left the load generator.
//
// Sharing the sockets: the worker writes nothing to them while the pacer runs
// (logons are done, and its other writes happen in the saturation phase). The
// per-request slots (intended and written times, whether recorded) are shared
// memory the pacer fills before the write(2) that sends the order; the
// worker reads them after the read(2) that brings the response, and the two
// system calls order the accesses.
//
// Wake-up lateness (timer slack) is measured and reported: it is part of the
// measured latency, which always counts from the intended send time.
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { epochMs } from './clock';
import { newOrderMessageLength, writeNewOrderMessage } from './wire';

/** Request slots per connection (a request id's slot is id & (SLOTS - 1)). */
export const SLOTS = 1 << 14;

/** Memory one load worker shares with its pacer (views by connection). */
export interface SharedSlots {
  /** Float64 [conn * SLOTS + slot]: intended send time (epoch ms); NaN = not in flight. */
  starts: SharedArrayBuffer;
  /** Float64 [conn * SLOTS + slot]: when it was written (epoch ms). */
  written: SharedArrayBuffer;
  /** Uint8 [conn * SLOTS + slot]: 1 = its latency is recorded. */
  record: SharedArrayBuffer;
  /** Int32 [conn]: next request id. */
  nextIds: SharedArrayBuffer;
  /** Int32 [conn]: requests sent (Atomics). */
  sent: SharedArrayBuffer;
  /** Uint8 [conn]: side of the next order (index into the bodies). */
  side: SharedArrayBuffer;
}

export function newSharedSlots(connections: number): SharedSlots {
  const slots = connections * SLOTS;
  const s: SharedSlots = {
    starts: new SharedArrayBuffer(slots * 8),
    written: new SharedArrayBuffer(slots * 8),
    record: new SharedArrayBuffer(slots),
    nextIds: new SharedArrayBuffer(connections * 4),
    sent: new SharedArrayBuffer(connections * 4),
    side: new SharedArrayBuffer(connections),
  };
  new Float64Array(s.starts).fill(Number.NaN);
  return s;
}

export interface PacerData {
  /** Intended time of order 0 (epoch ms). */
  t0: number;
  intervalMs: number;
  total: number;
  /** Wake this much before the intended time (ms) to absorb timer slack. */
  earlyMs: number;
  /** Orders intended up to this far past the wake-up are sent on it (ms). */
  lookaheadMs: number;
  /** Orders intended in [recordFrom, recordTo) are recorded. */
  recordFrom: number;
  recordTo: number;
  /** Socket descriptor per connection; -1 = closed (its orders are skipped). */
  fds: number[];
  /** WebSocket masking key per connection, 4 bytes each. */
  masks: Uint8Array;
  /** The NewOrder bodies, by side. */
  bodies: Uint8Array[];
  slots: SharedSlots;
}

export interface PacerLateness {
  p50: number;
  p99: number;
  max: number;
}

/** What the pacer reports when its schedule is done. */
export interface PacerDone {
  done: true;
  /** Wake-up time minus the intended time of the first order it sends (negative: early, as asked). */
  latenessUs: PacerLateness;
  /** Orders whose write failed (the connection is then skipped). */
  writeErrors: number;
}

/**
 * Encodes one masked binary frame holding ClientMessage{requestId, body}
 * into `out` at 0; returns its length.
 */
export function writeOrderFrame(
  out: Buffer,
  requestId: number,
  body: Uint8Array,
  masks: Uint8Array,
  conn: number,
): number {
  const len = newOrderMessageLength(requestId, body.length);
  // Orders are small: a 7-bit length, so a 2-byte header plus the mask.
  if (len >= 126) throw new Error(`order frame of ${len} bytes needs a longer header`);
  out[0] = 0x82; // FIN, binary
  out[1] = 0x80 | len;
  const m = conn * 4;
  out[2] = masks[m]!;
  out[3] = masks[m + 1]!;
  out[4] = masks[m + 2]!;
  out[5] = masks[m + 3]!;
  writeNewOrderMessage(out, 6, requestId, body as Buffer);
  for (let i = 0; i < len; i++) out[6 + i]! ^= masks[m + (i & 3)];
  return 6 + len;
}

if (
  parentPort !== null &&
  workerData !== null &&
  (workerData as { pacer?: boolean }).pacer === true
) {
  runPacer(workerData as PacerData, parentPort);
}

function runPacer(d: PacerData, port: NonNullable<typeof parentPort>): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const starts = new Float64Array(d.slots.starts);
  const written = new Float64Array(d.slots.written);
  const record = new Uint8Array(d.slots.record);
  const nextIds = new Int32Array(d.slots.nextIds);
  const sent = new Int32Array(d.slots.sent);
  const side = new Uint8Array(d.slots.side);
  const bodies = d.bodies.map((b) => Buffer.from(b));
  const fds = d.fds.slice();
  const n = fds.length;
  const frame = Buffer.allocUnsafe(256);
  const lateness = new Float64Array(Math.min(d.total, 100_000));
  let nLateness = 0;
  let writeErrors = 0;
  let k = 0;
  let rr = 0;
  while (k < d.total) {
    const target = d.t0 + k * d.intervalMs;
    const wait = target - d.earlyMs - epochMs();
    if (wait > 0.02) Atomics.wait(sleeper, 0, 0, wait);
    const now = epochMs();
    if (nLateness < lateness.length) lateness[nLateness++] = now - target;
    const horizon = now + d.lookaheadMs;
    while (k < d.total) {
      const intended = d.t0 + k * d.intervalMs;
      if (intended > horizon) break;
      const c = rr;
      rr = rr + 1 === n ? 0 : rr + 1;
      k++;
      const fd = fds[c]!;
      if (fd < 0) continue;
      const id = nextIds[c]!;
      nextIds[c] = id + 1;
      const s = side[c]!;
      side[c] = s ^ 1;
      const len = writeOrderFrame(frame, id, bodies[s]!, d.masks, c);
      const slot = c * SLOTS + (id & (SLOTS - 1));
      const writtenMs = epochMs();
      starts[slot] = Math.min(intended, writtenMs);
      written[slot] = writtenMs;
      record[slot] = intended >= d.recordFrom && intended < d.recordTo ? 1 : 0;
      Atomics.add(sent, c, 1);
      let off = 0;
      try {
        // Non-blocking socket: a full send buffer (EAGAIN) waits for the
        // next wake-up; a connection that fails is dropped from the schedule
        // (its request stays unanswered and is counted as such).
        while (off < len) {
          try {
            off += fs.writeSync(fd, frame, off, len - off);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
            Atomics.wait(sleeper, 0, 0, 0.05);
          }
        }
      } catch {
        writeErrors++;
        fds[c] = -1;
      }
    }
  }
  const sorted = lateness.subarray(0, nLateness).sort();
  const at = (q: number): number =>
    Math.round((sorted[Math.min(nLateness - 1, Math.floor(q * nLateness))] ?? 0) * 1000);
  const done: PacerDone = {
    done: true,
    latenessUs: { p50: at(0.5), p99: at(0.99), max: at(1) },
    writeErrors,
  };
  port.postMessage(done);
}
