// A minimal RFC 6455 WebSocket client over node:net / node:tls for tests and
// fuzzing: masked client frames, binary or text, raw bytes on demand
// (truncated or malformed frames), server frames reassembled (continuations
// included), pings answered, close code and reason recorded. Node 20 has no
// WebSocket client without --experimental-websocket, and the `ws` package is
// not a dependency.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';

export interface WsCloseInfo {
  /** Close code from the server's close frame; 1006 when the TCP connection ended without one. */
  code: number;
  reason: string;
}

export interface WsConnectOptions {
  /** TLS: trust this CA / self-signed certificate (PEM). */
  ca?: string | Buffer;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export class WsClient {
  /** Binary and text messages received, in order (text as Buffer too). */
  readonly messages: Array<{ data: Buffer; binary: boolean }> = [];
  closeInfo: WsCloseInfo | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentBinary = true;
  private readonly waiters = new Set<() => void>();
  private closeSent = false;
  readonly closed: Promise<WsCloseInfo>;
  private resolveClosed!: (c: WsCloseInfo) => void;

  private constructor(readonly socket: net.Socket) {
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.closeInfo === undefined) this.closeInfo = { code: 1006, reason: '' };
      this.resolveClosed(this.closeInfo);
      this.wake();
    });
  }

  /** Connects to ws://host:port/path or wss://...; resolves after the 101 handshake. */
  static connect(url: string, opts: WsConnectOptions = {}): Promise<WsClient> {
    const u = new URL(url);
    const secure = u.protocol === 'wss:';
    const port = Number(u.port || (secure ? 443 : 80));
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return new Promise((resolve, reject) => {
      const socket = secure
        ? tls.connect({ host, port, ca: opts.ca, servername: net.isIP(host) ? undefined : host })
        : net.connect({ host, port });
      const key = randomBytes(16).toString('base64');
      const expected = createHash('sha1')
        .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest('base64');
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`WebSocket connect to ${url} timed out`));
      }, opts.timeoutMs ?? 5_000);
      let head = Buffer.alloc(0);
      const onError = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      socket.once('error', onError);
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        const extra = Object.entries(opts.headers ?? {})
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('');
        socket.write(
          `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
        );
      });
      const onHead = (d: Buffer) => {
        head = Buffer.concat([head, d]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onHead);
        socket.off('error', onError);
        clearTimeout(timer);
        const text = head.subarray(0, end).toString('latin1');
        if (
          !/^HTTP\/1\.1 101/.test(text) ||
          !text.toLowerCase().includes(`sec-websocket-accept: ${expected.toLowerCase()}`)
        ) {
          socket.destroy();
          reject(
            new Error(
              `WebSocket upgrade refused: ${text.split('\r\n')[0]} ${head.subarray(end + 4).toString()}`,
            ),
          );
          return;
        }
        const client = new WsClient(socket);
        const rest = head.subarray(end + 4);
        if (rest.length > 0) client.onData(rest);
        resolve(client);
      };
      socket.on('data', onHead);
    });
  }

  get isClosed(): boolean {
    return this.closeInfo !== undefined;
  }

  /** One masked frame: opcode 2 (binary) by default. */
  static frame(payload: Uint8Array, opcode = 2, fin = true): Buffer {
    const len = payload.length;
    const header: number[] = [(fin ? 0x80 : 0) | opcode];
    if (len < 126) header.push(0x80 | len);
    else if (len < 65536) header.push(0x80 | 126, len >> 8, len & 255);
    else {
      header.push(0x80 | 127, 0, 0, 0, 0);
      header.push((len >>> 24) & 255, (len >>> 16) & 255, (len >>> 8) & 255, len & 255);
    }
    const mask = randomBytes(4);
    const out = Buffer.alloc(header.length + 4 + len);
    Buffer.from(header).copy(out, 0);
    mask.copy(out, header.length);
    const off = header.length + 4;
    for (let i = 0; i < len; i++) out[off + i] = payload[i]! ^ mask[i & 3]!;
    return out;
  }

  sendBinary(payload: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(WsClient.frame(payload, 2));
  }

  sendText(text: string): void {
    if (!this.socket.destroyed) this.socket.write(WsClient.frame(Buffer.from(text, 'utf8'), 1));
  }

  sendPing(payload: Uint8Array = Buffer.alloc(0)): void {
    if (!this.socket.destroyed) this.socket.write(WsClient.frame(payload, 9));
  }

  /** Arbitrary bytes on the socket (fuzzing: truncated or invalid frames). */
  sendRaw(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  close(code = 1000, reason = ''): void {
    if (this.closeSent || this.socket.destroyed) return;
    this.closeSent = true;
    const r = Buffer.from(reason, 'utf8');
    const p = Buffer.alloc(2 + r.length);
    p.writeUInt16BE(code, 0);
    r.copy(p, 2);
    this.socket.write(WsClient.frame(p, 8));
  }

  /** Drops the TCP connection without a close frame. */
  destroy(): void {
    this.socket.destroy();
  }

  /** Waits until pred() holds (checked after every received frame) or the connection closes. */
  async waitUntil(pred: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      if (this.isClosed && !pred()) {
        throw new Error(
          `connection closed (${this.closeInfo!.code} ${this.closeInfo!.reason}) while waiting for ${what}`,
        );
      }
      await new Promise<void>((r) => {
        this.waiters.add(r);
        setTimeout(() => {
          this.waiters.delete(r);
          r();
        }, 25);
      });
    }
  }

  private wake(): void {
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    for (;;) {
      const b = this.buf;
      if (b.length < 2) return;
      const fin = (b[0]! & 0x80) !== 0;
      const opcode = b[0]! & 0x0f;
      let len = b[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        off = 10;
      }
      if (b.length < off + len) return;
      const payload = b.subarray(off, off + len);
      this.buf = b.subarray(off + len);
      this.onFrame(fin, opcode, Buffer.from(payload));
    }
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === 8) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      this.closeInfo = { code, reason: payload.subarray(2).toString('utf8') };
      if (!this.closeSent) {
        this.closeSent = true;
        this.socket.write(WsClient.frame(payload.subarray(0, 2), 8));
      }
      this.socket.end();
      this.wake();
      return;
    }
    if (opcode === 9) {
      this.socket.write(WsClient.frame(payload, 10));
      return;
    }
    if (opcode === 10) return;
    if (opcode === 1 || opcode === 2) {
      this.fragmentBinary = opcode === 2;
      this.fragments = [payload];
    } else if (opcode === 0) {
      this.fragments.push(payload);
    } else return;
    if (!fin) return;
    const data = this.fragments.length === 1 ? this.fragments[0]! : Buffer.concat(this.fragments);
    this.fragments = [];
    this.messages.push({ data, binary: this.fragmentBinary });
    this.wake();
  }
}
