// One load worker (a worker thread): N logged-on connections that send
// NewOrder messages through the gateway.
//
// - fixed rate (open loop): order k of this worker is intended at
//   t0 + k * interval, whatever the responses do. A pacer thread (pacer.ts)
//   sleeps until orders are due and writes them to the sockets itself,
//   round-robin over the connections; this thread reads the responses.
//   Latency = response time - min(intended, actual send): a send delayed by
//   anything (the pacer's timer slack, the machine) counts, so there is no
//   coordinated omission.
// - saturation (closed loop, to find capacity): every connection keeps
//   `window` orders in flight, sent from this thread; acknowledged orders per
//   second are counted.
//
// Orders alternate buy/sell at one price, so they trade with each other's
// resting orders and the book stays shallow.
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { exchange } from '../../proto';
import { epochMs } from './clock';
import { Histogram } from './histogram';
import {
  newSharedSlots,
  type PacerData,
  type PacerDone,
  type PacerLateness,
  type SharedSlots,
  SLOTS,
} from './pacer';
import { RawWs } from './raw-ws';
import {
  BODY,
  newOrderBody,
  newOrderMessageLength,
  type Scan,
  scanServerMessage,
  writeNewOrderMessage,
} from './wire';

export interface LoadWorkerData {
  host: string;
  port: number;
  path: string;
  keys: { apiKey: string; apiSecret: string }[];
  marketId: number;
  priceTicks: number;
  qtyLots: number;
}

export type LoadCommand =
  | {
      type: 'fixed';
      t0: number;
      intervalMs: number;
      total: number;
      recordFrom: number;
      recordTo: number;
      drainMs: number;
      earlyMs: number;
      lookaheadMs: number;
    }
  | { type: 'saturation'; durationMs: number; warmupMs: number; window: number }
  | { type: 'close' };

export interface PhaseResult {
  type: 'result';
  sent: number;
  answered: number;
  accepted: number;
  rejected: Record<string, number>;
  unanswered: number;
  recorded: number;
  /** Orders acknowledged inside the measured window (saturation). */
  ackedInWindow: number;
  windowMs: number;
  histogram: ReturnType<Histogram['toJSON']>;
  /** Gateway receive -> send time of the recorded orders (ns). */
  gatewayHistogram: ReturnType<Histogram['toJSON']>;
  /** Per recorded order (fixed rate), in µs: where its latency went (see Legs). */
  legs: Legs | undefined;
  pacerLatenessUs: PacerLateness;
  closedConnections: number;
  /** Orders the pacer could not write (their connection failed; counted unanswered too). */
  pacerWriteErrors: number;
  /** Messages received by ServerMessage body field number. */
  received: number[];
}

/**
 * Each recorded order's latency split at the four timestamps it has: the
 * intended send time, the load generator's write, the gateway's receive and
 * send stamps (ServerMessage recv/send_time_us; same machine, same clock) and
 * the load generator's read. total = late + up + gateway + down.
 */
export interface Legs {
  n: number;
  /** Whole latency, as the histogram records it. */
  total: Float64Array;
  /** Intended send time -> written by the load generator. */
  late: Float64Array;
  /** Written -> the gateway's receive stamp (kernel, wake-up, the gateway's event loop). */
  up: Float64Array;
  /** The gateway's receive -> send stamps (engine and journal included). */
  gateway: Float64Array;
  /** The gateway's send stamp -> read by the load generator. */
  down: Float64Array;
}

function newLegs(capacity: number): Legs {
  return {
    n: 0,
    total: new Float64Array(capacity),
    late: new Float64Array(capacity),
    up: new Float64Array(capacity),
    gateway: new Float64Array(capacity),
    down: new Float64Array(capacity),
  };
}

const SLOT_MASK = SLOTS - 1;
const FIRST_REQUEST_ID = 1000;

/**
 * One connection. Its request slots live in memory shared with the pacer
 * (which sends the fixed-rate orders), so both threads see them.
 */
class Conn {
  answered = 0;
  dirty = false;
  /** Start time (epoch ms) per request id slot; NaN = not in flight. */
  readonly starts: Float64Array;
  /** When it was written (epoch ms), for the legs. */
  readonly written: Float64Array;
  /** Whether the request's latency is recorded. */
  readonly record: Uint8Array;
  private readonly nextIds: Int32Array;
  private readonly sentCounts: Int32Array;
  private readonly sides: Uint8Array;
  constructor(
    readonly ws: RawWs,
    readonly index: number,
    shared: SharedSlots,
  ) {
    const from = index * SLOTS;
    this.starts = new Float64Array(shared.starts, from * 8, SLOTS);
    this.written = new Float64Array(shared.written, from * 8, SLOTS);
    this.record = new Uint8Array(shared.record, from, SLOTS);
    this.nextIds = new Int32Array(shared.nextIds);
    this.sentCounts = new Int32Array(shared.sent);
    this.sides = new Uint8Array(shared.side);
    this.nextIds[index] = FIRST_REQUEST_ID;
  }

  /** Takes the next request id and side (the pacer does the same while it runs). */
  takeId(): number {
    const id = this.nextIds[this.index]!;
    this.nextIds[this.index] = id + 1;
    return id;
  }

  takeSide(): number {
    const s = this.sides[this.index]!;
    this.sides[this.index] = s ^ 1;
    return s;
  }

  countSent(): void {
    Atomics.add(this.sentCounts, this.index, 1);
  }

  get sent(): number {
    return Atomics.load(this.sentCounts, this.index);
  }

  get inFlight(): number {
    return this.sent - this.answered;
  }

  /** The socket's descriptor, for the pacer's writes (-1 when closed). */
  get fd(): number {
    if (this.ws.isClosed) return -1;
    const fd = (this.ws.socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (typeof fd !== 'number' || fd < 0) throw new Error('no socket descriptor for the pacer');
    return fd;
  }

  reset(): void {
    this.starts.fill(Number.NaN);
    this.answered = 0;
    this.sentCounts[this.index] = 0;
  }
}

if (
  parentPort !== null &&
  workerData !== null &&
  (workerData as { pacer?: boolean }).pacer !== true
) {
  void runWorker(workerData as LoadWorkerData);
}

async function logon(ws: RawWs, key: { apiKey: string; apiSecret: string }): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const scan: Scan = { requestId: 0, body: 0, reason: 0, recvUs: 0, sendUs: 0 };
    const timer = setTimeout(() => reject(new Error('logon timed out')), 10_000);
    ws.onMessage = (payload) => {
      scanServerMessage(payload, scan);
      if (scan.requestId !== 1) return;
      clearTimeout(timer);
      if (scan.body === BODY.LOGON_ACK) resolve();
      else
        reject(new Error(`logon refused: ${exchange.v1.RejectReason[scan.reason] ?? scan.reason}`));
    };
    ws.onClose = (reason) => reject(new Error(`closed during logon: ${reason}`));
    ws.send(
      exchange.v1.ClientMessage.encode({
        requestId: 1,
        logon: {
          apiKeyPrefix: key.apiKey,
          apiSecret: key.apiSecret,
          cancelOnDisconnect: exchange.v1.CancelOnDisconnect.CANCEL_ON_DISCONNECT_OFF,
          heartbeatIntervalMs: 30_000,
        },
      }).finish(),
    );
    ws.flush();
  });
}

async function runWorker(d: LoadWorkerData): Promise<void> {
  const port = parentPort!;
  const bodies = [
    newOrderBody({
      marketId: d.marketId,
      side: exchange.v1.Side.SIDE_BUY,
      orderType: exchange.v1.OrderType.ORDER_TYPE_LIMIT,
      timeInForce: exchange.v1.TimeInForce.TIME_IN_FORCE_GTC,
      priceTicks: d.priceTicks,
      qtyLots: d.qtyLots,
    }),
    newOrderBody({
      marketId: d.marketId,
      side: exchange.v1.Side.SIDE_SELL,
      orderType: exchange.v1.OrderType.ORDER_TYPE_LIMIT,
      timeInForce: exchange.v1.TimeInForce.TIME_IN_FORCE_GTC,
      priceTicks: d.priceTicks,
      qtyLots: d.qtyLots,
    }),
  ];
  const conns: Conn[] = [];
  const shared = newSharedSlots(d.keys.length);
  try {
    await Promise.all(
      d.keys.map(async (key) => {
        const ws = await RawWs.connect(d.host, d.port, d.path);
        await logon(ws, key);
        conns.push(new Conn(ws, conns.length, shared));
      }),
    );
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).message });
    return;
  }

  // ---- per-phase state ----
  let hist = new Histogram();
  let gwHist = new Histogram();
  let answered = 0;
  let accepted = 0;
  let rejected: Record<string, number> = {};
  let ackedInWindow = 0;
  let windowFrom = 0;
  let windowTo = 0;
  let saturation = false;
  let window = 0;
  let running = false;
  let closedConnections = 0;
  let pacerWriteErrors = 0;
  let received: number[] = new Array(32).fill(0);
  const scan: Scan = { requestId: 0, body: 0, reason: 0, recvUs: 0, sendUs: 0 };

  let legs: Legs | undefined;

  /** Saturation phase: queues one order on `c` (sent at the next flush). */
  const sendOrder = (c: Conn, start: number): void => {
    const id = c.takeId();
    const body = bodies[c.takeSide()]!;
    const len = newOrderMessageLength(id, body.length);
    const off = c.ws.reserve(len);
    writeNewOrderMessage(c.ws.outBuffer, off, id, body);
    c.ws.commit(off, len);
    const slot = id & SLOT_MASK;
    c.starts[slot] = start;
    c.written[slot] = start;
    c.record[slot] = 1;
    c.countSent();
    c.dirty = true;
  };

  const onResponse = (c: Conn, now: number): void => {
    const slot = scan.requestId & SLOT_MASK;
    const start = c.starts[slot]!;
    if (Number.isNaN(start)) return;
    c.starts[slot] = Number.NaN;
    c.answered++;
    answered++;
    if (scan.reason === 0 && scan.body === BODY.ORDER_RESPONSE) accepted++;
    else {
      const name = exchange.v1.RejectReason[scan.reason] ?? String(scan.reason);
      rejected[name] = (rejected[name] ?? 0) + 1;
    }
    if (c.record[slot] === 1) {
      hist.record((now - start) * 1e6);
      if (scan.sendUs >= scan.recvUs && scan.recvUs > 0) {
        gwHist.record((scan.sendUs - scan.recvUs) * 1000);
        if (legs !== undefined && legs.n < legs.total.length) {
          const i = legs.n++;
          const writtenUs = c.written[slot]! * 1000;
          const nowUs = now * 1000;
          legs.total[i] = nowUs - start * 1000;
          legs.late[i] = writtenUs - start * 1000;
          legs.up[i] = scan.recvUs - writtenUs;
          legs.gateway[i] = scan.sendUs - scan.recvUs;
          legs.down[i] = nowUs - scan.sendUs;
        }
      }
    }
    if (saturation && now >= windowFrom && now < windowTo) ackedInWindow++;
    if (saturation && running) sendOrder(c, now);
  };

  for (const c of conns) {
    c.ws.onMessage = (payload) => {
      scanServerMessage(payload, scan);
      received[scan.body & 31]!++;
      if (
        scan.requestId >= FIRST_REQUEST_ID &&
        (scan.body === BODY.ORDER_RESPONSE || scan.body === BODY.REJECT)
      ) {
        onResponse(c, epochMs());
      }
    };
    c.ws.onChunkEnd = () => {
      if (c.dirty) {
        c.dirty = false;
        c.ws.flush();
      }
    };
    c.ws.onClose = () => {
      closedConnections++;
    };
  }

  const finish = (unanswered: number, windowMs: number, pacerLatenessUs: PacerLateness): void => {
    const h = hist.toJSON();
    const g = gwHist.toJSON();
    let sent = 0;
    for (const c of conns) sent += c.sent;
    const result: PhaseResult = {
      type: 'result',
      sent,
      answered,
      accepted,
      rejected,
      unanswered,
      recorded: hist.count,
      ackedInWindow,
      windowMs,
      histogram: h,
      gatewayHistogram: g,
      legs,
      pacerLatenessUs,
      closedConnections,
      pacerWriteErrors,
      received,
    };
    const transfer = [h.counts.buffer as ArrayBuffer, g.counts.buffer as ArrayBuffer];
    if (legs !== undefined) {
      for (const a of [legs.total, legs.late, legs.up, legs.gateway, legs.down]) {
        transfer.push(a.buffer as ArrayBuffer);
      }
    }
    port.postMessage(result, transfer);
    legs = undefined;
  };

  const reset = (): void => {
    hist = new Histogram();
    gwHist = new Histogram();
    answered = 0;
    pacerWriteErrors = 0;
    accepted = 0;
    rejected = {};
    received = new Array(32).fill(0);
    ackedInWindow = 0;
    for (const c of conns) c.reset();
  };

  /** Counts what is still unanswered and records it at the drain deadline (no omission). */
  const sweepUnanswered = (deadline: number): number => {
    let n = 0;
    for (const c of conns) {
      for (let i = 0; i < SLOTS; i++) {
        const s = c.starts[i]!;
        if (!Number.isNaN(s)) {
          n++;
          if (c.record[i] === 1) hist.record((deadline - s) * 1e6);
          c.starts[i] = Number.NaN;
        }
      }
    }
    return n;
  };

  const waitDrained = async (maxMs: number): Promise<number> => {
    const deadline = epochMs() + maxMs;
    while (epochMs() < deadline && conns.some((c) => c.inFlight > 0)) {
      await new Promise((r) => setTimeout(r, 5));
    }
    return sweepUnanswered(epochMs());
  };

  const fixed = async (cmd: Extract<LoadCommand, { type: 'fixed' }>): Promise<void> => {
    reset();
    saturation = false;
    legs = newLegs(cmd.total);
    const masks = new Uint8Array(conns.length * 4);
    for (const c of conns) masks.set(c.ws.maskKey, c.index * 4);
    const pacerData: PacerData & { pacer: true } = {
      pacer: true,
      t0: cmd.t0,
      intervalMs: cmd.intervalMs,
      total: cmd.total,
      earlyMs: cmd.earlyMs,
      lookaheadMs: cmd.lookaheadMs,
      recordFrom: cmd.recordFrom,
      recordTo: cmd.recordTo,
      fds: conns.map((c) => c.fd),
      masks,
      bodies,
      slots: shared,
    };
    const pacer = new Worker(__filename.replace(/load-worker\.(js|ts)$/, 'pacer.$1'), {
      workerData: pacerData,
    });
    const done = await new Promise<PacerDone>((resolve, reject) => {
      pacer.on('error', reject);
      pacer.on('message', (m: PacerDone) => resolve(m));
    });
    await pacer.terminate();
    const unanswered = await waitDrained(cmd.drainMs);
    pacerWriteErrors = done.writeErrors;
    finish(unanswered, cmd.recordTo - cmd.recordFrom, done.latenessUs);
  };

  const saturate = async (cmd: Extract<LoadCommand, { type: 'saturation' }>): Promise<void> => {
    reset();
    saturation = true;
    window = cmd.window;
    running = true;
    const t0 = epochMs();
    windowFrom = t0 + cmd.warmupMs;
    windowTo = windowFrom + cmd.durationMs;
    for (const c of conns) {
      for (let i = 0; i < window; i++) sendOrder(c, t0);
      c.dirty = false;
      c.ws.flush();
    }
    await new Promise((r) => setTimeout(r, cmd.warmupMs + cmd.durationMs));
    running = false;
    const unanswered = await waitDrained(3000);
    saturation = false;
    finish(unanswered, cmd.durationMs, { p50: 0, p99: 0, max: 0 });
  };

  port.on('message', (cmd: LoadCommand) => {
    if (cmd.type === 'fixed') void fixed(cmd);
    else if (cmd.type === 'saturation') void saturate(cmd);
    else {
      for (const c of conns) c.ws.close('bench done');
      port.close();
    }
  });
  port.postMessage({ type: 'ready', connections: conns.length });
}
