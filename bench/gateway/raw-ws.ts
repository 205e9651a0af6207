// A minimal WebSocket client over a raw TCP socket, for the load generator
// only: binary frames out (masked, as RFC 6455 requires of clients) queued
// into one buffer and written with one socket.write per flush (so a burst of
// orders costs one syscall), binary frames in parsed without copying when a
// frame sits inside one chunk. Pings are answered; anything else ends the
// connection. Real applications use the SDK (client/), which uses `ws`.
//
// It allocates nothing per message: reads land in one reused buffer (`onread`)
// and the output buffer is reused once the kernel took all of it. A fresh
// 64 KB buffer per flush had made the load generator scavenge every 46 ms
// ("external memory pressure"), and its pauses were counted as latency.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export class RawWs {
  /** Called with each binary message (the view is valid during the call only). */
  onMessage: (payload: Buffer) => void = () => {};
  onClose: (reason: string) => void = () => {};
  /** Called after every received chunk was processed (flush replies here). */
  onChunkEnd: () => void = () => {};
  private out: Buffer;
  private outLen = 0;
  /** Set by connect() once the upgrade succeeded: reads go to onData from then on. */
  private upgraded = false;
  private pending: Buffer | undefined;
  private readonly mask = randomBytes(4);
  private closed = false;

  private constructor(readonly socket: net.Socket) {
    this.out = Buffer.allocUnsafe(64 * 1024);
    socket.setNoDelay(true);
  }

  private start(leftover: Buffer): void {
    this.upgraded = true;
    this.socket.on('close', () => this.close('socket closed'));
    this.socket.on('error', (err) => this.close(err.message));
    if (leftover.length > 0) queueMicrotask(() => this.onData(leftover));
  }

  /** Connects and performs the HTTP upgrade. */
  static connect(host: string, port: number, path: string, timeoutMs = 5000): Promise<RawWs> {
    return new Promise((resolve, reject) => {
      let ws: RawWs | undefined;
      const readBuffer = Buffer.allocUnsafe(64 * 1024);
      const socket = net.connect({
        host,
        port,
        onread: {
          buffer: readBuffer,
          // The view is valid during this call only (the buffer is reused).
          callback: (n: number, buf: Uint8Array): boolean => {
            const chunk = readBuffer.subarray(0, n);
            if (buf !== readBuffer) throw new Error('onread handed another buffer');
            if (ws!.upgraded) ws!.onData(chunk);
            else onHandshake(chunk);
            return true;
          },
        },
      });
      ws = new RawWs(socket);
      const key = randomBytes(16).toString('base64');
      const expect = createHash('sha1')
        .update(key + GUID)
        .digest('base64');
      let head = Buffer.alloc(0);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`WebSocket handshake with ${host}:${port} timed out`));
      }, timeoutMs);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      const onHandshake = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('error', fail);
        clearTimeout(timer);
        const text = head.subarray(0, end).toString('latin1');
        if (!/^HTTP\/1\.1 101/.test(text)) {
          socket.destroy();
          reject(new Error(`WebSocket upgrade refused: ${text.split('\r\n')[0]}`));
          return;
        }
        const accept = /sec-websocket-accept:\s*(\S+)/i.exec(text)?.[1];
        if (accept !== expect) {
          socket.destroy();
          reject(new Error('bad Sec-WebSocket-Accept'));
          return;
        }
        ws!.start(head.subarray(end + 4));
        resolve(ws!);
      };
    });
  }

  /** The output buffer, valid for writing between reserve() and commit(). */
  get outBuffer(): Buffer {
    return this.out;
  }

  /** This connection's masking key (4 bytes), for a writer that frames its own messages. */
  get maskKey(): Uint8Array {
    return this.mask;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Reserves a binary frame of `len` payload bytes in the output buffer and
   * returns the offset where the (unmasked) payload must be written; call
   * commit(offset, len) after writing it.
   */
  reserve(len: number): number {
    const header = len < 126 ? 2 : len < 65536 ? 4 : 10;
    const need = header + 4 + len;
    if (this.outLen + need > this.out.length) this.grow(need);
    const b = this.out;
    let p = this.outLen;
    b[p++] = 0x82; // FIN, binary
    if (len < 126) b[p++] = 0x80 | len;
    else if (len < 65536) {
      b[p++] = 0x80 | 126;
      b.writeUInt16BE(len, p);
      p += 2;
    } else {
      b[p++] = 0x80 | 127;
      b.writeUInt32BE(0, p);
      b.writeUInt32BE(len, p + 4);
      p += 8;
    }
    this.mask.copy(b, p);
    p += 4;
    return p;
  }

  /** Masks the payload written at `offset` and appends the frame to the output. */
  commit(offset: number, len: number): void {
    const b = this.out;
    const m = this.mask;
    for (let i = 0; i < len; i++) b[offset + i]! ^= m[i & 3];
    this.outLen = offset + len;
  }

  /** Queues one binary message (copying it). */
  send(payload: Uint8Array): void {
    const off = this.reserve(payload.length);
    this.out.set(payload, off);
    this.commit(off, payload.length);
  }

  /** Writes everything queued with one socket.write. */
  flush(): void {
    if (this.outLen === 0 || this.closed) return;
    const chunk = this.out.subarray(0, this.outLen);
    this.outLen = 0;
    this.socket.write(chunk);
    // Written in full at once (the usual case), the bytes are the kernel's and
    // the buffer is free. Otherwise the socket holds on to it until they are
    // written: take a new one.
    if (this.socket.writableLength !== 0) this.out = Buffer.allocUnsafe(this.out.length);
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.onClose(reason);
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.outLen + need));
    this.out.copy(next, 0, 0, this.outLen);
    this.out = next;
  }

  private onData(chunk: Buffer): void {
    let buf = chunk;
    if (this.pending !== undefined) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let p = 0;
    const n = buf.length;
    while (n - p >= 2) {
      const b0 = buf[p]!;
      const b1 = buf[p + 1]!;
      let len = b1 & 127;
      let h = 2;
      if (len === 126) {
        if (n - p < 4) break;
        len = buf.readUInt16BE(p + 2);
        h = 4;
      } else if (len === 127) {
        if (n - p < 10) break;
        len = buf.readUInt32BE(p + 2) * 2 ** 32 + buf.readUInt32BE(p + 6);
        h = 10;
      }
      if (b1 & 0x80) {
        this.close('server sent a masked frame');
        return;
      }
      if (n - p - h < len) break;
      const start = p + h;
      const opcode = b0 & 0x0f;
      p = start + len;
      if (opcode === 2) this.onMessage(buf.subarray(start, start + len));
      else if (opcode === 9) this.pong(buf.subarray(start, start + len));
      else if (opcode === 8) {
        this.close(`server closed (${len >= 2 ? buf.readUInt16BE(start) : 1005})`);
        return;
      } else if (opcode !== 10) {
        this.close(`unexpected opcode ${opcode}${b0 & 0x80 ? '' : ' (fragmented)'}`);
        return;
      }
      if (this.closed) return;
    }
    if (p < n) this.pending = Buffer.from(buf.subarray(p));
    this.onChunkEnd();
  }

  private pong(data: Buffer): void {
    const b = this.out;
    if (this.outLen + 6 + data.length > b.length) this.grow(6 + data.length);
    let p = this.outLen;
    this.out[p++] = 0x8a;
    this.out[p++] = 0x80 | data.length;
    this.mask.copy(this.out, p);
    p += 4;
    for (let i = 0; i < data.length; i++) this.out[p + i] = data[i]! ^ this.mask[i & 3]!;
    this.outLen = p + data.length;
    this.flush();
  }
}
