// A bare engine link for the load generator: one TCP connection, frames
// parsed in place (no per-frame objects, no promise or Map per request), and
// the socket's file descriptor exposed so a pacer worker can write pre-encoded
// frames to it directly (write(2) from the worker: no cross-thread hop on the
// send path). This thread only reads; its event loop blocks in epoll, so each
// answer is timestamped the moment its chunk arrives.
import net from 'node:net';

export const FRAME_HEADER_BYTES = 4;

/** LinkMessage body field tags (field << 3 | 2). */
export const TAG_RESULT = 0x0a;
export const TAG_PONG = 0x22;
export const TAG_REJECT = 0x32;

/**
 * Called once per frame: `now` is the arrival time of the chunk that completed
 * it (us, hrtime), the payload is buf[start, end) and only valid during the call.
 */
export type FrameHandler = (buf: Buffer, start: number, end: number, now: number) => void;

export function nowUs(): number {
  return Number(process.hrtime.bigint()) / 1000;
}

/** Reads the varint at buf[p]; the position after it is left in `varintEnd`. */
export let varintEnd = 0;
export function varintAt(buf: Uint8Array, p: number): number {
  let v = 0;
  let mul = 1;
  for (;;) {
    const b = buf[p++]!;
    v += (b & 127) * mul;
    if (b < 128) break;
    mul *= 128;
  }
  varintEnd = p;
  return v;
}

/**
 * The correlation id of a result or reject payload (field 1 of the body), or
 * for a pong its echoed time_us (field 1 too); 0 when absent.
 */
export function firstFieldOf(buf: Buffer, start: number): number {
  varintAt(buf, start + 1); // body length
  const p = varintEnd;
  if (buf[p] !== 0x08) return 0;
  return varintAt(buf, p + 1);
}

/**
 * Reject reason of a payload: a CommandResult's reject_reason (field 3, present
 * only when non-zero), a LinkReject's reason; 0 for an accepted command.
 */
export function rejectOf(buf: Buffer, start: number, end: number): number {
  const tag = buf[start];
  if (tag !== TAG_RESULT) return tag === TAG_REJECT ? 1 : -1;
  varintAt(buf, start + 1);
  let p = varintEnd;
  // CommandResult fields in order: 1 corr, 2 seq, 3 reason.
  for (let f = 0; f < 2 && p < end; f++) {
    const t = buf[p];
    if (t === 0x08 || t === 0x10) {
      varintAt(buf, p + 1);
      p = varintEnd;
    }
  }
  if (p < end && buf[p] === 0x18) return varintAt(buf, p + 1);
  return 0;
}

export class RawLink {
  private pending: Buffer | undefined;
  private closedFlag = false;
  onFrame: FrameHandler = () => {};

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {
      this.closedFlag = true;
    });
    socket.on('close', () => {
      this.closedFlag = true;
    });
  }

  /** TCP to `port` on `host`, or a Unix socket when `port` is a path. */
  static connect(port: number | string, host = '127.0.0.1'): Promise<RawLink> {
    return new Promise((resolve, reject) => {
      const s =
        typeof port === 'string' ? net.connect({ path: port }) : net.connect({ host, port });
      s.once('error', reject);
      s.once('connect', () => {
        s.removeListener('error', reject);
        resolve(new RawLink(s));
      });
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** The OS file descriptor (Linux/macOS TCP handle). */
  get fd(): number {
    const fd = (this.socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (typeof fd !== 'number' || fd < 0) throw new Error('no file descriptor for the link');
    return fd;
  }

  write(buf: Uint8Array): boolean {
    return this.socket.write(buf);
  }

  close(): Promise<void> {
    if (this.closedFlag) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, 1_000).unref();
    });
  }

  private onData(chunk: Buffer): void {
    const now = nowUs();
    let buf = chunk;
    if (this.pending !== undefined) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let off = 0;
    const n = buf.length;
    const h = this.onFrame;
    while (n - off >= FRAME_HEADER_BYTES) {
      const len = buf.readUInt32LE(off);
      const start = off + FRAME_HEADER_BYTES;
      if (n - start < len) break;
      h(buf, start, start + len, now);
      off = start + len;
    }
    if (off < n) this.pending = Buffer.from(buf.subarray(off));
  }
}

/** Appends varint n at buf[p]; returns the next position. */
export function putVarint(buf: Uint8Array, p: number, n: number): number {
  while (n > 127) {
    buf[p++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  buf[p++] = n;
  return p;
}

/** Appends frame [u32 len][LinkRequest {1: corr, 3: command}] at buf[p]; returns the next position. */
export function putCommandFrame(buf: Buffer, p: number, corr: number, command: Uint8Array): number {
  const start = p;
  p += FRAME_HEADER_BYTES;
  buf[p++] = 0x08;
  p = putVarint(buf, p, corr);
  buf[p++] = 0x1a;
  p = putVarint(buf, p, command.length);
  buf.set(command, p);
  p += command.length;
  buf.writeUInt32LE(p - start - FRAME_HEADER_BYTES, start);
  return p;
}

/** Appends frame [u32 len][LinkRequest {1: corr, 5: ping {1: timeUs}}] at buf[p]. */
export function putPingFrame(buf: Buffer, p: number, corr: number, timeUs: number): number {
  const start = p;
  p += FRAME_HEADER_BYTES;
  buf[p++] = 0x08;
  p = putVarint(buf, p, corr);
  buf[p++] = 0x2a;
  const lenAt = p++;
  buf[p++] = 0x08;
  const q = putVarint(buf, p, timeUs);
  buf[lenAt] = q - p + 1;
  p = q;
  buf.writeUInt32LE(p - start - FRAME_HEADER_BYTES, start);
  return p;
}
