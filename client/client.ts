// ExchangeClient: the typed SDK over the binary WebSocket protocol
// (proto/exchange/v1/client.proto). One instance = one session (one API key
// logged on over one connection, re-established on loss when auto-reconnect
// is on). See client/README section in the project README for a tour.
//
// Hot path: order entry fills preallocated message objects and encodes them
// with one reused protobuf writer; responses are matched by request id in a
// Map and timed out by one shared sweeper (no timer or closure per request
// beyond the Promise itself).
import { type KeyObject, randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { exchange } from '../proto';
import { TypedEmitter } from './emitter';
import {
  ClientError,
  ConnectionClosedError,
  LogonError,
  RejectError,
  rejectReasonName,
} from './errors';
import { LocalOrderBook } from './local-book';
import {
  isOrderEntry,
  type PendingRequest,
  PendingRequests,
  type RequestKind,
} from './pending-requests';
import type {
  AmendParams,
  BestBidOffer,
  DeadManSwitchResponse,
  ExecutionReport,
  Heartbeat,
  LogonAck,
  NewOrderParams,
  OrderAck,
  OrderRef,
  OrderResponse,
  OrderStatusResponse,
  PublicTrade,
  RateLimitUsage,
  ReplayReportsResponse,
  SessionClosing,
  SubscribeResponse,
  Subscription,
} from './protocol';
import { ReportSequencer } from './report-sequencer';
import { fetchMarkets, restUrlOf } from './rest';
import { signLogon } from './signing';
import { type MarketSpec, MarketUnits } from './units';

const v1 = exchange.v1;
const RR = v1.RejectReason;

/** Backoff of automatic reconnects. */
export interface ReconnectOptions {
  /** First delay (default 250 ms). */
  initialDelayMs?: number;
  /** Cap (default 10 s). */
  maxDelayMs?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** Random extra fraction of the delay, 0..1 (default 0.2). */
  jitter?: number;
  /** Give up after this many consecutive failed attempts (default: never). */
  maxAttempts?: number;
}

/** Options of {@link ExchangeClient}. */
export interface ExchangeClientOptions {
  /** ws:// or wss:// URL of the gateway, e.g. ws://127.0.0.1:8080/ws. */
  url: string;
  /** The API key's public prefix. */
  apiKey: string;
  /** The API key's secret (shown once at creation); or use `privateKey`. */
  apiSecret?: string;
  /** Ed25519 private key (KeyObject or PKCS#8 PEM) for a signed logon; takes precedence over apiSecret. */
  privateKey?: KeyObject | string;
  /** Signed logon receive window (default: the server's, 5000 ms). */
  recvWindowMs?: number;
  /** Cancel-on-disconnect scope (default OFF). */
  cancelOnDisconnect?: exchange.v1.CancelOnDisconnect;
  /** Requested heartbeat interval (0 = the server's default). */
  heartbeatIntervalMs?: number;
  /** Silence (nothing received) after which the connection is declared dead (default 3 heartbeat intervals, at least 3 s). */
  deadAfterMs?: number;
  /** Default timeout of requests (default 5000 ms). */
  requestTimeoutMs?: number;
  /** Timeout of the WebSocket handshake plus logon (default 10 s). */
  connectTimeoutMs?: number;
  /** Reconnect automatically after a lost connection (default true). */
  autoReconnect?: boolean | ReconnectOptions;
  /** Subscribe to this account's execution reports at logon (default true). */
  reports?: boolean;
  /**
   * Treat report_seq as gap-free (client.proto's contract): a report after a
   * gap triggers a replay of the missing ones. Default false: the gateway as
   * built numbers reports `engine seq * 4096 + ordinal` (increasing, with
   * gaps), so only duplicates and order are checked live; missed reports are
   * replayed after every reconnect either way.
   */
  contiguousReportSeq?: boolean;
  /**
   * On the first logon, replay reports after this seq (e.g. persisted from a
   * previous run). Default: start at the account's newest report (no history).
   */
  afterReportSeq?: number;
  /** Markets for decimal conversion helpers ({@link ExchangeClient.market}). */
  markets?: readonly MarketSpec[];
  /** Extra options for the `ws` client (headers, TLS, agent). */
  wsOptions?: WebSocket.ClientOptions;
}

/** Connection state of {@link ExchangeClient}. */
export type ClientState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed';

/** Events of {@link ExchangeClient}. */
export interface ClientEvents {
  /** Logged on: first connect (`reconnect` false) and after every reconnect. */
  logon: (ack: LogonAck, reconnect: boolean) => void;
  /** The connection closed; `willReconnect` tells whether a reconnect follows. */
  disconnect: (info: { code: number; reason: string; willReconnect: boolean }) => void;
  /** A reconnect attempt is scheduled. */
  reconnecting: (info: { attempt: number; delayMs: number; error?: Error }) => void;
  /** Closed for good (close() called, fatal logon error, or reconnects exhausted). */
  close: () => void;
  /** One execution report, in report_seq order, exactly once (replays included). */
  executionReport: (report: ExecutionReport) => void;
  /** A replay requested after a reconnect or a gap finished. */
  replayComplete: (info: ReplayReportsResponse) => void;
  /** Reports the server could not replay were skipped. */
  reportGap: (range: { from: number; to: number }) => void;
  /** A subscribed book changed (snapshot or update applied). */
  book: (book: LocalOrderBook) => void;
  /** A subscribed book lost sync and is being rebuilt from a snapshot. */
  bookResync: (info: { marketId: number; reason: 'gap' | 'resync_required' | 'reconnect' }) => void;
  /** Public trade of a subscribed market. */
  trade: (trade: PublicTrade) => void;
  /** Best bid/offer of a subscribed market. */
  bbo: (bbo: BestBidOffer) => void;
  /** Server heartbeat. */
  heartbeat: (hb: Heartbeat) => void;
  /** Rate-limit usage carried by an order-entry response. */
  rateLimit: (usage: RateLimitUsage) => void;
  /** The server announced it is closing this session. */
  sessionClosing: (info: SessionClosing) => void;
  /** Errors not tied to a request (protocol errors, failed background requests). */
  error: (err: Error) => void;
}

// Scratch bodies for the hot path; fields are overwritten on every send.
interface ScratchNewOrder {
  marketId: number;
  side: number;
  orderType: number;
  timeInForce: number | undefined;
  priceTicks: number | undefined;
  qtyLots: number | undefined;
  quoteBudgetAtoms: number | undefined;
  postOnly: boolean | undefined;
  stpMode: number | undefined;
  clientOrderId: string | undefined;
}

interface ScratchRef {
  marketId: number;
  orderId: number | undefined;
  clientOrderId: string | undefined;
}

const SEND_OPTIONS = { binary: true, compress: false } as const;
const FATAL_LOGON: ReadonlySet<number> = new Set([
  RR.REJECT_REASON_AUTH_UNKNOWN_KEY,
  RR.REJECT_REASON_AUTH_BAD_SECRET,
  RR.REJECT_REASON_AUTH_KEY_REVOKED,
  RR.REJECT_REASON_AUTH_IP_NOT_ALLOWED,
  RR.REJECT_REASON_AUTH_BAD_SIGNATURE,
  RR.REJECT_REASON_PERMISSION_DENIED,
]);

function subKey(channel: number, marketId: number): string {
  return `${channel}:${marketId}`;
}

function nz(n: number | undefined): number | undefined {
  return n === 0 ? undefined : n;
}

/**
 * A trading session over the binary WebSocket protocol.
 *
 * ```ts
 * const client = new ExchangeClient({ url: 'ws://127.0.0.1:8080/ws', apiKey, apiSecret });
 * client.on('executionReport', (r) => console.log(r.execType, r.orderId, r.filledLots));
 * await client.connect();
 * const ack = await client.placeOrder({ marketId: 1, side: Side.SIDE_BUY, priceTicks: 2700000, qtyLots: 10 });
 * if (ack.rejectReason !== RejectReason.REJECT_REASON_UNKNOWN) console.log('rejected', ack.rejectReason);
 * await client.close({ cancelAll: true });
 * ```
 *
 * Requests return promises settled by the response with the same request id:
 * a gateway `Reject` rejects with {@link RejectError}; no answer within the
 * timeout rejects with {@link RequestTimeoutError} (status unknown: look the
 * order up by client order id before resending).
 */
export class ExchangeClient extends TypedEmitter<ClientEvents> {
  private readonly options: ExchangeClientOptions;
  private readonly requestTimeoutMs: number;
  private readonly reconnect: Required<ReconnectOptions> | undefined;
  private readonly pending = new PendingRequests();
  private readonly writer = exchange.v1.ClientMessage.encode({}).reset();
  private readonly reportSeq: ReportSequencer<ExecutionReport>;
  private readonly books = new Map<number, LocalOrderBook>();
  private readonly bookWaiters = new Map<number, Array<() => void>>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly units = new Map<number | string, MarketUnits>();

  private ws: WebSocket | undefined;
  private stateValue: ClientState = 'idle';
  private userClosed = false;
  private attempt = 0;
  private everLoggedOn = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private heartbeatMs = 10_000;
  private deadAfterMs = 30_000;
  private lastRecvAt = 0;
  private lastSendAt = 0;
  private lastPingAt = 0;
  private replayInFlight = false;
  private gapRetries = 0;
  private gapTimer: NodeJS.Timeout | undefined;
  private closeWaiters: Array<() => void> = [];
  private dmsTimer: NodeJS.Timeout | undefined;
  private dmsTimeoutMs = 0;
  private dmsMarketId = 0;
  private logonAck: LogonAck | undefined;
  private pingRttUs = -1;

  // Preallocated message objects (hot path).
  private readonly sNewOrder: ScratchNewOrder = {
    marketId: 0,
    side: 0,
    orderType: 0,
    timeInForce: undefined,
    priceTicks: undefined,
    qtyLots: undefined,
    quoteBudgetAtoms: undefined,
    postOnly: undefined,
    stpMode: undefined,
    clientOrderId: undefined,
  };
  private readonly mNewOrder = { requestId: 0, newOrder: this.sNewOrder };
  private readonly sCancel: ScratchRef = {
    marketId: 0,
    orderId: undefined,
    clientOrderId: undefined,
  };
  private readonly mCancel = { requestId: 0, cancelOrder: this.sCancel };
  private readonly sAmend = {
    marketId: 0,
    orderId: undefined as number | undefined,
    clientOrderId: undefined as string | undefined,
    newPriceTicks: undefined as number | undefined,
    newQtyLots: undefined as number | undefined,
  };
  private readonly mAmend = { requestId: 0, amendOrder: this.sAmend };
  private readonly sCancelAll = { marketId: 0 };
  private readonly mCancelAll = { requestId: 0, cancelAll: this.sCancelAll };
  private readonly sPing = { clientTimeUs: 0 };
  private readonly mPing = { requestId: 0, ping: this.sPing };

  constructor(options: ExchangeClientOptions) {
    super();
    if (!options.url) throw new ClientError('E_INVALID_ARGUMENT', 'url is required');
    if (!options.apiKey) throw new ClientError('E_INVALID_ARGUMENT', 'apiKey is required');
    if (options.apiSecret === undefined && options.privateKey === undefined) {
      throw new ClientError('E_INVALID_ARGUMENT', 'apiSecret or privateKey is required');
    }
    this.options = options;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    const rc = options.autoReconnect ?? true;
    this.reconnect =
      rc === false
        ? undefined
        : {
            initialDelayMs: 250,
            maxDelayMs: 10_000,
            factor: 2,
            jitter: 0.2,
            maxAttempts: Number.POSITIVE_INFINITY,
            ...(rc === true ? {} : rc),
          };
    this.reportSeq = new ReportSequencer<ExecutionReport>(
      (r) => this.emit('executionReport', r),
      options.contiguousReportSeq === true,
    );
    for (const spec of options.markets ?? []) this.addMarket(spec);
  }

  // ---- state ----

  /** Connection state. */
  get state(): ClientState {
    return this.stateValue;
  }

  /** True while logged on. */
  get isOpen(): boolean {
    return this.stateValue === 'open';
  }

  /** The latest LogonAck (undefined before the first logon). */
  get session(): LogonAck | undefined {
    return this.logonAck;
  }

  /** The engine account id of this key (0 before logon). */
  get accountId(): number {
    return this.logonAck?.accountId ?? 0;
  }

  /** Highest execution report seq delivered; persist it to resume with `afterReportSeq`. */
  get lastReportSeq(): number {
    return this.reportSeq.lastSeq;
  }

  /** Requests in flight. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Round trip of the latest ping in µs (-1 before the first pong). */
  get lastPingRttUs(): number {
    return this.pingRttUs;
  }

  /** The local book of a subscribed market. */
  book(marketId: number): LocalOrderBook | undefined {
    return this.books.get(marketId);
  }

  /** Registers a market for decimal conversions; returns its converter. */
  addMarket(spec: MarketSpec): MarketUnits {
    const u = new MarketUnits(spec);
    this.units.set(u.marketId, u);
    if (spec.symbol !== undefined) this.units.set(spec.symbol, u);
    return u;
  }

  /**
   * Loads every market from the gateway's REST API (GET /api/v1/markets and
   * /api/v1/assets, at the host of `url` unless `restUrl` is given) and
   * registers them for market(); returns their converters.
   */
  async loadMarkets(restUrl = restUrlOf(this.options.url)): Promise<MarketUnits[]> {
    return (await fetchMarkets(restUrl)).map((m) => this.addMarket(m));
  }

  /** Decimal converter of a market registered in options.markets or addMarket(), by id or symbol. */
  market(idOrSymbol: number | string): MarketUnits {
    const u = this.units.get(idOrSymbol);
    if (u === undefined) {
      throw new ClientError(
        'E_INVALID_ARGUMENT',
        `unknown market ${idOrSymbol}: pass it in options.markets`,
      );
    }
    return u;
  }

  // ---- connection ----

  /**
   * Connects and logs on. Resolves with the LogonAck once the session is
   * ready (reports subscribed, replay done when resuming). Rejects with
   * LogonError or a connection error; the first connect is not retried.
   */
  async connect(): Promise<LogonAck> {
    if (this.stateValue !== 'idle' && this.stateValue !== 'closed') {
      throw new ClientError('E_INVALID_ARGUMENT', `connect() called in state ${this.stateValue}`);
    }
    this.userClosed = false;
    this.attempt = 0;
    try {
      return await this.establish(false);
    } catch (err) {
      this.stateValue = 'closed';
      throw err;
    }
  }

  /**
   * Closes the session: stops reconnecting and the dead-man's switch timer,
   * optionally cancels all open orders first, closes the socket (code 1000)
   * and rejects whatever is still in flight.
   */
  async close(options: { cancelAll?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.stateValue === 'closed' || this.stateValue === 'idle') {
      this.stateValue = 'closed';
      return;
    }
    const timeoutMs = options.timeoutMs ?? 2000;
    if (options.cancelAll === true && this.stateValue === 'open') {
      await this.cancelAll(0, timeoutMs).catch(() => undefined);
    }
    this.userClosed = true;
    this.stateValue = 'closing';
    this.clearTimers();
    const ws = this.ws;
    if (ws === undefined) {
      this.finishClose();
      return;
    }
    await new Promise<void>((resolve) => {
      this.closeWaiters.push(resolve);
      try {
        ws.close(1000, 'client close');
      } catch {
        ws.terminate();
      }
      setTimeout(() => ws.terminate(), timeoutMs).unref();
    });
  }

  private finishClose(): void {
    this.stateValue = 'closed';
    this.pending.rejectAll(
      (p) =>
        new ConnectionClosedError(
          `client closed with ${p.kind} request ${p.id} in flight`,
          isOrderEntry(p.kind),
        ),
    );
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const w of waiters) w();
    this.emit('close');
  }

  private clearTimers(): void {
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
    if (this.dmsTimer !== undefined) clearInterval(this.dmsTimer);
    this.dmsTimer = undefined;
    if (this.gapTimer !== undefined) clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
  }

  private async establish(reconnect: boolean): Promise<LogonAck> {
    this.stateValue = 'connecting';
    const connectTimeoutMs = this.options.connectTimeoutMs ?? 10_000;
    let ws: WebSocket;
    try {
      ws = await this.openSocket(connectTimeoutMs);
    } catch (err) {
      throw new ClientError(
        'E_NOT_CONNECTED',
        `cannot connect to ${this.options.url}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    let ack: LogonAck;
    try {
      ack = await this.logon(connectTimeoutMs);
    } catch (err) {
      if (this.ws === ws) ws.terminate();
      throw err;
    }
    if (this.userClosed) throw new ClientError('E_CLOSED', 'closed while logging on');
    this.logonAck = ack;
    this.stateValue = 'open';
    this.attempt = 0;
    this.startTicker(ack.heartbeatIntervalMs);
    const first = !this.everLoggedOn;
    this.everLoggedOn = true;
    await this.restoreSession(ack, first).catch((err) => this.emit('error', err as Error));
    this.emit('logon', ack, reconnect);
    return ack;
  }

  private openSocket(timeoutMs: number): Promise<WebSocket> {
    return new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(this.options.url, {
        perMessageDeflate: false,
        handshakeTimeout: timeoutMs,
        ...this.options.wsOptions,
      });
      ws.binaryType = 'nodebuffer';
      this.ws = ws;
      let opened = false;
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) this.onMessage(data);
      });
      ws.on('close', (code: number, reason: Buffer) => {
        if (!opened) reject(new Error(`closed during handshake (${code} ${reason.toString()})`));
        this.onSocketClose(ws, code, reason.toString());
      });
      ws.on('error', (err: Error) => {
        if (!opened) reject(err);
        else if (!this.userClosed) this.emit('error', err);
      });
      ws.on('open', () => {
        opened = true;
        this.lastRecvAt = Date.now();
        resolve(ws);
      });
    });
  }

  private logon(timeoutMs: number): Promise<LogonAck> {
    const o = this.options;
    const logon: exchange.v1.ILogon = {
      apiKeyPrefix: o.apiKey,
      cancelOnDisconnect: o.cancelOnDisconnect ?? v1.CancelOnDisconnect.CANCEL_ON_DISCONNECT_OFF,
      heartbeatIntervalMs: o.heartbeatIntervalMs ?? 0,
    };
    if (o.privateKey !== undefined) {
      const signed = signLogon(o.apiKey, o.privateKey, Date.now() * 1000, randomBytes(16));
      logon.timestampUs = signed.timestampUs;
      logon.nonce = signed.nonce;
      logon.signature = signed.signature;
      if (o.recvWindowMs !== undefined) logon.recvWindowMs = o.recvWindowMs;
    } else {
      logon.apiSecret = o.apiSecret;
    }
    return this.send<LogonAck>('logon', { requestId: 0, logon }, timeoutMs);
  }

  /** After a logon: report base and replay, re-subscribe channels, re-arm the dead-man's switch. */
  private async restoreSession(ack: LogonAck, first: boolean): Promise<void> {
    if (first) this.reportSeq.reset(this.options.afterReportSeq ?? ack.lastReportSeq);
    const subs: Subscription[] = [];
    if (this.options.reports !== false)
      subs.push({ channel: v1.Channel.CHANNEL_REPORTS, marketId: 0 });
    for (const book of this.books.values()) {
      if (!first) this.emit('bookResync', { marketId: book.marketId, reason: 'reconnect' });
      book.reset();
    }
    for (const s of this.subscriptions.values()) subs.push(s);
    const work: Promise<unknown>[] = [];
    if (subs.length > 0)
      work.push(this.send('subscribe', { requestId: 0, subscribe: { subscriptions: subs } }));
    if (
      this.options.reports !== false &&
      (ack.lastReportSeq > this.reportSeq.lastSeq || this.reportSeq.hasGap)
    ) {
      work.push(this.replayMissedReports());
    }
    if (this.dmsTimeoutMs > 0)
      work.push(this.armDeadManSwitch(this.dmsTimeoutMs, this.dmsMarketId));
    await Promise.all(work);
  }

  private onSocketClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.ws = undefined;
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
    const wasOpen = this.stateValue === 'open';
    this.pending.rejectAll(
      (p) =>
        new ConnectionClosedError(
          `connection closed (${code}${reason ? ` ${reason}` : ''}) with ${p.kind} request ${p.id} in flight`,
          isOrderEntry(p.kind),
        ),
    );
    if (this.userClosed) {
      this.emit('disconnect', { code, reason, willReconnect: false });
      this.finishClose();
      return;
    }
    if (!wasOpen) return; // establish() fails and decides what next
    const willReconnect = this.reconnect !== undefined;
    this.emit('disconnect', { code, reason, willReconnect });
    if (willReconnect) this.scheduleReconnect();
    else this.finishClose();
  }

  private scheduleReconnect(error?: Error): void {
    const rc = this.reconnect;
    if (this.userClosed || rc === undefined) return;
    this.stateValue = 'reconnecting';
    const attempt = ++this.attempt;
    if (attempt > rc.maxAttempts) {
      this.emit(
        'error',
        new ClientError('E_NOT_CONNECTED', `gave up reconnecting after ${rc.maxAttempts} attempts`),
      );
      this.finishClose();
      return;
    }
    const base = Math.min(rc.maxDelayMs, rc.initialDelayMs * rc.factor ** (attempt - 1));
    const delayMs = Math.round(base * (1 + rc.jitter * Math.random()));
    this.emit(
      'reconnecting',
      error === undefined ? { attempt, delayMs } : { attempt, delayMs, error },
    );
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.userClosed) return;
      this.establish(true).catch((err: Error) => {
        if (this.userClosed) return;
        if (err instanceof LogonError && err.fatal) {
          this.emit('error', err);
          this.finishClose();
        } else {
          this.scheduleReconnect(err);
        }
      });
    }, delayMs);
  }

  private startTicker(serverHeartbeatMs: number): void {
    this.heartbeatMs =
      serverHeartbeatMs > 0 ? serverHeartbeatMs : (this.options.heartbeatIntervalMs ?? 0) || 10_000;
    this.deadAfterMs = this.options.deadAfterMs ?? Math.max(3 * this.heartbeatMs, 3000);
    const tickMs = Math.max(50, Math.min(1000, Math.floor(this.heartbeatMs / 4)));
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = setInterval(this.tick, tickMs);
    this.ticker.unref();
  }

  private readonly tick = (): void => {
    const ws = this.ws;
    if (ws === undefined || this.stateValue !== 'open') return;
    const now = Date.now();
    if (now - this.lastRecvAt > this.deadAfterMs) {
      this.emit(
        'error',
        new ClientError(
          'E_CONNECTION_CLOSED',
          `no message from the server for ${now - this.lastRecvAt} ms: connection dead`,
        ),
      );
      ws.terminate();
      return;
    }
    // Keep the server's idle detection happy, and probe when the server is quiet.
    const quiet =
      now - this.lastSendAt >= this.heartbeatMs || now - this.lastRecvAt >= this.heartbeatMs;
    if (quiet && now - this.lastPingAt >= this.heartbeatMs) {
      this.lastPingAt = now;
      this.ping().catch(() => undefined);
    }
  };

  // ---- sending ----

  private send<T>(
    kind: RequestKind,
    msg: exchange.v1.IClientMessage & { requestId: number },
    timeoutMs = this.requestTimeoutMs,
    tag = 0,
  ): Promise<T> {
    const ws = this.ws;
    if (
      ws === undefined ||
      (this.stateValue !== 'open' && kind !== 'logon' && this.stateValue !== 'connecting')
    ) {
      return Promise.reject(
        new ClientError(
          'E_NOT_CONNECTED',
          `not connected (state ${this.stateValue}): ${kind} not sent`,
        ),
      );
    }
    const id = this.pending.allocateId();
    msg.requestId = id;
    const promise = this.pending.add<T>(id, kind, timeoutMs, tag);
    const w = this.writer;
    exchange.v1.ClientMessage.encode(msg, w);
    const bytes = w.finish();
    w.reset();
    ws.send(bytes, SEND_OPTIONS);
    this.lastSendAt = Date.now();
    return promise;
  }

  // ---- order entry ----

  /**
   * Places one order. Resolves with its ack: `rejectReason` 0 means accepted
   * (`orderId` set); otherwise the engine's reason. Details (fills) follow as
   * execution reports.
   */
  placeOrder(order: NewOrderParams, timeoutMs?: number): Promise<OrderAck> {
    const s = this.sNewOrder;
    s.marketId = order.marketId;
    s.side = order.side;
    s.orderType = order.orderType ?? v1.OrderType.ORDER_TYPE_LIMIT;
    s.timeInForce =
      order.timeInForce ??
      (s.orderType === v1.OrderType.ORDER_TYPE_LIMIT
        ? v1.TimeInForce.TIME_IN_FORCE_GTC
        : undefined);
    s.priceTicks = nz(order.priceTicks);
    s.qtyLots = nz(order.qtyLots);
    s.quoteBudgetAtoms = nz(order.quoteBudgetAtoms);
    s.postOnly = order.postOnly === true ? true : undefined;
    s.stpMode = nz(order.stpMode);
    s.clientOrderId = order.clientOrderId || undefined;
    return this.send<OrderAck>('newOrder', this.mNewOrder, timeoutMs);
  }

  /** Places up to 50 orders in one message; resolves with one ack per order, in order. */
  placeOrders(orders: readonly NewOrderParams[], timeoutMs?: number): Promise<OrderResponse> {
    const list: exchange.v1.INewOrder[] = new Array(orders.length);
    for (let i = 0; i < orders.length; i++) {
      const o = orders[i]!;
      const orderType = o.orderType ?? v1.OrderType.ORDER_TYPE_LIMIT;
      list[i] = {
        marketId: o.marketId,
        side: o.side,
        orderType,
        timeInForce:
          o.timeInForce ??
          (orderType === v1.OrderType.ORDER_TYPE_LIMIT ? v1.TimeInForce.TIME_IN_FORCE_GTC : 0),
        priceTicks: o.priceTicks ?? 0,
        qtyLots: o.qtyLots ?? 0,
        quoteBudgetAtoms: o.quoteBudgetAtoms ?? 0,
        postOnly: o.postOnly ?? false,
        stpMode: o.stpMode ?? 0,
        clientOrderId: o.clientOrderId ?? '',
      };
    }
    return this.send<OrderResponse>(
      'newOrderBatch',
      { requestId: 0, newOrderBatch: { orders: list } },
      timeoutMs,
    );
  }

  /** Cancels one order by id (or client order id); resolves with its ack. */
  cancelOrder(ref: OrderRef, timeoutMs?: number): Promise<OrderAck> {
    const s = this.sCancel;
    s.marketId = ref.marketId;
    s.orderId = nz(ref.orderId);
    s.clientOrderId = s.orderId === undefined ? ref.clientOrderId || undefined : undefined;
    return this.send<OrderAck>('cancelOrder', this.mCancel, timeoutMs);
  }

  /** Cancels several orders in one message; one ack per item. */
  cancelOrders(refs: readonly OrderRef[], timeoutMs?: number): Promise<OrderResponse> {
    const cancels = refs.map((r) => ({
      marketId: r.marketId,
      orderId: r.orderId ?? 0,
      clientOrderId: r.orderId ? '' : (r.clientOrderId ?? ''),
    }));
    return this.send<OrderResponse>(
      'cancelOrderBatch',
      { requestId: 0, cancelOrderBatch: { cancels } },
      timeoutMs,
    );
  }

  /** Cancels all this account's open orders in one market (0 = every market). */
  cancelAll(marketId = 0, timeoutMs?: number): Promise<OrderResponse> {
    this.sCancelAll.marketId = marketId;
    return this.send<OrderResponse>('cancelAll', this.mCancelAll, timeoutMs);
  }

  /**
   * Amends an order: a lower quantity at the same price keeps queue priority;
   * a new price or more quantity re-queues it. Resolves with its ack.
   */
  amendOrder(params: AmendParams, timeoutMs?: number): Promise<OrderAck> {
    const s = this.sAmend;
    s.marketId = params.marketId;
    s.orderId = nz(params.orderId);
    s.clientOrderId = s.orderId === undefined ? params.clientOrderId || undefined : undefined;
    s.newPriceTicks = nz(params.newPriceTicks);
    s.newQtyLots = nz(params.newQtyLots);
    return this.send<OrderAck>('amendOrder', this.mAmend, timeoutMs);
  }

  /** The current state of one order (open or closed), by id or client order id. */
  orderStatus(ref: OrderRef, timeoutMs?: number): Promise<OrderStatusResponse> {
    return this.send<OrderStatusResponse>(
      'orderStatus',
      {
        requestId: 0,
        orderStatus: {
          marketId: ref.marketId,
          orderId: ref.orderId ?? 0,
          clientOrderId: ref.clientOrderId ?? '',
        },
      },
      timeoutMs,
    );
  }

  // ---- reports ----

  /**
   * Asks the server for every report after the last one delivered; they are
   * delivered (in order, deduplicated) before the promise resolves. Called
   * automatically after a reconnect and when a gap is seen.
   */
  async replayMissedReports(): Promise<ReplayReportsResponse | undefined> {
    if (this.replayInFlight) return undefined;
    this.replayInFlight = true;
    const after = this.reportSeq.lastSeq;
    // Live reports that overtake replayed ones are held and released in order.
    this.reportSeq.hold();
    try {
      const res = await this.send<ReplayReportsResponse>('replayReports', {
        requestId: 0,
        replayReports: { afterReportSeq: after },
      });
      this.reportSeq.release();
      this.emit('replayComplete', res);
      this.afterReplay(res.lastReportSeq);
      return res;
    } catch (err) {
      this.reportSeq.release();
      if (err instanceof RejectError && err.reason === RR.REJECT_REASON_REPLAY_UNAVAILABLE) {
        this.skipReportGap();
        this.emit('error', err);
        return undefined;
      }
      throw err;
    } finally {
      this.replayInFlight = false;
    }
  }

  private afterReplay(replayedUpTo: number): void {
    if (!this.reportSeq.hasGap) {
      this.gapRetries = 0;
      return;
    }
    // The replay should have covered everything up to replayedUpTo: whatever is still
    // missing below it is gone. A gap above it may be live reports still in flight:
    // look again shortly, and give up after a few tries.
    const missingTo = this.reportSeq.firstHeldSeq() - 1;
    if (missingTo <= replayedUpTo || this.gapRetries >= 3) {
      this.skipReportGap();
      return;
    }
    this.gapRetries++;
    if (this.gapTimer === undefined) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        if (this.reportSeq.hasGap && this.isOpen) {
          this.replayMissedReports().catch((err: Error) => this.emit('error', err));
        }
      }, 500);
      this.gapTimer.unref();
    }
  }

  private skipReportGap(): void {
    this.gapRetries = 0;
    const skipped = this.reportSeq.skipGap();
    if (skipped !== undefined) this.emit('reportGap', skipped);
  }

  private onReport(report: ExecutionReport): void {
    if (this.reportSeq.push(report) === 'buffered' && !this.replayInFlight && this.isOpen) {
      this.replayMissedReports().catch((err: Error) => this.emit('error', err));
    }
  }

  // ---- market data ----

  /**
   * Subscribes to a market's L2 book; resolves with the local book once its
   * snapshot is applied. The book keeps itself in sync (gap -> snapshot
   * request -> rebuild) and survives reconnects; listen to 'book'.
   */
  async subscribeBook(marketId: number, depth = 0): Promise<LocalOrderBook> {
    let book = this.books.get(marketId);
    if (book === undefined) {
      book = new LocalOrderBook(marketId);
      this.books.set(marketId, book);
    }
    const sub = { marketId, channel: v1.Channel.CHANNEL_BOOK, depth };
    this.subscriptions.set(subKey(sub.channel, marketId), sub);
    await this.send<SubscribeResponse>('subscribe', {
      requestId: 0,
      subscribe: { subscriptions: [sub] },
    });
    if (!book.synced) {
      const synced = this.waitForBook(marketId, this.requestTimeoutMs);
      // The server sends a snapshot after subscribing; ask explicitly if it has not come soon.
      const timer = setTimeout(
        () => this.requestSnapshot(book),
        Math.min(1000, this.requestTimeoutMs / 2),
      );
      try {
        await synced;
      } finally {
        clearTimeout(timer);
      }
    }
    return book;
  }

  /** Subscribes to a market's public trades ('trade' events). */
  async subscribeTrades(marketId: number): Promise<void> {
    await this.subscribe([{ marketId, channel: v1.Channel.CHANNEL_TRADES }]);
  }

  /** Subscribes to a market's best bid/offer ('bbo' events). */
  async subscribeBbo(marketId: number): Promise<void> {
    await this.subscribe([{ marketId, channel: v1.Channel.CHANNEL_BBO }]);
  }

  /** Subscribes to channels (remembered and restored after reconnects). */
  subscribe(subscriptions: Subscription[]): Promise<SubscribeResponse> {
    for (const s of subscriptions) {
      if (s.channel === v1.Channel.CHANNEL_BOOK && !this.books.has(s.marketId ?? 0)) {
        this.books.set(s.marketId ?? 0, new LocalOrderBook(s.marketId ?? 0));
      }
      this.subscriptions.set(subKey(s.channel ?? 0, s.marketId ?? 0), s);
    }
    return this.send<SubscribeResponse>('subscribe', {
      requestId: 0,
      subscribe: { subscriptions },
    });
  }

  /** Unsubscribes (and forgets the local book of an unsubscribed book channel). */
  unsubscribe(subscriptions: Subscription[]): Promise<SubscribeResponse> {
    for (const s of subscriptions) {
      this.subscriptions.delete(subKey(s.channel ?? 0, s.marketId ?? 0));
      if (s.channel === v1.Channel.CHANNEL_BOOK) this.books.delete(s.marketId ?? 0);
    }
    return this.send<SubscribeResponse>('unsubscribe', {
      requestId: 0,
      unsubscribe: { subscriptions },
    });
  }

  /** Requests a book snapshot (normally automatic on a gap). */
  requestBookSnapshot(marketId: number, depth = 0): Promise<exchange.v1.BookSnapshot> {
    return this.send(
      'bookSnapshot',
      { requestId: 0, bookSnapshot: { marketId, depth } },
      this.requestTimeoutMs,
      marketId,
    );
  }

  private requestSnapshot(book: LocalOrderBook): void {
    if (book.snapshotRequested || book.synced || !this.isOpen) return;
    book.markSnapshotRequested();
    const depth =
      this.subscriptions.get(subKey(v1.Channel.CHANNEL_BOOK, book.marketId))?.depth ?? 0;
    this.requestBookSnapshot(book.marketId, depth).catch((err: Error) => {
      book.snapshotRequested = false;
      if (this.isOpen) this.emit('error', err);
    });
  }

  private waitForBook(marketId: number, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const list = this.bookWaiters.get(marketId);
        if (list !== undefined) list.splice(list.indexOf(done), 1);
        reject(
          new ClientError(
            'E_TIMEOUT',
            `no book snapshot for market ${marketId} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const list = this.bookWaiters.get(marketId);
      if (list === undefined) this.bookWaiters.set(marketId, [done]);
      else list.push(done);
    });
  }

  private onBookSnapshot(snap: exchange.v1.BookSnapshot): void {
    const book = this.books.get(snap.marketId);
    if (book === undefined) return;
    const r = book.applySnapshot(snap);
    if (r === 'stale') return;
    this.emit('book', book);
    const waiters = this.bookWaiters.get(snap.marketId);
    if (waiters !== undefined) {
      this.bookWaiters.delete(snap.marketId);
      for (const w of waiters) w();
    }
    if (r === 'gap') {
      this.emit('bookResync', { marketId: book.marketId, reason: 'gap' });
      this.requestSnapshot(book);
    }
  }

  private onBookUpdate(update: exchange.v1.BookUpdate): void {
    const book = this.books.get(update.marketId);
    if (book === undefined) return;
    const r = book.applyUpdate(update);
    if (r === 'applied') this.emit('book', book);
    else if (r === 'gap') {
      this.emit('bookResync', { marketId: book.marketId, reason: 'gap' });
      this.requestSnapshot(book);
    } else if (r === 'buffered' && book.needsSnapshot) this.requestSnapshot(book);
  }

  private onResyncRequired(marketId: number): void {
    for (const book of this.books.values()) {
      if (marketId !== 0 && book.marketId !== marketId) continue;
      book.synced = false;
      this.emit('bookResync', { marketId: book.marketId, reason: 'resync_required' });
      this.requestSnapshot(book);
    }
  }

  // ---- session utilities ----

  /**
   * Arms the dead-man's switch: unless re-armed within `timeoutMs`, the
   * server cancels all this account's orders (in `marketId`, 0 = all).
   */
  armDeadManSwitch(timeoutMs: number, marketId = 0): Promise<DeadManSwitchResponse> {
    return this.send<DeadManSwitchResponse>('deadManSwitch', {
      requestId: 0,
      deadManSwitch: { timeoutMs, marketId },
    });
  }

  /** Disarms the dead-man's switch. */
  disarmDeadManSwitch(marketId = 0): Promise<DeadManSwitchResponse> {
    return this.armDeadManSwitch(0, marketId);
  }

  /**
   * Arms the dead-man's switch now and re-arms it every `rearmEveryMs`
   * (default a third of the timeout), also after reconnects, until
   * stopDeadManSwitch(). If this process hangs or loses its connection for
   * longer than `timeoutMs`, the server cancels the orders.
   */
  async keepDeadManSwitchArmed(
    timeoutMs: number,
    options: { marketId?: number; rearmEveryMs?: number } = {},
  ): Promise<DeadManSwitchResponse> {
    if (!(timeoutMs > 0)) throw new ClientError('E_INVALID_ARGUMENT', 'timeoutMs must be positive');
    this.dmsTimeoutMs = timeoutMs;
    this.dmsMarketId = options.marketId ?? 0;
    if (this.dmsTimer !== undefined) clearInterval(this.dmsTimer);
    const every = options.rearmEveryMs ?? Math.max(10, Math.floor(timeoutMs / 3));
    this.dmsTimer = setInterval(() => {
      if (this.isOpen)
        this.armDeadManSwitch(this.dmsTimeoutMs, this.dmsMarketId).catch((err: Error) =>
          this.emit('error', err),
        );
    }, every);
    this.dmsTimer.unref();
    return this.armDeadManSwitch(timeoutMs, this.dmsMarketId);
  }

  /** Stops re-arming and disarms the dead-man's switch. */
  async stopDeadManSwitch(): Promise<DeadManSwitchResponse | undefined> {
    if (this.dmsTimer !== undefined) clearInterval(this.dmsTimer);
    this.dmsTimer = undefined;
    const marketId = this.dmsMarketId;
    this.dmsTimeoutMs = 0;
    return this.isOpen ? this.disarmDeadManSwitch(marketId) : undefined;
  }

  /** Round trip to the gateway; resolves with the RTT in µs. */
  async ping(timeoutMs?: number): Promise<number> {
    const t0 = performance.now();
    this.sPing.clientTimeUs = Math.round((performance.timeOrigin + t0) * 1000);
    await this.send('ping', this.mPing, timeoutMs);
    this.pingRttUs = Math.round((performance.now() - t0) * 1000);
    return this.pingRttUs;
  }

  // ---- receiving ----

  private onMessage(data: Buffer): void {
    this.lastRecvAt = Date.now();
    let msg: exchange.v1.ServerMessage;
    try {
      msg = v1.ServerMessage.decode(data);
    } catch (err) {
      this.emit(
        'error',
        new ClientError('E_PROTOCOL', `undecodable server message: ${(err as Error).message}`),
      );
      return;
    }
    if (msg.rateLimit != null) this.emit('rateLimit', msg.rateLimit as RateLimitUsage);
    switch (msg.body) {
      case 'executionReport':
        this.onReport(msg.executionReport as ExecutionReport);
        break;
      case 'bookUpdate':
        this.onBookUpdate(msg.bookUpdate as exchange.v1.BookUpdate);
        break;
      case 'bookSnapshot':
        this.onBookSnapshot(msg.bookSnapshot as exchange.v1.BookSnapshot);
        break;
      case 'trade':
        this.emit('trade', msg.trade as PublicTrade);
        break;
      case 'bbo':
        this.emit('bbo', msg.bbo as BestBidOffer);
        break;
      case 'heartbeat':
        this.emit('heartbeat', msg.heartbeat as Heartbeat);
        break;
      case 'resyncRequired':
        this.onResyncRequired(msg.resyncRequired?.marketId ?? 0);
        break;
      case 'sessionClosing':
        this.emit('sessionClosing', msg.sessionClosing as SessionClosing);
        break;
      default:
        break;
    }
    const id = msg.requestId;
    if (id !== 0) {
      const p = this.pending.take(id);
      if (p !== undefined) this.settle(p, msg);
    }
  }

  private settle(p: PendingRequest, msg: exchange.v1.ServerMessage): void {
    switch (msg.body) {
      case 'reject': {
        const r = msg.reject!;
        const reason = r.reason ?? 0;
        if (p.kind === 'logon') {
          p.reject(
            new LogonError(
              reason,
              `logon refused: ${rejectReasonName(reason)}${r.message ? ` (${r.message})` : ''}`,
              FATAL_LOGON.has(reason),
            ),
          );
        } else {
          p.reject(new RejectError(p.id, reason, r.message ?? ''));
        }
        return;
      }
      case 'orderResponse': {
        const res = msg.orderResponse!;
        if (p.kind === 'newOrder' || p.kind === 'cancelOrder' || p.kind === 'amendOrder') {
          const ack = res.acks?.[0];
          if (ack === undefined) {
            p.reject(
              new ClientError('E_PROTOCOL', `${p.kind} request ${p.id}: response without an ack`),
            );
          } else {
            p.resolve(ack);
          }
        } else {
          p.resolve(res);
        }
        return;
      }
      case 'sessionClosing': {
        const s = msg.sessionClosing!;
        p.reject(new RejectError(p.id, s.reason ?? 0, s.message ?? ''));
        return;
      }
      case undefined:
        p.reject(new ClientError('E_PROTOCOL', `${p.kind} request ${p.id}: empty response`));
        return;
      default:
        p.resolve((msg as unknown as Record<string, unknown>)[msg.body]);
    }
  }
}
