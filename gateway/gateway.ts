// The gateway: one uWebSockets.js app serving the binary WebSocket protocol
// (client.proto) on /ws and public REST (rest.ts) on the same port, with a
// link to every engine shard (engine-link.ts) whose commands reach it in seq
// order through a ShardFeed. This file holds the connections: framing and
// dispatch, sending with backpressure checks, subscriptions and market data,
// report delivery, heartbeats, idle and slow-consumer sweeps, shutdown.
// Logon is logon.ts, order entry and its safety rails order-entry.ts.
import { randomBytes } from 'node:crypto';
import { accessSync, constants as fsConstants } from 'node:fs';
import type Redis from 'ioredis';
import type { Sql } from 'postgres';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { decodeSafe, type exchange, isSafeUint } from '../proto';
import { ApiKeyStore } from './api-keys';
import { AuditLog } from './audit-log';
import { nowUs } from './clock';
import { DeadManSwitches } from './dead-man-switch';
import { EngineLink } from './engine-link';
import { GatewayError } from './errors';
import type { GatewayConfig } from './gateway-config';
import { normalizeAddress } from './ip-allowlist';
import { JournalReader } from './journal-reader';
import {
  assertLimits,
  IDLE_TIMEOUT_HEARTBEATS,
  LOGON_TIMEOUT_MS,
  MAX_BAD_FRAMES_PER_CONNECTION,
  MAX_CONNECTIONS,
  MAX_FRAME_BYTES,
  MAX_SUBSCRIPTIONS_PER_SESSION,
  MAX_TRACKED_ORDERS,
  MD_HARD_LIMIT_BYTES,
  MD_SOFT_LIMIT_BYTES,
  REPLAY_MAX_HELD_REPORTS,
  SESSION_LEASE_REFRESH_MS,
  SESSION_SWEEP_MS,
  SLOW_CONSUMER_SWEEP_MS,
  UWS_MAX_BACKPRESSURE_BYTES,
  UWS_MAX_PAYLOAD_BYTES,
} from './limits';
import { LogonHandler } from './logon';
import { bboTopic, bookTopic, MarketData, tradesTopic } from './market-data';
import { GatewayMetrics } from './metrics';
import { OrderEntry } from './order-entry';
import { OrderResponseWriter, type SingleAck } from './order-response-writer';
import { CloseCode, Reason, v1 } from './protocol';
import type { OrderRateLimiter } from './rate-limiter';
import { ReferenceData } from './reference-data';
import { replayReports } from './report-replay';
import { type FeedCommand, ReportBuilder } from './reports';
import { registerRest } from './rest';
import { MD_BBO, MD_BOOK, MD_TRADES, Session, SessionState, type SocketData } from './session';
import { SessionLeases } from './session-leases';
import { type FeedConsumer, ShardFeed } from './shard-feed';
import { seedFromSnapshot } from './snapshot-seed';
import { loadUws, type TemplatedApp, type us_listen_socket, type WebSocket } from './uws';

type WS = WebSocket<SocketData>;
type Msg = exchange.v1.IServerMessage;

export interface GatewayDeps {
  readonly config: Config;
  readonly gw: GatewayConfig;
  readonly log: Logger;
  readonly sql: Sql;
  readonly redis: Redis;
}

export class Gateway implements FeedConsumer {
  readonly config: Config;
  readonly gw: GatewayConfig;
  readonly log: Logger;
  readonly sql: Sql;
  readonly redis: Redis;
  readonly app: TemplatedApp;
  readonly tls: boolean;
  readonly metrics: GatewayMetrics;
  readonly refData: ReferenceData;
  readonly keys: ApiKeyStore;
  readonly audit: AuditLog;
  readonly leases: SessionLeases;
  readonly marketData: MarketData;
  readonly links = new Map<number, EngineLink>();
  readonly feeds = new Map<number, ShardFeed>();
  readonly journals = new Map<number, JournalReader>();
  readonly builders = new Map<number, ReportBuilder>();
  readonly dms: DeadManSwitches;
  readonly orders: OrderEntry;
  readonly logons: LogonHandler;
  readonly sessions = new Set<Session>();
  readonly byAccount = new Map<number, Set<Session>>();
  readonly byKey = new Map<string, Set<Session>>();
  readonly limiters = new Map<string, OrderRateLimiter>();
  private readonly mdSessions = new Set<Session>();
  private listenSocket: us_listen_socket | undefined;
  private timers: NodeJS.Timeout[] = [];
  private sessionCounter = 0;
  /** Inside an engine chunk (see flushOutbox): client sends are held. */
  private holdDepth = 0;
  private readonly orderResponses = new OrderResponseWriter();
  private readonly outSessions: Session[] = [];
  /** Held market data: topic, bytes, topic, bytes... */
  private readonly heldPublishes: (string | Uint8Array)[] = [];
  private readonly instance = randomBytes(4).toString('hex');
  private closing = false;
  port = 0;

  constructor(deps: GatewayDeps) {
    assertLimits();
    this.config = deps.config;
    this.gw = deps.gw;
    this.log = deps.log;
    this.sql = deps.sql;
    this.redis = deps.redis;
    const uws = loadUws();
    this.tls = deps.config.tlsCertFile !== undefined && deps.config.tlsKeyFile !== undefined;
    if (this.tls) {
      for (const f of [deps.config.tlsCertFile!, deps.config.tlsKeyFile!]) {
        try {
          accessSync(f, fsConstants.R_OK);
        } catch (err) {
          throw new GatewayError(
            'E_TLS',
            `TLS file ${f} is not readable: ${(err as Error).message}`,
            { cause: err },
          );
        }
      }
      this.app = uws.SSLApp({
        cert_file_name: deps.config.tlsCertFile!,
        key_file_name: deps.config.tlsKeyFile!,
      });
    } else {
      this.app = uws.App();
    }
    this.metrics = new GatewayMetrics(() => ({
      connections: this.sessions.size,
      sessions: this.countActive(),
      enginesUp: [...this.links.values()].filter((l) => l.isUp && this.feeds.get(l.shardId)?.synced)
        .length,
      engines: this.links.size,
      trackedOrders: [...this.builders.values()].reduce((n, b) => n + b.orders.size, 0),
      auditQueue: this.audit.queued,
      published: this.marketData.published,
    }));
    this.refData = new ReferenceData(this.sql);
    this.keys = new ApiKeyStore(this.sql, this.log, (rec) => this.logons.onKeyChanged(rec));
    this.audit = new AuditLog(this.sql, this.log, this.gw.gatewayId);
    this.leases = new SessionLeases(this.redis, this.log);
    this.marketData = new MarketData(
      (topic, bytes) => this.publish(topic, bytes),
      (topic) => this.app.numSubscribers(topic),
    );
    this.orders = new OrderEntry(this);
    this.logons = new LogonHandler(this);
    this.dms = new DeadManSwitches(
      this.gw.deadManSwitch,
      this.log,
      (accountId, marketId, links) => {
        for (const link of links) {
          link.request({ command: DeadManSwitches.cancelCommand(accountId, marketId) }, (err) => {
            if (err !== undefined)
              this.log.error(
                { accountId, marketId, err: err.message },
                'dead-man switch cancel failed',
              );
          });
        }
      },
    );
    for (const ep of this.gw.shards) {
      const journal = new JournalReader(this.redis, ep.shardId);
      this.journals.set(ep.shardId, journal);
      this.builders.set(
        ep.shardId,
        new ReportBuilder((marketId, side) => this.feeAsset(marketId, side), 0, MAX_TRACKED_ORDERS),
      );
      const feed = new ShardFeed(
        ep.shardId,
        journal,
        this,
        this.log,
        () => this.metrics.journalGapFills++,
        async (shardId) =>
          (
            await seedFromSnapshot(
              this.redis,
              shardId,
              this.marketData,
              this.builders.get(shardId)!,
            )
          )?.lastSeq,
      );
      this.feeds.set(ep.shardId, feed);
      this.links.set(
        ep.shardId,
        new EngineLink({
          endpoint: ep,
          clientName: this.gw.gatewayId,
          timeoutMs: this.gw.engineTimeoutMs,
          reconnectMs: this.gw.linkReconnectMs,
          log: this.log,
          // Reports, acks and market data never read a balance event.
          dropResultBalances: true,
          onMessage: (msg) => {
            if (msg.body === 'result') feed.onResult(msg.result!);
            else if (msg.body === 'events') feed.onEventBatch(msg.events!);
          },
          onUp: (ack) => feed.onLinkUp(ack.lastSeq),
          onDown: () => {},
          onRoundTrip: (us) => this.metrics.engineRoundTrip(us),
          onChunk: (begin) => {
            if (begin) this.holdDepth++;
            else if (--this.holdDepth === 0) this.flushOutbox();
          },
        }),
      );
    }
    this.registerRoutes();
  }

  // ------------------------------------------------------------------ lifecycle

  async start(): Promise<void> {
    await this.refData.refresh();
    for (const m of this.refData.markets()) this.marketData.ensure(m.marketId);
    await this.keys.start();
    this.audit.start();
    for (const link of this.links.values()) link.start();
    this.every(SESSION_SWEEP_MS, () => this.sweepSessions());
    this.every(SLOW_CONSUMER_SWEEP_MS, () => this.sweepSlowConsumers());
    this.every(SESSION_LEASE_REFRESH_MS, () => void this.refreshLeases());
    this.every(this.gw.referenceRefreshMs, () => void this.refreshReference());
    await new Promise<void>((resolve, reject) => {
      this.app.listen(this.config.gatewayHost, this.config.gatewayPort, (ls) => {
        if (ls === false) {
          reject(
            new GatewayError(
              'E_LISTEN',
              `cannot listen on ${this.config.gatewayHost}:${this.config.gatewayPort}`,
            ),
          );
          return;
        }
        this.listenSocket = ls;
        this.port = loadUws().us_socket_local_port(ls as never);
        resolve();
      });
    });
    this.log.info(
      {
        host: this.config.gatewayHost,
        port: this.port,
        tls: this.tls,
        shards: this.gw.shards.map((s) => s.shardId),
      },
      'gateway listening',
    );
  }

  /** Resolves once every shard's link is up and its feed synced (or rejects after timeoutMs). */
  async waitForEngines(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.enginesReady()) {
      if (Date.now() > deadline) {
        throw new GatewayError(
          'E_ENGINE_UNAVAILABLE',
          `engine shards not ready within ${timeoutMs} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  enginesReady(): boolean {
    for (const [shard, link] of this.links) {
      if (!link.isUp || !this.feeds.get(shard)!.synced) return false;
    }
    return true;
  }

  /**
   * Graceful shutdown: stop accepting, tell every client (SessionClosing) and
   * close it (cancel-on-disconnect fires), let in-flight engine requests
   * finish, then close links, timers and the audit queue.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.listenSocket !== undefined) {
      loadUws().us_listen_socket_close(this.listenSocket);
      this.listenSocket = undefined;
    }
    for (const s of [...this.sessions]) {
      this.closeSession(
        s,
        CloseCode.GOING_AWAY,
        Reason.REJECT_REASON_UNKNOWN,
        'gateway shutting down',
      );
    }
    const deadline = Date.now() + Math.min(2_000, this.gw.engineTimeoutMs + 100);
    while ([...this.links.values()].some((l) => l.inFlight > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.dms.close();
    for (const link of this.links.values()) link.close();
    for (const feed of this.feeds.values()) feed.close();
    this.keys.stop();
    await this.audit.close();
    this.log.info('gateway closed');
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  private async refreshReference(): Promise<void> {
    try {
      await this.refData.refresh();
      for (const m of this.refData.markets()) this.marketData.ensure(m.marketId);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'reference data refresh failed');
    }
  }

  private async refreshLeases(): Promise<void> {
    const live: Array<{ keyId: string; sessionId: string }> = [];
    for (const s of this.sessions)
      if (s.active && s.key !== undefined) live.push({ keyId: s.key.id, sessionId: s.id });
    // Rate windows of keys with no session here and nothing counted can go
    // (kept otherwise: reconnecting must not reset a key's window).
    const now = Date.now();
    for (const [keyId, limiter] of this.limiters) {
      if (!this.byKey.has(keyId) && limiter.used(now) === 0) this.limiters.delete(keyId);
    }
    await this.leases.refresh(live);
  }

  private countActive(): number {
    let n = 0;
    for (const s of this.sessions) if (s.active) n++;
    return n;
  }

  // ------------------------------------------------------------------ routes

  private registerRoutes(): void {
    this.app.ws<SocketData>('/ws', {
      maxPayloadLength: UWS_MAX_PAYLOAD_BYTES,
      maxBackpressure: UWS_MAX_BACKPRESSURE_BYTES,
      closeOnBackpressureLimit: 1,
      idleTimeout: 0,
      sendPingsAutomatically: false,
      compression: 0,
      upgrade: (res, req, context) => {
        if (this.closing || this.sessions.size >= MAX_CONNECTIONS) {
          res.cork(() => {
            res
              .writeStatus('503 Service Unavailable')
              .writeHeader('Content-Type', 'application/json')
              .end(
                JSON.stringify({
                  code: this.closing ? 'SHUTTING_DOWN' : 'TOO_MANY_CONNECTIONS',
                  message: 'try later',
                }),
              );
          });
          return;
        }
        const address = normalizeAddress(Buffer.from(res.getRemoteAddressAsText()).toString());
        const session = new Session(
          `${this.gw.gatewayId}-${this.instance}-${++this.sessionCounter}`,
          address,
          Date.now(),
        );
        res.upgrade<SocketData>(
          { session },
          req.getHeader('sec-websocket-key'),
          req.getHeader('sec-websocket-protocol'),
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      },
      open: (ws) => {
        const s = ws.getUserData().session;
        s.ws = ws;
        this.sessions.add(s);
        this.metrics.connectionsTotal++;
      },
      message: (ws, message, isBinary) =>
        this.onMessage(ws.getUserData().session, message, isBinary),
      ping: (ws) => {
        ws.getUserData().session.lastRecvMs = Date.now();
      },
      pong: (ws) => {
        ws.getUserData().session.lastRecvMs = Date.now();
      },
      close: (ws) => this.onClose(ws.getUserData().session),
    });
    registerRest(this);
  }

  // ------------------------------------------------------------------ sending

  /** Encodes and sends one message to a session (dropped if the socket is gone). */
  send(s: Session, msg: Msg): void {
    const ws = s.ws;
    if (ws === undefined || isClosed(s)) return;
    msg.sendTimeUs = nowUs();
    const bytes = v1.ServerMessage.encode(msg).finish();
    this.sendBytes(s, ws, bytes);
  }

  /** The reply to a single order (OrderResponse with one ack), hand-encoded: see order-response-writer.ts. */
  replyOrderAck(
    s: Session,
    requestId: number,
    recvUs: number,
    ack: SingleAck,
    engineSeq: number,
  ): void {
    const ws = s.ws;
    if (ws === undefined || isClosed(s)) return;
    const limiter = s.limiter!;
    const bytes = this.orderResponses.encode(
      requestId,
      recvUs,
      nowUs(),
      limiter.used(Date.now()),
      limiter.limit,
      ack,
      engineSeq,
    );
    this.sendBytes(s, ws, bytes);
  }

  private sendBytes(s: Session, ws: WS, bytes: Uint8Array): void {
    this.metrics.messagesOut++;
    this.metrics.bytesOut += bytes.length;
    if (this.holdDepth > 0) {
      // Inside an engine chunk: held, and sent with the session's other
      // messages of the chunk under one cork (one write(2) per socket).
      if (s.outbox === undefined) {
        s.outbox = [];
        this.outSessions.push(s);
      }
      s.outbox.push(bytes);
      return;
    }
    ws.cork(() => ws.send(bytes, true, false));
    this.checkBuffered(s, ws);
  }

  /** A socket whose send buffer passed the hard limit is a slow consumer: closed. */
  private checkBuffered(s: Session, ws: WS): void {
    if (
      ws.getBufferedAmount() > MD_HARD_LIMIT_BYTES &&
      s.state !== SessionState.CLOSED &&
      !s.closing
    ) {
      this.metrics.slowConsumerDisconnects++;
      this.closeSession(
        s,
        CloseCode.SLOW_CONSUMER,
        Reason.REJECT_REASON_SLOW_CONSUMER,
        'send buffer past the hard limit',
      );
    }
  }

  /** Market data: straight to uWS, or after the held session messages inside an engine chunk. */
  private publish(topic: string, bytes: Uint8Array): void {
    if (this.holdDepth > 0) this.heldPublishes.push(topic, bytes);
    else this.app.publish(topic, bytes, true, false);
  }

  /**
   * Sends what an engine chunk produced: each session's messages under one
   * cork, in the order they were produced, then the market data it
   * published (so a session sees its own acknowledgements and reports first).
   */
  private flushOutbox(): void {
    const sessions = this.outSessions;
    for (let i = 0; i < sessions.length; i++) this.flushSession(sessions[i]!);
    sessions.length = 0;
    const pubs = this.heldPublishes;
    for (let i = 0; i < pubs.length; i += 2) {
      this.app.publish(pubs[i] as string, pubs[i + 1] as Uint8Array, true, false);
    }
    pubs.length = 0;
  }

  private flushSession(s: Session): void {
    const out = s.outbox;
    s.outbox = undefined;
    const ws = s.ws;
    if (out === undefined || ws === undefined || isClosed(s)) return;
    ws.cork(() => {
      for (let k = 0; k < out.length; k++) ws.send(out[k]!, true, false);
    });
    this.checkBuffered(s, ws);
  }

  reply(
    s: Session,
    requestId: number,
    recvUs: number,
    body: Msg,
    rateLimit?: exchange.v1.IRateLimitUsage,
  ): void {
    body.requestId = requestId;
    body.recvTimeUs = recvUs;
    if (rateLimit !== undefined) body.rateLimit = rateLimit;
    this.send(s, body);
  }

  reject(
    s: Session,
    requestId: number,
    recvUs: number,
    reason: number,
    message: string,
    rateLimit?: exchange.v1.IRateLimitUsage,
  ): void {
    this.metrics.reject(reason);
    this.reply(s, requestId, recvUs, { reject: { reason, message } }, rateLimit);
  }

  /** SessionClosing, then a close frame with `code`; the close handler does the rest. */
  closeSession(s: Session, code: number, reason: number, message: string): void {
    const ws = s.ws;
    if (ws === undefined || isClosed(s) || s.closing) return;
    s.closing = true;
    s.closeReason = message;
    // What the session was sent before this goes first.
    if (s.outbox !== undefined) this.flushSession(s);
    this.send(s, { sessionClosing: { reason, message } });
    if (s.outbox !== undefined) this.flushSession(s);
    const ws2 = s.ws;
    if (ws2 === undefined || isClosed(s)) return; // closed while sending
    ws2.end(code, message.slice(0, 120));
  }

  // ------------------------------------------------------------------ receiving

  private onMessage(s: Session, message: ArrayBuffer, isBinary: boolean): void {
    const recvUs = nowUs();
    const now = Date.now();
    s.lastRecvMs = now;
    this.metrics.messagesIn++;
    this.metrics.bytesIn += message.byteLength;
    if (message.byteLength > MAX_FRAME_BYTES) {
      this.metrics.badFrames++;
      this.closeSession(
        s,
        CloseCode.MESSAGE_TOO_BIG,
        Reason.REJECT_REASON_MESSAGE_TOO_LARGE,
        `frame of ${message.byteLength} bytes exceeds ${MAX_FRAME_BYTES}`,
      );
      return;
    }
    if (!isBinary) {
      this.badFrame(
        s,
        recvUs,
        0,
        Reason.REJECT_REASON_UNSUPPORTED_MESSAGE,
        'text frames are not supported: send binary protobuf',
      );
      return;
    }
    if (message.byteLength === 0) {
      this.badFrame(s, recvUs, 0, Reason.REJECT_REASON_MALFORMED_MESSAGE, 'empty frame');
      return;
    }
    const decoded = decodeSafe(v1.ClientMessage, new Uint8Array(message), MAX_FRAME_BYTES);
    if (!decoded.ok) {
      this.badFrame(
        s,
        recvUs,
        0,
        Reason.REJECT_REASON_MALFORMED_MESSAGE,
        `undecodable ClientMessage: ${decoded.message}`,
      );
      return;
    }
    const m = decoded.value;
    if (!isSafeUint(m.requestId)) {
      this.badFrame(
        s,
        recvUs,
        0,
        Reason.REJECT_REASON_NUMBER_OUT_OF_RANGE,
        'request_id above 2^53-1',
      );
      return;
    }
    const rid = m.requestId;
    const body = m.body;
    if (body === undefined) {
      this.badFrame(
        s,
        recvUs,
        rid,
        Reason.REJECT_REASON_UNSUPPORTED_MESSAGE,
        'ClientMessage without a body',
      );
      return;
    }
    if (body === 'ping') {
      this.reply(s, rid, recvUs, {
        pong: {
          clientTimeUs: isSafeUint(m.ping!.clientTimeUs) ? m.ping!.clientTimeUs : 0,
          serverTimeUs: recvUs,
        },
      });
      return;
    }
    if (body === 'logon') {
      // Bytes fields view the message buffer, which uWS reuses after this callback.
      const l = m.logon as exchange.v1.Logon;
      l.nonce = Buffer.from(l.nonce);
      l.signature = Buffer.from(l.signature);
      void this.logons.onLogon(s, rid, recvUs, l);
      return;
    }
    if (s.state !== SessionState.ACTIVE) {
      this.reject(s, rid, recvUs, Reason.REJECT_REASON_NOT_LOGGED_ON, 'log on first');
      return;
    }
    switch (body) {
      case 'newOrder':
        this.orders.onNewOrder(s, rid, recvUs, m.newOrder!);
        return;
      case 'newOrderBatch':
        this.orders.onNewOrders(s, rid, recvUs, m.newOrderBatch!.orders ?? [], true);
        return;
      case 'cancelOrder':
        this.orders.onCancels(s, rid, recvUs, [m.cancelOrder!], false);
        return;
      case 'cancelOrderBatch':
        this.orders.onCancels(s, rid, recvUs, m.cancelOrderBatch!.cancels ?? [], true);
        return;
      case 'cancelAll':
        this.orders.onCancelAll(s, rid, recvUs, m.cancelAll!);
        return;
      case 'amendOrder':
        this.orders.onAmend(s, rid, recvUs, m.amendOrder!);
        return;
      case 'orderStatus':
        this.orders.onOrderStatus(s, rid, recvUs, m.orderStatus!);
        return;
      case 'replayReports':
        void this.onReplay(s, rid, recvUs, m.replayReports!);
        return;
      case 'subscribe':
        this.onSubscribe(s, rid, recvUs, m.subscribe!.subscriptions ?? []);
        return;
      case 'unsubscribe':
        this.onUnsubscribe(s, rid, recvUs, m.unsubscribe!.subscriptions ?? []);
        return;
      case 'bookSnapshot':
        this.onBookSnapshot(s, rid, recvUs, m.bookSnapshot!);
        return;
      case 'deadManSwitch':
        void this.orders.onDeadManSwitch(s, rid, recvUs, m.deadManSwitch!);
        return;
      default:
        this.badFrame(
          s,
          recvUs,
          rid,
          Reason.REJECT_REASON_UNSUPPORTED_MESSAGE,
          `unsupported ${body}`,
        );
    }
  }

  private badFrame(s: Session, recvUs: number, rid: number, reason: number, message: string): void {
    this.metrics.badFrames++;
    s.badFrames++;
    if (s.badFrames > MAX_BAD_FRAMES_PER_CONNECTION) {
      this.closeSession(
        s,
        CloseCode.POLICY_VIOLATION,
        reason,
        `more than ${MAX_BAD_FRAMES_PER_CONNECTION} bad frames`,
      );
      return;
    }
    this.reject(s, rid, recvUs, reason, message);
  }

  private onClose(s: Session): void {
    const wasActive = s.state === SessionState.ACTIVE;
    s.state = SessionState.CLOSED;
    s.ws = undefined;
    this.sessions.delete(s);
    // uWS drops a closed socket's subscriptions: recount its topics.
    if (this.mdSessions.delete(s)) this.marketData.subscriptionsChanged();
    if (s.key !== undefined && wasActive) {
      const key = s.key;
      removeFrom(this.byKey, key.id, s);
      removeFrom(this.byAccount, s.accountId, s);
      void this.leases.release(key.id, s.id);
      this.orders.fireCancelOnDisconnect(s);
      this.audit.record({
        actor_type: 'api_key',
        actor_id: key.id,
        action: 'api_key.session_closed',
        entity_type: 'api_key',
        entity_id: key.id,
        metadata: { session: s.id, ip: s.remoteAddress, reason: s.closeReason || 'client closed' },
      });
    }
  }

  // ------------------------------------------------------------------ subscriptions and market data

  private shardReady(shardId: number): boolean {
    return this.feeds.get(shardId)?.synced === true;
  }

  private onSubscribe(
    s: Session,
    rid: number,
    recvUs: number,
    subs: exchange.v1.ISubscription[],
  ): void {
    const ws = s.ws!;
    // Validate everything first: a request is taken whole or not at all.
    for (const sub of subs) {
      const channel = sub.channel ?? 0;
      if (channel === v1.Channel.CHANNEL_REPORTS) continue;
      if (
        channel !== v1.Channel.CHANNEL_BOOK &&
        channel !== v1.Channel.CHANNEL_TRADES &&
        channel !== v1.Channel.CHANNEL_BBO
      ) {
        this.reject(
          s,
          rid,
          recvUs,
          Reason.REJECT_REASON_UNSUPPORTED_MESSAGE,
          `unknown channel ${channel}`,
        );
        return;
      }
      const market = this.refData.market(sub.marketId ?? 0);
      if (market === undefined) {
        this.reject(
          s,
          rid,
          recvUs,
          Reason.REJECT_REASON_MARKET_UNKNOWN,
          `unknown market ${sub.marketId ?? 0}`,
        );
        return;
      }
      if (!this.shardReady(market.shardId)) {
        this.reject(
          s,
          rid,
          recvUs,
          Reason.REJECT_REASON_ENGINE_UNAVAILABLE,
          `market ${market.marketId}: engine shard not ready`,
        );
        return;
      }
    }
    if (s.subscriptionCount() + subs.length > MAX_SUBSCRIPTIONS_PER_SESSION) {
      this.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_RATE_LIMITED,
        `at most ${MAX_SUBSCRIPTIONS_PER_SESSION} subscriptions`,
      );
      return;
    }
    if (s.slow) {
      s.slow = false; // subscribing again is how a slow consumer resumes
    }
    const followUps: Msg[] = [];
    for (const sub of subs) {
      const channel = sub.channel ?? 0;
      if (channel === v1.Channel.CHANNEL_REPORTS) {
        s.reports = true;
        continue;
      }
      const marketId = sub.marketId ?? 0;
      const bits = s.md.get(marketId) ?? 0;
      if (channel === v1.Channel.CHANNEL_BOOK) {
        followUps.push({ bookSnapshot: this.marketData.snapshot(marketId, sub.depth ?? 0) });
        s.md.set(marketId, bits | MD_BOOK);
      } else if (channel === v1.Channel.CHANNEL_TRADES) {
        s.md.set(marketId, bits | MD_TRADES);
      } else {
        const bbo = this.marketData.bbo(marketId);
        if (bbo !== undefined) followUps.push({ bbo });
        s.md.set(marketId, bits | MD_BBO);
      }
    }
    ws.cork(() => {
      this.reply(s, rid, recvUs, { subscribe: { subscriptions: subs } });
      for (const f of followUps) {
        f.recvTimeUs = recvUs;
        f.requestId = rid;
        this.send(s, f);
      }
      if (isClosed(s)) return;
      // Subscribe after the snapshots, in the same turn: the next publish is the first update after them.
      for (const sub of subs) {
        const marketId = sub.marketId ?? 0;
        if (sub.channel === v1.Channel.CHANNEL_BOOK) ws.subscribe(bookTopic(marketId));
        else if (sub.channel === v1.Channel.CHANNEL_TRADES) ws.subscribe(tradesTopic(marketId));
        else if (sub.channel === v1.Channel.CHANNEL_BBO) ws.subscribe(bboTopic(marketId));
      }
      this.marketData.subscriptionsChanged();
    });
    if (s.md.size > 0) this.mdSessions.add(s);
  }

  private onUnsubscribe(
    s: Session,
    rid: number,
    recvUs: number,
    subs: exchange.v1.ISubscription[],
  ): void {
    const ws = s.ws!;
    for (const sub of subs) {
      const marketId = sub.marketId ?? 0;
      const bits = s.md.get(marketId) ?? 0;
      switch (sub.channel) {
        case v1.Channel.CHANNEL_REPORTS:
          s.reports = false;
          break;
        case v1.Channel.CHANNEL_BOOK:
          ws.unsubscribe(bookTopic(marketId));
          s.md.set(marketId, bits & ~MD_BOOK);
          break;
        case v1.Channel.CHANNEL_TRADES:
          ws.unsubscribe(tradesTopic(marketId));
          s.md.set(marketId, bits & ~MD_TRADES);
          break;
        case v1.Channel.CHANNEL_BBO:
          ws.unsubscribe(bboTopic(marketId));
          s.md.set(marketId, bits & ~MD_BBO);
          break;
        default:
          break;
      }
      if (s.md.get(marketId) === 0) s.md.delete(marketId);
    }
    this.marketData.subscriptionsChanged();
    if (s.md.size === 0) this.mdSessions.delete(s);
    this.reply(s, rid, recvUs, { subscribe: { subscriptions: [] } });
  }

  private onBookSnapshot(
    s: Session,
    rid: number,
    recvUs: number,
    q: exchange.v1.IBookSnapshotRequest,
  ): void {
    const market = this.refData.market(q.marketId ?? 0);
    if (market === undefined) {
      this.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_MARKET_UNKNOWN,
        `unknown market ${q.marketId ?? 0}`,
      );
      return;
    }
    if (!this.shardReady(market.shardId)) {
      this.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_ENGINE_UNAVAILABLE,
        'engine shard not ready',
      );
      return;
    }
    this.reply(s, rid, recvUs, {
      bookSnapshot: this.marketData.snapshot(market.marketId, q.depth ?? 0),
    });
  }

  // ------------------------------------------------------------------ replay

  private async onReplay(
    s: Session,
    rid: number,
    recvUs: number,
    q: exchange.v1.IReplayReportsRequest,
  ): Promise<void> {
    if (!isSafeUint(q.afterReportSeq)) {
      this.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_NUMBER_OUT_OF_RANGE,
        'after_report_seq above 2^53-1',
      );
      return;
    }
    if (s.replayHold !== undefined) {
      this.reject(
        s,
        rid,
        recvUs,
        Reason.REJECT_REASON_RATE_LIMITED,
        'a replay is already running on this session',
      );
      return;
    }
    s.replayHold = [];
    try {
      const r = await replayReports(this, s, q.afterReportSeq ?? 0, rid);
      if (r.unavailable !== undefined) {
        this.reject(s, rid, recvUs, Reason.REJECT_REASON_REPLAY_UNAVAILABLE, r.unavailable);
      } else {
        this.reply(s, rid, recvUs, {
          replayReports: { firstReportSeq: r.first, lastReportSeq: r.last, count: r.count },
        });
      }
    } catch (err) {
      this.log.error({ session: s.id, err: (err as Error).message }, 'report replay failed');
      this.reject(s, rid, recvUs, Reason.REJECT_REASON_REPLAY_UNAVAILABLE, 'journal unavailable');
    } finally {
      const held = s.replayHold;
      s.replayHold = undefined;
      const ws = s.ws;
      if (ws !== undefined && s.state !== SessionState.CLOSED && held.length > 0) {
        ws.cork(() => {
          for (const bytes of held) {
            if (isClosed(s)) break;
            this.sendBytes(s, ws, bytes);
          }
        });
      }
    }
  }

  // ------------------------------------------------------------------ the shard feed

  /** FeedConsumer: market data, order state and execution reports of applied commands. */
  applyChunk(shardId: number, cmds: readonly FeedCommand[], live: boolean): void {
    const builder = this.builders.get(shardId)!;
    const sink = live ? this.reportSink : undefined;
    for (let i = 0; i < cmds.length; i++) {
      const cmd = cmds[i]!;
      this.marketData.applyCommand(cmd, live);
      builder.apply(cmd, sink, this.reportWants);
    }
    this.marketData.applyDone(cmds[cmds.length - 1]!.seq, live);
  }

  /** Reports are built only for accounts with a session that takes them (as reportSink sends). */
  private readonly reportWants = (accountId: number): boolean => {
    const sessions = this.byAccount.get(accountId);
    if (sessions === undefined) return false;
    for (const s of sessions) if (s.reports && s.ws !== undefined) return true;
    return false;
  };

  private readonly reportSink = (report: exchange.v1.IExecutionReport): void => {
    const sessions = this.byAccount.get(report.accountId ?? 0);
    if (sessions === undefined) return;
    let bytes: Uint8Array | undefined;
    for (const s of sessions) {
      if (!s.reports || s.ws === undefined) continue;
      if (bytes === undefined) {
        const now = nowUs();
        bytes = v1.ServerMessage.encode({
          requestId: 0,
          recvTimeUs: now,
          sendTimeUs: now,
          executionReport: report,
        }).finish();
      }
      if (s.replayHold !== undefined) {
        s.replayHold.push(bytes);
        if (s.replayHold.length > REPLAY_MAX_HELD_REPORTS) {
          this.closeSession(
            s,
            CloseCode.SLOW_CONSUMER,
            Reason.REJECT_REASON_SLOW_CONSUMER,
            'too many reports held during replay',
          );
        }
        continue;
      }
      this.sendBytes(s, s.ws, bytes);
    }
  };

  /** Fee asset of a fill: the asset the side receives. */
  private feeAsset(marketId: number, side: number): number {
    const m = this.refData.market(marketId);
    if (m === undefined) return 0;
    return side === v1.Side.SIDE_BUY ? m.baseAssetId : m.quoteAssetId;
  }

  // ------------------------------------------------------------------ sweeps

  private sweepSessions(): void {
    const now = Date.now();
    for (const s of this.sessions) {
      if (s.state === SessionState.CONNECTED || s.state === SessionState.LOGGING_ON) {
        if (now - s.openedAtMs > LOGON_TIMEOUT_MS) {
          this.closeSession(
            s,
            CloseCode.LOGON_TIMEOUT,
            Reason.REJECT_REASON_NOT_LOGGED_ON,
            `no logon within ${LOGON_TIMEOUT_MS} ms`,
          );
        }
        continue;
      }
      if (s.state !== SessionState.ACTIVE) continue;
      if (now - s.lastRecvMs > s.heartbeatMs * IDLE_TIMEOUT_HEARTBEATS) {
        this.closeSession(
          s,
          CloseCode.IDLE_TIMEOUT,
          Reason.REJECT_REASON_UNKNOWN,
          `idle timeout: nothing received for ${s.heartbeatMs * IDLE_TIMEOUT_HEARTBEATS} ms`,
        );
        continue;
      }
      if (now >= s.nextHeartbeatMs) {
        s.nextHeartbeatMs = now + s.heartbeatMs;
        this.send(s, {
          requestId: 0,
          recvTimeUs: 0,
          heartbeat: { serverTimeUs: nowUs(), seq: ++s.heartbeatSeq },
        });
      }
      const ws = s.ws;
      if (ws !== undefined && ws.getBufferedAmount() > MD_HARD_LIMIT_BYTES) {
        this.metrics.slowConsumerDisconnects++;
        this.closeSession(
          s,
          CloseCode.SLOW_CONSUMER,
          Reason.REJECT_REASON_SLOW_CONSUMER,
          'send buffer past the hard limit',
        );
      }
    }
  }

  /** Market data subscribers past the soft limit lose their market data (ResyncRequired); past the hard limit, the connection. */
  private sweepSlowConsumers(): void {
    for (const s of this.mdSessions) {
      const ws = s.ws;
      if (ws === undefined) {
        this.mdSessions.delete(s);
        continue;
      }
      const buffered = ws.getBufferedAmount();
      if (buffered > MD_HARD_LIMIT_BYTES) {
        this.metrics.slowConsumerDisconnects++;
        this.closeSession(
          s,
          CloseCode.SLOW_CONSUMER,
          Reason.REJECT_REASON_SLOW_CONSUMER,
          'send buffer past the hard limit',
        );
        continue;
      }
      if (buffered > MD_SOFT_LIMIT_BYTES && !s.slow) {
        s.slow = true;
        this.metrics.slowConsumerResyncs++;
        const markets = [...s.md.keys()];
        ws.cork(() => {
          for (const marketId of markets) {
            ws.unsubscribe(bookTopic(marketId));
            ws.unsubscribe(tradesTopic(marketId));
            ws.unsubscribe(bboTopic(marketId));
          }
          this.marketData.subscriptionsChanged();
          for (const marketId of markets) {
            if (isClosed(s)) return;
            this.send(s, {
              requestId: 0,
              recvTimeUs: 0,
              resyncRequired: { marketId, reason: Reason.REJECT_REASON_SLOW_CONSUMER },
            });
          }
        });
        s.md.clear();
        this.mdSessions.delete(s);
      }
    }
  }

  /** Which book events a REST/health reader can see: shard feed state. */
  shardStatus(): Array<{
    shardId: number;
    up: boolean;
    synced: boolean;
    appliedSeq: number;
    trimmedAt: number;
  }> {
    return [...this.links.values()].map((l) => {
      const f = this.feeds.get(l.shardId)!;
      return {
        shardId: l.shardId,
        up: l.isUp,
        synced: f.synced,
        appliedSeq: f.appliedSeq,
        trimmedAt: f.trimmedAt,
      };
    });
  }
}

/** Not narrowed by TypeScript across awaits: the close handler may run at any time. */
function isClosed(s: Session): boolean {
  return s.state === SessionState.CLOSED;
}

function removeFrom<K>(map: Map<K, Set<Session>>, key: K, s: Session): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(s);
  if (set.size === 0) map.delete(key);
}
