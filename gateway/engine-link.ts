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
import type { Logger } from '../common/logger';
import { encodeFrame, exchange, FrameReader, PROTOCOL_VERSION } from '../proto';
import { nowUs } from './clock';
import { GatewayError } from './errors';
import type { ShardEndpoint } from './gateway-config';
import { MAX_LINK_FRAME_BYTES } from './limits';

const v1 = exchange.v1;

/** Bytes queued in the socket beyond which new requests are refused as unavailable. */
const MAX_LINK_WRITE_BUFFER = 32 * 1024 * 1024;

export type LinkCallback = (
  err: GatewayError | undefined,
  msg: exchange.v1.LinkMessage | undefined,
) => void;

interface Pending {
  readonly cb: LinkCallback;
  readonly sentAtUs: number;
  readonly deadlineMs: number;
}

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
}

export class EngineLink {
  readonly shardId: number;
  private socket: Socket | undefined;
  private reader = new FrameReader(MAX_LINK_FRAME_BYTES);
  private readonly pending = new Map<number, Pending>();
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
   * The socket corked at the first request of this turn of the event loop;
   * setImmediate uncorks it, after the poll phase that delivered every client
   * message of the turn: the requests leave in one write(2), not one each (a
   * loopback write costs ~20 µs of CPU here, about as much as routing an order).
   */
  private corked: Socket | undefined;
  private readonly uncorkCb = () => {
    const s = this.corked;
    this.corked = undefined;
    if (s !== undefined && !s.destroyed) s.uncork();
  };

  constructor(private readonly opts: EngineLinkOptions) {
    this.shardId = opts.endpoint.shardId;
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
    return this.pending.size;
  }

  start(): void {
    this.connect();
  }

  /** Sends a request; cb runs exactly once (answer, LinkReject, timeout, link loss or unavailable). */
  request(body: Omit<exchange.v1.ILinkRequest, 'correlationId'>, cb: LinkCallback): void {
    const s = this.socket;
    if (!this.up || s === undefined) {
      cb(
        new GatewayError('E_ENGINE_UNAVAILABLE', `engine shard ${this.shardId} is not connected`),
        undefined,
      );
      return;
    }
    if (s.writableLength > MAX_LINK_WRITE_BUFFER) {
      cb(
        new GatewayError('E_ENGINE_UNAVAILABLE', `engine shard ${this.shardId} link is congested`),
        undefined,
      );
      return;
    }
    const id = this.nextCorrelationId++;
    const req = body as exchange.v1.ILinkRequest;
    req.correlationId = id;
    const bytes = v1.LinkRequest.encode(req).finish();
    this.pending.set(id, { cb, sentAtUs: nowUs(), deadlineMs: Date.now() + this.opts.timeoutMs });
    if (this.corked !== s) {
      if (this.corked === undefined) setImmediate(this.uncorkCb);
      else if (!this.corked.destroyed) this.corked.uncork();
      this.corked = s;
      s.cork();
    }
    s.write(encodeFrame(bytes));
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
    const s = 'socketPath' in ep ? connect(ep.socketPath) : connect(ep.port, ep.host);
    this.socket = s;
    this.reader = new FrameReader(MAX_LINK_FRAME_BYTES);
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
    const onFrame = (frame: Buffer) => this.onFrame(frame);
    const onChunk = this.opts.onChunk;
    s.on('data', (chunk: Buffer) => {
      onChunk?.(true);
      let err: Error | undefined;
      try {
        err = this.reader.push(chunk, onFrame);
      } finally {
        onChunk?.(false);
      }
      if (err !== undefined) {
        this.opts.log.error(
          { shard: this.shardId, err: err.message },
          'engine link frame too large; reconnecting',
        );
        s.destroy();
      }
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
      this.drop('link closed');
      if (!this.closed) {
        this.reconnectTimer = setTimeout(() => this.connect(), this.opts.reconnectMs);
        this.reconnectTimer.unref();
      }
    });
  }

  private onFrame(frame: Buffer): void {
    let msg: exchange.v1.LinkMessage;
    try {
      msg = v1.LinkMessage.decode(frame);
    } catch (err) {
      this.opts.log.error(
        { shard: this.shardId, err: (err as Error).message },
        'undecodable engine link frame',
      );
      this.socket?.destroy();
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
    const p = this.pending.get(id);
    if (p === undefined) return; // timed out already
    this.pending.delete(id);
    this.opts.onRoundTrip?.(nowUs() - p.sentAtUs);
    p.cb(err, err === undefined ? msg : undefined);
  }

  /** Times out requests past their deadline (the map is in send order, so it stops at the first live one). */
  private sweep(): void {
    if (this.pending.size === 0) return;
    const now = Date.now();
    for (const [id, p] of this.pending) {
      if (p.deadlineMs > now) break;
      this.pending.delete(id);
      p.cb(
        new GatewayError(
          'E_ENGINE_TIMEOUT',
          `engine shard ${this.shardId} did not answer within ${this.opts.timeoutMs} ms`,
        ),
        undefined,
      );
    }
  }

  private drop(reason: string): void {
    const wasUp = this.up;
    this.up = false;
    this.hello = undefined;
    if (this.pending.size > 0) {
      const lost = [...this.pending.values()];
      this.pending.clear();
      for (const p of lost) {
        p.cb(
          new GatewayError(
            'E_ENGINE_TIMEOUT',
            `engine shard ${this.shardId} link lost: outcome unknown`,
          ),
          undefined,
        );
      }
    }
    if (wasUp) {
      this.opts.log.warn({ shard: this.shardId, reason }, 'engine link down');
      this.opts.onDown(reason, this);
    }
  }
}
