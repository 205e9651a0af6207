// Engine links: TCP (and a Unix socket where configured) carrying
// [u32 LE length][LinkRequest] frames. Everything a peer can send is judged
// here before it reaches the sequencer: an oversized frame gets a
// MESSAGE_TOO_LARGE reject and the link is closed (framing cannot continue);
// undecodable bytes get MALFORMED_MESSAGE and an empty or unknown body
// UNSUPPORTED_MESSAGE (the link stays open: framing is intact); none of them
// reaches the state machine or stops the process.
import { existsSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { assert } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { SocketWriter } from '../../common/socket-writer';
import { decodeSafe } from '../../proto/codec';
import { FrameReader } from '../../proto/frame';
import { exchange } from '../../proto/gen/exchange';
import {
  LINK_READ_BUFFER_BYTES,
  MAX_FRAME_BYTES,
  MAX_LINK_OUTBOUND_BYTES,
  MAX_LINKS,
} from './limits';
import { LinkReason, writeReject, writeShutdown } from './link-messages';
import { type ScannedLinkRequest, scanLinkRequest } from './proto-reader';
import { ProtoWriter } from './proto-writer';
import { adoptWithReusedReadBuffer } from './reused-read-socket';

export interface LinkHandler {
  onHello(link: Link, correlationId: number, hello: exchange.v1.ILinkHello): void;
  /** The exchange.v1.Command is buf[start, end), valid only during the call. */
  onCommand(link: Link, correlationId: number, buf: Uint8Array, start: number, end: number): void;
  onOrderStatus(link: Link, correlationId: number, query: exchange.v1.IOrderStatusQuery): void;
  onPing(link: Link, correlationId: number, ping: exchange.v1.ILinkPing): void;
  onDeadManSwitch(link: Link, correlationId: number, req: exchange.v1.ILinkDeadManSwitch): void;
  onLinkClosed(link: Link): void;
}

const scratch = new ProtoWriter(4096);

// Write coalescing: a link gathers what it is given in one I/O turn into its
// outbox, and every link with bytes there flushes once when the turn ends.
// One Redis read can confirm several journal appends, each releasing a
// batch; this way a link gets them as one write() syscall instead of one per
// batch (a loopback write costs ~20 us here, more than the engine spends on
// a whole batch). The flush is a SocketWriter: no stream machinery, no
// allocation (see common/socket-writer.ts).
//
// A turn is a link read, a Redis read or a batch seal (beginLinkTurn /
// endLinkTurn around them); what is written outside one flushes on
// process.nextTick. The turns exist because a nextTick per turn made Node run
// its tick queue and promise-rejection bookkeeping in JavaScript after the
// callback: about 390 bytes of garbage per order at 10k orders/s, a sixth of
// the engine's.
const flushingLinks: Link[] = [];
let flushScheduled = false;
let turnDepth = 0;
function flushAll(): void {
  flushScheduled = false;
  for (let i = 0; i < flushingLinks.length; i++) flushingLinks[i]!.flush();
  flushingLinks.length = 0;
}

/** Starts an I/O turn: link writes wait for its endLinkTurn (turns nest). */
export function beginLinkTurn(): void {
  turnDepth++;
}

/** Ends a turn begun by beginLinkTurn; the outermost one flushes every link written to. */
export function endLinkTurn(): void {
  assert(turnDepth > 0, 'endLinkTurn without beginLinkTurn');
  turnDepth--;
  if (turnDepth === 0 && flushingLinks.length > 0) flushAll();
}

export class Link {
  name = '';
  subscribed = false;
  /** Output of the batch being built (released once the batch is journaled). */
  readonly out = new ProtoWriter(16 * 1024);
  /** Id of the batch `out` belongs to (-1 = none). */
  outBatch = -1;
  closed = false;
  readonly reader = new FrameReader(MAX_FRAME_BYTES);
  rejectedFrames = 0;
  /** Hands each frame of a read to the server (set when accepted). */
  onFrame: (buf: Buffer, start: number, end: number) => void = () => {};
  /** Released bytes waiting for this tick's flush. */
  private readonly outbox = new ProtoWriter(16 * 1024);
  private readonly writer: SocketWriter;

  constructor(
    readonly id: number,
    readonly socket: net.Socket,
    private readonly log: Logger,
  ) {
    this.writer = new SocketWriter(socket);
  }

  /** Queues released bytes (copied) for this tick's flush; a peer that stopped reading is dropped. */
  write(buf: Uint8Array, start = 0, end = buf.length): void {
    if (this.closed) return;
    if (this.socket.writableLength + this.outbox.pos > MAX_LINK_OUTBOUND_BYTES) {
      this.log.warn({ link: this.id, name: this.name }, 'slow consumer: closing the link');
      this.outbox.reset();
      this.shutdown(LinkReason.SLOW_CONSUMER, 'slow consumer: output buffer full');
      return;
    }
    if (this.outbox.pos === 0) {
      flushingLinks.push(this);
      if (turnDepth === 0 && !flushScheduled) {
        flushScheduled = true;
        process.nextTick(flushAll);
      }
    }
    this.outbox.raw(buf, start, end);
  }

  /** Writes the outbox (see flushAll). */
  flush(): void {
    const n = this.outbox.pos;
    this.outbox.reset();
    if (n === 0 || this.closed || this.socket.destroyed) return;
    this.writer.write(this.outbox.buf, 0, n);
  }

  /** An immediate reject (not tied to engine state). */
  reject(correlationId: number, reason: number, message: string): void {
    scratch.reset();
    writeReject(scratch, correlationId, reason, message);
    this.write(scratch.buf, 0, scratch.pos);
  }

  /** Sends LinkShutdown and closes once it is flushed. */
  shutdown(reason: number, message: string): void {
    if (this.closed) return;
    this.flush();
    scratch.reset();
    writeShutdown(scratch, reason, message);
    this.socket.end(scratch.copy());
    this.closed = true;
    // A peer that never reads would keep the socket: destroy it after a grace period.
    setTimeout(() => this.socket.destroy(), 2_000).unref();
  }
}

export interface LinkServerOptions {
  host: string;
  port: number;
  socketPath: string | undefined;
}

export class LinkServer {
  /** Reused by onFrame (one LinkRequest is scanned at a time). */
  private readonly scanned: ScannedLinkRequest = { correlationId: 0, body: 0, start: 0, end: 0 };
  readonly links = new Set<Link>();
  private readonly servers: net.Server[] = [];
  private nextId = 1;
  private paused = false;
  /** Where every link's reads land (see accept). */
  private readonly readBuffer = Buffer.allocUnsafe(LINK_READ_BUFFER_BYTES);
  /** Links reading into readBuffer (the others take 'data' events). */
  adoptedLinks = 0;
  private accepting = true;

  constructor(
    private readonly handler: LinkHandler,
    private readonly log: Logger,
  ) {}

  /** Starts listening; resolves with the bound TCP port. */
  async listen(opts: LinkServerOptions): Promise<number> {
    // Paused until accept() has chosen how the link reads.
    const tcp = net.createServer({ noDelay: true, pauseOnConnect: true }, (s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(opts.port, opts.host, () => resolve());
    });
    this.servers.push(tcp);
    if (opts.socketPath !== undefined) {
      if (existsSync(opts.socketPath)) unlinkSync(opts.socketPath);
      const unix = net.createServer({ pauseOnConnect: true }, (s) => this.accept(s));
      await new Promise<void>((resolve, reject) => {
        unix.once('error', reject);
        unix.listen(opts.socketPath, () => resolve());
      });
      this.servers.push(unix);
    }
    const addr = tcp.address();
    return typeof addr === 'object' && addr !== null ? addr.port : opts.port;
  }

  stopAccepting(): void {
    this.accepting = false;
    for (const s of this.servers) s.close();
  }

  /** Tells every link why the engine stops, then closes them. */
  shutdownAll(reason: number, message: string): void {
    this.stopAccepting();
    for (const link of this.links) link.shutdown(reason, message);
  }

  /** Backpressure: stop reading every link (TCP pushes back on the senders). */
  pauseReading(): void {
    if (this.paused) return;
    this.paused = true;
    for (const l of this.links) l.socket.pause();
  }

  resumeReading(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const l of this.links) if (!l.closed) l.socket.resume();
  }

  get readingPaused(): boolean {
    return this.paused;
  }

  private accept(accepted: net.Socket): void {
    // Reads land in one buffer shared by every link (each read is consumed
    // before the next one): see reused-read-socket.ts.
    let link: Link | undefined;
    const adopted = adoptWithReusedReadBuffer(accepted, this.readBuffer, (chunk) => {
      if (link !== undefined) this.onChunk(link, chunk);
      return true;
    });
    const socket = adopted ?? accepted;
    if (adopted !== undefined) this.adoptedLinks++;
    link = new Link(this.nextId++, socket, this.log);
    if (!this.accepting || this.links.size >= MAX_LINKS) {
      link.shutdown(
        LinkReason.ENGINE_UNAVAILABLE,
        this.accepting ? 'too many links' : 'not accepting links',
      );
      return;
    }
    socket.setNoDelay(true);
    this.links.add(link);
    const l = link;
    l.onFrame = (buf: Buffer, start: number, end: number) => this.onFrame(l, buf, start, end);
    if (adopted === undefined) socket.on('data', (chunk: Buffer) => this.onChunk(l, chunk));
    if (!this.paused) socket.resume();
    socket.on('error', (err) => this.log.debug({ link: l.id, err: err.message }, 'link error'));
    socket.on('close', () => {
      l.closed = true;
      this.links.delete(l);
      this.handler.onLinkClosed(l);
    });
  }

  /** One read of a link: its frames (the chunk is valid during the call only). */
  private onChunk(link: Link, chunk: Buffer): void {
    if (link.closed) return;
    beginLinkTurn();
    try {
      this.onChunkFrames(link, chunk);
    } finally {
      endLinkTurn();
    }
  }

  private onChunkFrames(link: Link, chunk: Buffer): void {
    const err = link.reader.pushRanges(chunk, link.onFrame);
    if (err !== undefined) {
      this.log.warn(
        { link: link.id, name: link.name, length: err.length },
        'oversized frame: closing the link',
      );
      link.reject(0, LinkReason.MESSAGE_TOO_LARGE, err.message);
      link.shutdown(LinkReason.MESSAGE_TOO_LARGE, err.message);
    }
  }

  private onFrame(link: Link, payload: Buffer, start: number, end: number): void {
    if (link.closed) return;
    const req = scanLinkRequest(payload, start, end, this.scanned);
    if (req === undefined) {
      link.rejectedFrames++;
      link.reject(
        0,
        LinkReason.MALFORMED_MESSAGE,
        'undecodable frame, or more than one request body',
      );
      return;
    }
    const corr = req.correlationId;
    if (corr < 0) {
      link.reject(0, LinkReason.NUMBER_OUT_OF_RANGE, 'correlation_id above 2^53-1');
      return;
    }
    if (req.body === 3) {
      this.handler.onCommand(link, corr, payload, req.start, req.end);
      return;
    }
    const body = payload.subarray(req.start, req.end);
    switch (req.body) {
      case 4: {
        const q = decodeSafe(exchange.v1.OrderStatusQuery, body, MAX_FRAME_BYTES);
        if (q.ok) this.handler.onOrderStatus(link, corr, q.value);
        else link.reject(corr, LinkReason.MALFORMED_MESSAGE, q.message);
        return;
      }
      case 5: {
        const p = decodeSafe(exchange.v1.LinkPing, body, MAX_FRAME_BYTES);
        if (p.ok) this.handler.onPing(link, corr, p.value);
        else link.reject(corr, LinkReason.MALFORMED_MESSAGE, p.message);
        return;
      }
      case 2: {
        const h = decodeSafe(exchange.v1.LinkHello, body, MAX_FRAME_BYTES);
        if (h.ok) this.handler.onHello(link, corr, h.value);
        else link.reject(corr, LinkReason.MALFORMED_MESSAGE, h.message);
        return;
      }
      case 6: {
        const d = decodeSafe(exchange.v1.LinkDeadManSwitch, body, MAX_FRAME_BYTES);
        if (d.ok) this.handler.onDeadManSwitch(link, corr, d.value);
        else link.reject(corr, LinkReason.MALFORMED_MESSAGE, d.message);
        return;
      }
      default:
        link.rejectedFrames++;
        link.reject(corr, LinkReason.UNSUPPORTED_MESSAGE, 'no request body this engine knows');
    }
  }
}
