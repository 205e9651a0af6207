// A client for the engine link: one persistent TCP or Unix stream carrying
// [u32 LE length][LinkRequest] frames out and [u32 LE length][LinkMessage]
// frames back. Requests carry a correlation id the engine echoes; each
// returns a promise (or calls a callback) with the answer. At most
// `maxInFlight` requests are outstanding (more wait for a slot, in order);
// writes respect socket backpressure (queued until 'drain'); event pushes and
// the engine's LinkShutdown go to callbacks; close() ends cleanly and every
// request still waiting is rejected with LinkClosedError. Used by the gateway,
// admin tools, tests and benches.
import net from 'node:net';
import { ExchangeError } from '../common/errors';
import { decodeSafe } from './codec';
import { FRAME_HEADER_BYTES, FrameReader } from './frame';
import { exchange } from './gen/exchange';

export class LinkClosedError extends ExchangeError {
  constructor(message: string) {
    super('E_LINK_CLOSED', message);
  }
}

export interface LinkClientOptions {
  host?: string;
  port?: number;
  /** Unix socket path (instead of host/port). */
  path?: string;
  /** Requests outstanding at once (default 10,000). */
  maxInFlight?: number;
  /** Largest answer accepted (default 64 MiB: a cancel-all can carry many events). */
  maxFrameBytes?: number;
  connectTimeoutMs?: number;
  /** Events of other links' commands (subscribe in hello()). */
  onEvents?: (batch: exchange.v1.EventBatch) => void;
  /** The engine is stopping; the link closes after it. */
  onShutdown?: (shutdown: exchange.v1.LinkShutdown) => void;
  /** A reject that names no request (correlation id 0: an undecodable frame). */
  onUnmatchedReject?: (reject: exchange.v1.LinkReject) => void;
  onClose?: (err: Error | undefined) => void;
}

export type LinkAnswer = exchange.v1.LinkMessage;
type Waiter = (
  err: Error | undefined,
  msg: LinkAnswer | undefined,
  raw: Buffer | undefined,
) => void;

/** Reads a varint at buf[pos]; returns [value, next pos] (value -1 on truncation). */
function varintAt(buf: Uint8Array, pos: number, end: number): [number, number] {
  let v = 0;
  let mul = 1;
  while (pos < end) {
    const b = buf[pos++]!;
    v += (b & 127) * mul;
    if (b < 128) return [v, pos];
    mul *= 128;
  }
  return [-1, pos];
}

/**
 * The correlation id inside a LinkMessage payload (result, order_status,
 * reject and dead_man_switch carry it as their field 1), without decoding the
 * rest; 0 if none.
 */
export function correlationIdOf(payload: Uint8Array): number {
  const [tag, p] = varintAt(payload, 0, payload.length);
  const field = Math.floor(tag / 8);
  if (tag % 8 !== 2 || (field !== 1 && field !== 2 && field !== 6 && field !== 8)) return 0;
  const [len, q] = varintAt(payload, p, payload.length);
  if (len <= 0) return 0;
  const [innerTag, r] = varintAt(payload, q, q + len);
  if (innerTag !== 8) return 0;
  const [corr] = varintAt(payload, r, q + len);
  return corr < 0 ? 0 : corr;
}

export class LinkClient {
  private readonly socket: net.Socket;
  private readonly reader: FrameReader;
  private readonly waiters = new Map<number, { cb: Waiter; raw: boolean }>();
  /** Pongs and hello acks carry no correlation id: answered in order. */
  private readonly pingWaiters: number[] = [];
  private readonly helloWaiters: number[] = [];
  private readonly slotQueue: (() => void)[] = [];
  private readonly writeQueue: Buffer[] = [];
  private writable = true;
  private nextCorr = 1;
  private outstanding = 0;
  private closedErr: Error | undefined;
  private readonly maxInFlight: number;

  private constructor(
    socket: net.Socket,
    private readonly opts: LinkClientOptions,
  ) {
    this.socket = socket;
    this.maxInFlight = opts.maxInFlight ?? 10_000;
    this.reader = new FrameReader(opts.maxFrameBytes ?? 64 * 1024 * 1024);
    socket.setNoDelay(true);
    const onFrame = (payload: Buffer) => this.onFrame(payload);
    socket.on('data', (chunk: Buffer) => {
      const err = this.reader.push(chunk, onFrame);
      if (err !== undefined) this.fail(err);
    });
    socket.on('drain', () => {
      this.writable = true;
      while (this.writable && this.writeQueue.length > 0)
        this.writable = socket.write(this.writeQueue.shift()!);
    });
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(undefined));
  }

  static connect(opts: LinkClientOptions): Promise<LinkClient> {
    return new Promise((resolve, reject) => {
      const socket =
        opts.path !== undefined
          ? net.connect({ path: opts.path })
          : net.connect({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 7100 });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new LinkClosedError('connect timed out'));
      }, opts.connectTimeoutMs ?? 5_000);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new LinkClient(socket, opts));
      });
    });
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.outstanding;
  }

  get closed(): boolean {
    return this.closedErr !== undefined;
  }

  /** LinkHello; resolves with the engine's LinkHelloAck. */
  async hello(clientName: string, subscribeEvents = false): Promise<exchange.v1.LinkHelloAck> {
    const msg = await this.send(
      { hello: { clientName, protocolVersion: 1, subscribeEvents } },
      this.helloWaiters,
    );
    if (msg.helloAck) return msg.helloAck as exchange.v1.LinkHelloAck;
    throw new LinkClosedError(`hello refused: ${msg.reject?.message ?? 'unexpected answer'}`);
  }

  /** A command; resolves with the LinkMessage answering it (result, or reject). */
  command(command: exchange.v1.ICommand): Promise<LinkAnswer> {
    return this.send({ command });
  }

  orderStatus(query: exchange.v1.IOrderStatusQuery): Promise<LinkAnswer> {
    return this.send({ orderStatus: query });
  }

  /** Round trip; resolves with the LinkPong. */
  async ping(timeUs = 0): Promise<exchange.v1.LinkPong> {
    const msg = await this.send({ ping: { timeUs } }, this.pingWaiters);
    return msg.pong as exchange.v1.LinkPong;
  }

  /** Any request body; answered by correlation id (or in order for ping/hello). */
  send(
    body: Omit<exchange.v1.ILinkRequest, 'correlationId'>,
    fifo?: number[],
  ): Promise<LinkAnswer> {
    if (this.closedErr !== undefined) return Promise.reject(this.closedErr);
    if (this.outstanding < this.maxInFlight && this.slotQueue.length === 0)
      return this.sendNow(body, fifo);
    // answered() hands the slot over already counted in `outstanding`.
    return new Promise<void>((resolve) => this.slotQueue.push(resolve)).then(() => {
      if (this.closedErr !== undefined) throw this.closedErr;
      return this.sendNow(body, fifo, true);
    });
  }

  /** Requests waiting for an in-flight slot. */
  get queued(): number {
    return this.slotQueue.length;
  }

  private sendNow(
    body: Omit<exchange.v1.ILinkRequest, 'correlationId'>,
    fifo?: number[],
    slotTaken = false,
  ): Promise<LinkAnswer> {
    return new Promise<LinkAnswer>((resolve, reject) => {
      const corr = this.nextCorr++;
      const cb: Waiter = (err, msg) => (err ? reject(err) : resolve(msg!));
      this.waiters.set(corr, { cb, raw: false });
      if (fifo !== undefined) fifo.push(corr);
      if (!slotTaken) this.outstanding++;
      const payload = exchange.v1.LinkRequest.encode({ ...body, correlationId: corr }).finish();
      this.writeFrame(payload);
    });
  }

  /**
   * Fast path for load generators: sends pre-encoded Command bytes and calls
   * cb with the raw LinkMessage payload (valid only during the call) or an
   * error. Ignores maxInFlight (the caller paces itself). Returns the
   * correlation id used.
   */
  sendCommandBytes(
    command: Uint8Array,
    cb: (err: Error | undefined, payload: Buffer | undefined) => void,
  ): number {
    if (this.closedErr !== undefined) {
      cb(this.closedErr, undefined);
      return 0;
    }
    const corr = this.nextCorr++;
    this.waiters.set(corr, { cb: (err, _m, raw) => cb(err, raw), raw: true });
    this.outstanding++;
    // LinkRequest { 1: corr, 3: command }, appended to the outbox: one socket
    // write per tick however many commands were sent in it.
    this.reserve(FRAME_HEADER_BYTES + 1 + 10 + 1 + 5 + command.length);
    const b = this.outbox;
    const start = this.outPos;
    let p = start + FRAME_HEADER_BYTES;
    b[p++] = 0x08;
    p = writeVarint(b, p, corr);
    b[p++] = 0x1a;
    p = writeVarint(b, p, command.length);
    b.set(command, p);
    p += command.length;
    b.writeUInt32LE(p - start - FRAME_HEADER_BYTES, start);
    this.outPos = p;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(this.flushCb);
    }
    return corr;
  }

  private outbox = Buffer.allocUnsafe(256 * 1024);
  private outPos = 0;
  private flushScheduled = false;
  private readonly flushCb = () => this.flush();

  private reserve(n: number): void {
    if (this.outPos + n <= this.outbox.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.outbox.length * 2, this.outPos + n));
    this.outbox.copy(bigger, 0, 0, this.outPos);
    this.outbox = bigger;
  }

  /** Writes what sendCommandBytes() collected (runs by itself at the end of the tick). */
  flush(): void {
    this.flushScheduled = false;
    if (this.outPos === 0 || this.closedErr !== undefined) return;
    const chunk = Buffer.from(this.outbox.subarray(0, this.outPos));
    this.outPos = 0;
    this.writeRaw(chunk);
  }

  /** Stops sending; waits (up to timeoutMs) for answers in flight, then closes. */
  async close(timeoutMs = 5_000): Promise<void> {
    this.flush();
    if (this.closedErr === undefined && this.outstanding > 0) {
      const deadline = Date.now() + timeoutMs;
      while (this.outstanding > 0 && this.closedErr === undefined && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    if (this.closedErr === undefined) {
      await new Promise<void>((resolve) => {
        this.socket.once('close', () => resolve());
        this.socket.end();
        setTimeout(() => {
          this.socket.destroy();
          resolve();
        }, 1_000).unref();
      });
    }
    this.fail(undefined);
  }

  /** Closes at once; outstanding requests fail. */
  destroy(): void {
    this.socket.destroy();
    this.fail(undefined);
  }

  private writeFrame(payload: Uint8Array): void {
    this.reserve(FRAME_HEADER_BYTES + payload.length);
    this.outbox.writeUInt32LE(payload.length, this.outPos);
    this.outbox.set(payload, this.outPos + FRAME_HEADER_BYTES);
    this.outPos += FRAME_HEADER_BYTES + payload.length;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(this.flushCb);
    }
  }

  private writeRaw(frame: Buffer): void {
    if (this.writable) this.writable = this.socket.write(frame);
    else this.writeQueue.push(frame);
  }

  private answered(): void {
    this.outstanding--;
    while (this.slotQueue.length > 0 && this.outstanding < this.maxInFlight) {
      this.outstanding++;
      this.slotQueue.shift()!();
    }
  }

  private onFrame(payload: Buffer): void {
    const corr = correlationIdOf(payload);
    if (corr !== 0) {
      const w = this.waiters.get(corr);
      if (w !== undefined) {
        this.waiters.delete(corr);
        this.answered();
        if (this.pingWaiters.length > 0 || this.helloWaiters.length > 0) {
          for (const q of [this.pingWaiters, this.helloWaiters]) {
            const i = q.indexOf(corr);
            if (i >= 0) q.splice(i, 1);
          }
        }
        if (w.raw) {
          w.cb(undefined, undefined, payload);
          return;
        }
        const r = decodeSafe(exchange.v1.LinkMessage, payload, Number.MAX_SAFE_INTEGER);
        if (r.ok) w.cb(undefined, r.value, undefined);
        else w.cb(new LinkClosedError(`undecodable answer: ${r.message}`), undefined, undefined);
        return;
      }
    }
    const r = decodeSafe(exchange.v1.LinkMessage, payload, Number.MAX_SAFE_INTEGER);
    if (!r.ok) {
      this.fail(new LinkClosedError(`undecodable frame from the engine: ${r.message}`));
      return;
    }
    const msg = r.value;
    if (msg.events) this.opts.onEvents?.(msg.events as exchange.v1.EventBatch);
    else if (msg.pong) this.fifoAnswer(this.pingWaiters, msg);
    else if (msg.helloAck) this.fifoAnswer(this.helloWaiters, msg);
    else if (msg.shutdown) this.opts.onShutdown?.(msg.shutdown as exchange.v1.LinkShutdown);
    else if (msg.reject) this.opts.onUnmatchedReject?.(msg.reject as exchange.v1.LinkReject);
  }

  private fifoAnswer(q: number[], msg: LinkAnswer): void {
    const corr = q.shift();
    if (corr === undefined) return;
    const w = this.waiters.get(corr);
    if (w === undefined) return;
    this.waiters.delete(corr);
    this.answered();
    w.cb(undefined, msg, undefined);
  }

  private fail(err: Error | undefined): void {
    if (this.closedErr !== undefined) return;
    this.closedErr = new LinkClosedError(err ? `link closed: ${err.message}` : 'link closed');
    if (err !== undefined) this.socket.destroy();
    const e = this.closedErr;
    for (const w of this.waiters.values()) w.cb(e, undefined, undefined);
    this.waiters.clear();
    this.pingWaiters.length = 0;
    this.helloWaiters.length = 0;
    for (const s of this.slotQueue.splice(0)) s();
    this.outstanding = 0;
    this.opts.onClose?.(err);
  }
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n > 127) {
    buf[pos++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}
