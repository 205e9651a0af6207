// One persistent link to one engine shard: frames of [u32 LE length]
// [LinkRequest | LinkMessage] over TCP or a Unix socket (proto/frame.ts).
// Requests carry a correlation id; their answer (CommandResult,
// OrderStatusResult, DeadManSwitchResult or LinkReject) completes a callback
// synchronously in the socket's data handler, so the caller decides exactly
// what happens before the next message is read. EventBatch, and every
// CommandResult, also go to onMessage in link order (the shard feed).
//
// A request unanswered within engineTimeoutMs completes with E_ENGINE_TIMEOUT
// (outcome unknown); a request written while the link was up whose link then
// drops completes the same way. A request while the link is down completes
// with E_ENGINE_UNAVAILABLE (never sent). The link reconnects by itself.
import { connect, type Socket } from 'node:net';
import { assert } from '../common/errors';
import type { Logger } from '../common/logger';
import { SocketWriter } from '../common/socket-writer';
import { ProtoWriter } from '../engine/process/proto-writer';
import { encodeFrame, exchange, FrameReader, PROTOCOL_VERSION } from '../proto';
import { nowUs } from './clock';
import { GatewayError } from './errors';
import type { ShardEndpoint } from './gateway-config';
import { MAX_LINK_FRAME_BYTES } from './limits';
import { decodeLinkMessage } from './link-decoder';

const v1 = exchange.v1;

/** Bytes queued in the socket beyond which new requests are refused as unavailable. */
const MAX_LINK_WRITE_BUFFER = 32 * 1024 * 1024;

export type LinkCallback = (
  err: GatewayError | undefined,
  msg: exchange.v1.LinkMessage | undefined,
) => void;

/** One request awaiting its answer; slots are reused (no object per request). */
class PendingSlot {
  id = 0;
  cb: LinkCallback | undefined = undefined;
  sentAtUs = 0;
  deadlineMs = 0;
}

/** Bytes one socket read can deliver (reused for every read). */
const LINK_READ_BUFFER_BYTES = 64 * 1024;

/** First size of the pending ring (grows by doubling when a slot is still busy). */
const PENDING_RING_INITIAL = 1024;

export interface EngineLinkOptions {
  readonly endpoint: ShardEndpoint;
  readonly clientName: string;
  readonly timeoutMs: number;
  readonly reconnectMs: number;
  readonly log: Logger;
  /** Every LinkMessage in link order (after a request's own callback ran). */
  readonly onMessage: (msg: exchange.v1.LinkMessage, link: EngineLink) => void;
  /** The link finished its handshake. */
  readonly onUp: (ack: exchange.v1.LinkHelloAck, link: EngineLink) => void;
  /** The link dropped (it reconnects by itself). */
  readonly onDown: (reason: string, link: EngineLink) => void;
  /** Engine round trip of each answered request, in µs. */
  readonly onRoundTrip?: (us: number) => void;
  /**
   * Called before and after each chunk read from the engine is handled, so
   * the gateway can hold the client sends it causes and flush them together
   * (one write per client socket per chunk instead of one per message).
   */
  readonly onChunk?: (begin: boolean) => void;
  /**
   * Results come without their BALANCE events (see decodeLinkMessage): for a
   * consumer that has no use for them, the gateway.
   */
  readonly dropResultBalances?: boolean;
}

export class EngineLink {
  readonly shardId: number;
  private socket: Socket | undefined;
  /** Writes the turn's output to `socket` (see common/socket-writer.ts). */
  private writer: SocketWriter | undefined;
  private reader = new FrameReader(MAX_LINK_FRAME_BYTES);
  /**
   * Requests in flight by correlation id: slot id & mask. Ids are sequential
   * and answers come back roughly in order, so a ring is O(1) with no
   * per-request allocation and no hash-table churn (a Map's delete/set
   * reallocated its table every few requests).
   */
  private ring: PendingSlot[] = newRing(PENDING_RING_INITIAL);
  private ringMask = PENDING_RING_INITIAL - 1;
  private pendingCount = 0;
  /** Lowest correlation id that may still be pending (sweep and drop start here). */
  private oldestId = 1;
  private nextCorrelationId = 1;
  private helloId = 0;
  private up = false;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Connection failures are logged when they start and then every 30 s, not every attempt. */
  private failingSinceMs = 0;
  private lastFailureLogMs = 0;
  private readonly sweepTimer: NodeJS.Timeout;
  /** HelloAck of the current connection. */
  hello: exchange.v1.LinkHelloAck | undefined;
  /**
   * Frames of this turn of the event loop, written straight into one buffer;
   * setImmediate sends them after the poll phase that delivered every client
   * message of the turn: one write(2) per turn, not one each (a loopback
   * write costs ~20 µs of CPU here, about as much as routing an order), and
   * no Buffer per turn (SocketWriter writes straight from this one).
   */
  private readonly out = new ProtoWriter(64 * 1024);
  private flushScheduled = false;
  private readonly flushCb = () => this.flush();
  private readonly readBuffer = Buffer.allocUnsafe(LINK_READ_BUFFER_BYTES);
  private readonly onReadCb = (n: number): boolean => this.onRead(n);
  private readonly onFrameCb = (frame: Buffer): void => this.onFrame(frame);
  /** Frame and Command marks of the command being written (beginCommand .. sendCommand). */
  private frameMark = -1;
  private readonly dropResultBalances: boolean;
  private commandMark = -1;

  constructor(private readonly opts: EngineLinkOptions) {
    this.shardId = opts.endpoint.shardId;
    this.dropResultBalances = opts.dropResultBalances ?? false;
    this.sweepTimer = setInterval(
      () => this.sweep(),
      Math.max(5, Math.min(50, opts.timeoutMs >> 2)),
    );
    this.sweepTimer.unref();
  }

  /** Connected and handshaken. */
  get isUp(): boolean {
    return this.up;
  }

  get inFlight(): number {
    return this.pendingCount;
  }

  start(): void {
    this.connect();
  }

  /**
   * Why a request cannot be sent now (link down or congested); undefined when it can.
   * Hot callers check this before beginCommand().
   */
  unavailable(): GatewayError | undefined {
    const s = this.socket;
    if (!this.up || s === undefined) {
      return new GatewayError(
        'E_ENGINE_UNAVAILABLE',
        `engine shard ${this.shardId} is not connected`,
      );
    }
    if (s.writableLength > MAX_LINK_WRITE_BUFFER) {
      return new GatewayError(
        'E_ENGINE_UNAVAILABLE',
        `engine shard ${this.shardId} link is congested`,
      );
    }
    return undefined;
  }

  /** Sends a request; cb runs exactly once (answer, LinkReject, timeout, link loss or unavailable). */
  request(body: Omit<exchange.v1.ILinkRequest, 'correlationId'>, cb: LinkCallback): void {
    const down = this.unavailable();
    if (down !== undefined) {
      cb(down, undefined);
      return;
    }
    const id = this.nextCorrelationId++;
    const req = body as exchange.v1.ILinkRequest;
    req.correlationId = id;
    const bytes = v1.LinkRequest.encode(req).finish();
    const w = this.out;
    const mark = w.beginFrame();
    w.raw(bytes);
    w.endFrame(mark);
    this.track(id, cb);
  }

  /**
   * Hot path: opens a LinkRequest{command} in the outgoing buffer and returns
   * the writer, positioned inside the Command message: the caller writes one
   * Command body field (e.g. place_order) and then calls sendCommand().
   * Only after unavailable() returned undefined, in the same turn.
   */
  beginCommand(): ProtoWriter {
    assert(this.frameMark < 0, 'one command is written at a time');
    const w = this.out;
    this.frameMark = w.beginFrame();
    w.uint(1, this.nextCorrelationId);
    this.commandMark = w.beginLen(3);
    return w;
  }

  /** Closes the command opened by beginCommand() and sends it; cb as for request(). */
  sendCommand(cb: LinkCallback): void {
    const w = this.out;
    w.endLen(this.commandMark);
    w.endFrame(this.frameMark);
    this.frameMark = -1;
    this.track(this.nextCorrelationId++, cb);
  }

  /** Registers request `id` (already in the outgoing buffer) and schedules the write. */
  private track(id: number, cb: LinkCallback): void {
    let slot = this.ring[id & this.ringMask]!;
    if (slot.cb !== undefined) {
      this.growRing(id);
      slot = this.ring[id & this.ringMask]!;
    }
    slot.id = id;
    slot.cb = cb;
    slot.sentAtUs = nowUs();
    slot.deadlineMs = Date.now() + this.opts.timeoutMs;
    this.pendingCount++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushCb);
    }
  }

  /** Doubles the ring until every live request, and `id`, has a slot of its own. */
  private growRing(id: number): void {
    let size = this.ring.length * 2;
    for (;;) {
      const ring = newRing(size);
      const mask = size - 1;
      let clash = false;
      for (const old of this.ring) {
        if (old.cb === undefined) continue;
        const slot = ring[old.id & mask]!;
        if (slot.cb !== undefined) {
          clash = true;
          break;
        }
        slot.id = old.id;
        slot.cb = old.cb;
        slot.sentAtUs = old.sentAtUs;
        slot.deadlineMs = old.deadlineMs;
      }
      // Ids in flight span at most `size` consecutive values once size > span.
      if (!clash && ring[id & mask]!.cb === undefined) {
        this.ring = ring;
        this.ringMask = mask;
        return;
      }
      size *= 2;
    }
  }

  /** Writes what this turn produced. */
  private flush(): void {
    this.flushScheduled = false;
    const w = this.out;
    if (w.pos === 0) return;
    const s = this.socket;
    if (s !== undefined && !s.destroyed && this.up) this.writer!.write(w.buf, 0, w.pos);
    // Otherwise the link dropped this turn: drop() already failed those requests.
    w.reset();
  }

  /** Promise form of request() for cold paths. */
  call(body: Omit<exchange.v1.ILinkRequest, 'correlationId'>): Promise<exchange.v1.LinkMessage> {
    return new Promise((resolve, reject) => {
      this.request(body, (err, msg) => (err !== undefined ? reject(err) : resolve(msg!)));
    });
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sweepTimer);
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.socket?.destroy();
    this.drop('gateway closing');
  }

  private connect(): void {
    if (this.closed) return;
    const ep = this.opts.endpoint;
    // Reads land in one reused buffer (onread): a fresh ArrayBuffer per read
    // made V8's scavenges spend most of their pause sweeping array buffers.
    // Frames are only read during the callback (FrameReader copies a partial
    // frame it keeps; link messages have no bytes fields that could view it).
    const onread = { buffer: this.readBuffer, callback: this.onReadCb };
    const s =
      'socketPath' in ep
        ? connect({ path: ep.socketPath, onread })
        : connect({ port: ep.port, host: ep.host, onread });
    this.socket = s;
    this.writer = new SocketWriter(s);
    this.reader = new FrameReader(MAX_LINK_FRAME_BYTES);
    this.out.reset();
    s.setNoDelay(true);
    s.on('connect', () => {
      this.helloId = this.nextCorrelationId++;
      const hello = v1.LinkRequest.encode({
        correlationId: this.helloId,
        hello: {
          clientName: this.opts.clientName,
          protocolVersion: PROTOCOL_VERSION,
          subscribeEvents: true,
        },
      }).finish();
      s.write(encodeFrame(hello));
    });
    s.on('error', (err) => {
      if (this.closed) return;
      const now = Date.now();
      if (this.failingSinceMs === 0) this.failingSinceMs = now;
      if (now - this.lastFailureLogMs >= 30_000) {
        this.lastFailureLogMs = now;
        this.opts.log.warn(
          { shard: this.shardId, err: err.message, failingForMs: now - this.failingSinceMs },
          'engine link error (retrying)',
        );
      }
    });
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = undefined;
      this.writer = undefined;
      this.drop('link closed');
      if (!this.closed) {
        this.reconnectTimer = setTimeout(() => this.connect(), this.opts.reconnectMs);
        this.reconnectTimer.unref();
      }
    });
  }

  /** One read of the current socket: readBuffer[0, n). */
  private onRead(n: number): boolean {
    const s = this.socket;
    if (s === undefined) return false;
    const onChunk = this.opts.onChunk;
    onChunk?.(true);
    let err: Error | undefined;
    try {
      err = this.reader.push(this.readBuffer.subarray(0, n), this.onFrameCb);
    } finally {
      onChunk?.(false);
    }
    if (err !== undefined) {
      this.opts.log.error(
        { shard: this.shardId, err: err.message },
        'engine link frame too large; reconnecting',
      );
      s.destroy();
      return false;
    }
    return true;
  }

  private onFrame(frame: Buffer): void {
    let msg: exchange.v1.LinkMessage;
    try {
      msg = decodeLinkMessage(frame, this.dropResultBalances);
    } catch (err) {
      this.opts.log.error(
        { shard: this.shardId, err: (err as Error).message },
        'undecodable engine link frame',
      );
      this.socket?.destroy();
      return;
    }
    // The hot body first: protobufjs's `body` getter builds an Object.keys array per call.
    const result = msg.result;
    if (result !== null && result !== undefined) {
      this.complete(result.correlationId ?? 0, undefined, msg);
      this.opts.onMessage(msg, this);
      return;
    }
    switch (msg.body) {
      case 'helloAck': {
        const ack = msg.helloAck as exchange.v1.LinkHelloAck;
        this.hello = ack;
        this.up = true;
        this.failingSinceMs = 0;
        this.lastFailureLogMs = 0;
        this.opts.log.info(
          { shard: this.shardId, engineShard: ack.shardId, lastSeq: ack.lastSeq },
          'engine link up',
        );
        this.opts.onUp(ack, this);
        return;
      }
      case 'result':
        this.complete(msg.result!.correlationId ?? 0, undefined, msg);
        break;
      case 'orderStatus':
        this.complete(msg.orderStatus!.correlationId ?? 0, undefined, msg);
        break;
      case 'deadManSwitch':
        this.complete(msg.deadManSwitch!.correlationId ?? 0, undefined, msg);
        break;
      case 'reject': {
        const r = msg.reject!;
        if (r.correlationId === this.helloId) {
          this.opts.log.error(
            { shard: this.shardId, reason: r.reason, message: r.message },
            'engine refused hello',
          );
          this.socket?.destroy();
          return;
        }
        const err = new GatewayError(
          'E_ENGINE_REJECTED',
          `engine: ${r.message || 'request refused'}`,
        );
        (err as GatewayError & { reason?: number }).reason = r.reason ?? 0;
        this.complete(r.correlationId ?? 0, err, msg);
        return;
      }
      case 'shutdown': {
        const sd = msg.shutdown!;
        this.opts.log.warn(
          { shard: this.shardId, reason: sd.reason, message: sd.message },
          'engine shutting down',
        );
        this.drop('engine shutting down');
        return;
      }
      default:
        break;
    }
    this.opts.onMessage(msg, this);
  }

  private complete(id: number, err: GatewayError | undefined, msg: exchange.v1.LinkMessage): void {
    const slot = this.ring[id & this.ringMask]!;
    const cb = slot.cb;
    if (cb === undefined || slot.id !== id) return; // timed out already
    slot.cb = undefined;
    this.pendingCount--;
    this.opts.onRoundTrip?.(nowUs() - slot.sentAtUs);
    cb(err, err === undefined ? msg : undefined);
  }

  /** Times out requests past their deadline (ids are in send order: it stops at the first live one). */
  private sweep(): void {
    if (this.pendingCount === 0) {
      this.oldestId = this.nextCorrelationId;
      return;
    }
    const now = Date.now();
    while (this.oldestId < this.nextCorrelationId) {
      const id = this.oldestId;
      const slot = this.ring[id & this.ringMask]!;
      const cb = slot.cb;
      if (cb !== undefined && slot.id === id) {
        if (slot.deadlineMs > now) break;
        slot.cb = undefined;
        this.pendingCount--;
        cb(
          new GatewayError(
            'E_ENGINE_TIMEOUT',
            `engine shard ${this.shardId} did not answer within ${this.opts.timeoutMs} ms`,
          ),
          undefined,
        );
      }
      this.oldestId++;
    }
  }

  private drop(reason: string): void {
    const wasUp = this.up;
    this.up = false;
    this.hello = undefined;
    this.out.reset();
    if (this.pendingCount > 0) {
      const lost: LinkCallback[] = [];
      for (let id = this.oldestId; id < this.nextCorrelationId; id++) {
        const slot = this.ring[id & this.ringMask]!;
        if (slot.cb !== undefined && slot.id === id) {
          lost.push(slot.cb);
          slot.cb = undefined;
        }
      }
      this.pendingCount = 0;
      for (const cb of lost) {
        cb(
          new GatewayError(
            'E_ENGINE_TIMEOUT',
            `engine shard ${this.shardId} link lost: outcome unknown`,
          ),
          undefined,
        );
      }
    }
    this.oldestId = this.nextCorrelationId;
    if (wasUp) {
      this.opts.log.warn({ shard: this.shardId, reason }, 'engine link down');
      this.opts.onDown(reason, this);
    }
  }
}

function newRing(size: number): PendingSlot[] {
  const ring: PendingSlot[] = [];
  for (let i = 0; i < size; i++) ring.push(new PendingSlot());
  return ring;
}
