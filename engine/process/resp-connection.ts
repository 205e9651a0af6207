// The journal's Redis connection: RESP2 written and read by hand on one
// socket. Why not ioredis on this path: per append it built a Command object,
// an argument array, a timeout timer and a concatenated copy of the entry;
// at 20,000 commands/s that was ~40% of everything the engine allocated, and
// the young-generation GC pauses it caused (1-5 ms, several a second) were
// the engine's acknowledgement tail. Here an append is one buffer, encoded
// once, and replies come back in order through one listener; one interval
// checks the oldest reply's deadline for all of them.
//
// Only what the journal needs: AUTH, SELECT, CLIENT SETNAME and SCRIPT LOAD
// at connect, then pipelined EVALSHA. Replies it understands: simple string,
// error, integer and bulk string. Anything else is a protocol error, which
// the owner treats like a broken connection (fail-stop).
import net from 'node:net';
import tls from 'node:tls';
import { SocketWriter } from '../../common/socket-writer';

const CRLF = '\r\n';

/** One reply: a string (simple or bulk), an integer, null (nil bulk), or an error. */
export type RespValue = string | number | null;

export interface RespListener {
  /** Replies in request order; `err` is the error text of a `-` reply. */
  onReply(err: string | null, value: RespValue): void;
  /** Around the replies of one socket read (optional): lets a listener act once per read. */
  onReadStart?(): void;
  onReadEnd?(): void;
  /** The connection is gone (closed, reset, or a protocol error). Called once. */
  onClose(reason: string): void;
}

/** Byte length of the decimal digits of a non-negative integer. */
function digits(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** Bytes one socket read can deliver (reused for every read). */
const READ_BUFFER_BYTES = 64 * 1024;

/** Where onread delivers: the connection, once it exists. */
interface ReadRoute {
  conn: RespConnection | undefined;
  readonly buffer: Buffer;
}

export class RespConnection {
  listener: RespListener | undefined;
  private closedReason: string | undefined;
  // Parser state over the unread bytes.
  private pending: Buffer | undefined;
  private readonly writer: SocketWriter;

  private constructor(private readonly socket: net.Socket) {
    this.writer = new SocketWriter(socket);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.close(`Redis connection error: ${err.message}`));
    socket.on('close', () => this.close('Redis connection closed'));
  }

  /**
   * Connects to a `redis://` or `rediss://` URL (user, password and `/db`
   * honoured), or to `socketPath` (a Unix socket) with the URL's credentials,
   * and names the connection.
   */
  static async connect(
    url: string,
    name: string,
    timeoutMs: number,
    socketPath?: string,
  ): Promise<RespConnection> {
    const u = new URL(url);
    const host = u.hostname === '' ? '127.0.0.1' : u.hostname.replace(/^\[|\]$/g, '');
    const port = u.port === '' ? 6379 : Number(u.port);
    // Plain sockets read into one reused buffer (onread): a fresh ArrayBuffer
    // per read made V8's scavenges spend most of their pause sweeping array
    // buffers. Replies are parsed during the callback (strings are copies; a
    // partial reply is copied into `pending`). TLS sockets take 'data' events.
    const reads: ReadRoute = { conn: undefined, buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES) };
    const onread = {
      buffer: reads.buffer,
      callback: (n: number): boolean => {
        reads.conn?.onData(reads.buffer.subarray(0, n));
        return true;
      },
    };
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s =
        socketPath !== undefined
          ? net.connect({ path: socketPath, onread })
          : u.protocol === 'rediss:'
            ? tls.connect({ host, port, servername: host })
            : net.connect({ host, port, onread });
      const where = socketPath ?? `${host}:${port}`;
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`connect to Redis at ${where} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      s.once(
        socketPath === undefined && u.protocol === 'rediss:' ? 'secureConnect' : 'connect',
        () => {
          clearTimeout(timer);
          s.removeAllListeners('error');
          resolve(s);
        },
      );
    });
    const c = new RespConnection(socket);
    reads.conn = c;
    try {
      const user = decodeURIComponent(u.username);
      const pass = decodeURIComponent(u.password);
      if (pass !== '') {
        await c.call(user !== '' ? ['AUTH', user, pass] : ['AUTH', pass], timeoutMs);
      }
      const db = u.pathname.replace(/^\//, '');
      if (db !== '' && db !== '0') await c.call(['SELECT', db], timeoutMs);
      await c.call(['CLIENT', 'SETNAME', name], timeoutMs);
    } catch (err) {
      c.close(`Redis setup failed: ${(err as Error).message}`);
      throw err;
    }
    return c;
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /**
   * One request and its reply, for setup (nothing else may be in flight).
   * Rejects on an error reply, a timeout or a closed connection.
   */
  call(args: readonly (string | Buffer)[], timeoutMs: number): Promise<RespValue> {
    return new Promise((resolve, reject) => {
      const prev = this.listener;
      const timer = setTimeout(() => {
        this.listener = prev;
        reject(new Error(`Redis ${String(args[0])} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.listener = {
        onReply: (err, value) => {
          clearTimeout(timer);
          this.listener = prev;
          if (err !== null) reject(new Error(err));
          else resolve(value);
        },
        onClose: (reason) => {
          clearTimeout(timer);
          this.listener = prev;
          reject(new Error(reason));
        },
      };
      if (this.closedReason !== undefined) {
        this.listener.onClose(this.closedReason);
        return;
      }
      this.socket.write(RespConnection.encode(args));
    });
  }

  /** A whole RESP array of bulk strings (setup path; allocates freely). */
  static encode(args: readonly (string | Buffer)[]): Buffer {
    const parts: Buffer[] = [Buffer.from(`*${args.length}${CRLF}`)];
    for (const a of args) {
      const b = typeof a === 'string' ? Buffer.from(a) : a;
      parts.push(Buffer.from(`$${b.length}${CRLF}`), b, Buffer.from(CRLF));
    }
    return Buffer.concat(parts);
  }

  /**
   * Bytes needed by putBulk for `len` bytes of payload.
   */
  static bulkBytes(len: number): number {
    return 1 + digits(len) + 2 + len + 2;
  }

  /** Writes a non-negative integer's decimal digits at buf[p] (no string built). */
  static putDecimal(buf: Buffer, p: number, n: number): number {
    const end = p + digits(n);
    let q = end;
    do {
      buf[--q] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    return end;
  }

  /** Writes `$<len>\r\n` at buf[p]; returns the position after it. */
  static putBulkHeader(buf: Buffer, p: number, len: number): number {
    buf[p++] = 0x24; // $
    p = RespConnection.putDecimal(buf, p, len);
    buf[p++] = 13;
    buf[p++] = 10;
    return p;
  }

  /** Writes `*<n>\r\n` at buf[p]; returns the position after it. */
  static putArrayHeader(buf: Buffer, p: number, n: number): number {
    buf[p++] = 0x2a; // *
    p = RespConnection.putDecimal(buf, p, n);
    buf[p++] = 13;
    buf[p++] = 10;
    return p;
  }

  /** Writes a latin1 string as a bulk string at buf[p]. */
  static putBulkString(buf: Buffer, p: number, s: string): number {
    p = RespConnection.putBulkHeader(buf, p, s.length);
    p += buf.write(s, p, 'latin1');
    buf[p++] = 13;
    buf[p++] = 10;
    return p;
  }

  /** Writes a byte range as a bulk string at buf[p]. */
  static putBulkBytes(buf: Buffer, p: number, src: Uint8Array, start: number, end: number): number {
    p = RespConnection.putBulkHeader(buf, p, end - start);
    buf.set(src.subarray(start, end), p);
    p += end - start;
    buf[p++] = 13;
    buf[p++] = 10;
    return p;
  }

  /**
   * Sends the encoded request bytes[start, end). They are written or copied
   * before it returns: the caller may reuse `bytes`.
   */
  send(bytes: Uint8Array, start = 0, end = bytes.length): void {
    if (this.closedReason === undefined) this.writer.write(bytes, start, end);
  }

  /** Closes the socket; the listener hears onClose once (unless already closed). */
  close(reason = 'closed by the engine'): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.socket.destroy();
    this.listener?.onClose(reason);
  }

  // ----------------------------------------------------------- parsing

  /** Bytes read from the socket (valid only during the call). */
  onData(chunk: Buffer): void {
    // The listener at the start of the read hears its end, even if a reply swaps it.
    const l = this.listener;
    l?.onReadStart?.();
    try {
      this.parseChunk(chunk);
    } finally {
      l?.onReadEnd?.();
    }
  }

  private parseChunk(chunk: Buffer): void {
    let buf = chunk;
    if (this.pending !== undefined) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let p = 0;
    const n = buf.length;
    while (p < n && this.closedReason === undefined) {
      const next = this.parseOne(buf, p);
      if (next < 0) break;
      p = next;
    }
    if (p < n && this.closedReason === undefined) this.pending = Buffer.from(buf.subarray(p));
  }

  /** Parses one reply at buf[p] and delivers it; returns the next position, or -1 if incomplete. */
  private parseOne(buf: Buffer, p: number): number {
    const eol = buf.indexOf(13, p + 1);
    if (eol < 0 || eol + 1 >= buf.length) return -1;
    const type = buf[p]!;
    switch (type) {
      case 0x2b: // + simple string
        this.listener?.onReply(null, buf.toString('latin1', p + 1, eol));
        return eol + 2;
      case 0x2d: // - error
        this.listener?.onReply(buf.toString('utf8', p + 1, eol), null);
        return eol + 2;
      case 0x3a: // : integer
        this.listener?.onReply(null, Number(buf.toString('latin1', p + 1, eol)));
        return eol + 2;
      case 0x24: {
        // $ bulk string
        const len = Number(buf.toString('latin1', p + 1, eol));
        if (len === -1) {
          this.listener?.onReply(null, null);
          return eol + 2;
        }
        if (!Number.isSafeInteger(len) || len < 0) {
          this.close(`Redis protocol error: bulk length ${buf.toString('latin1', p + 1, eol)}`);
          return -1;
        }
        const start = eol + 2;
        if (buf.length < start + len + 2) return -1;
        this.listener?.onReply(null, buf.toString('utf8', start, start + len));
        return start + len + 2;
      }
      default:
        this.close(`Redis protocol error: unexpected reply type 0x${type.toString(16)}`);
        return -1;
    }
  }
}
