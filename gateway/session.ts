// One WebSocket connection and, once logged on, its session: identity (the
// API key and the account it trades for), choices made at logon
// (cancel-on-disconnect, heartbeat interval), subscriptions, and what the
// safety rails need (orders placed through it, requests in flight, bad-frame
// count, slow-consumer state).
import type { ApiKeyRecord } from './api-keys';
import type { OrderRateLimiter } from './rate-limiter';
import type { WebSocket } from './uws';

export const enum SessionState {
  CONNECTED = 0,
  LOGGING_ON = 1,
  ACTIVE = 2,
  CLOSED = 3,
}

/** Channel bits of Session.md (per market). */
export const MD_BOOK = 1;
export const MD_TRADES = 2;
export const MD_BBO = 4;

export interface SocketData {
  session: Session;
}

export class Session {
  ws: WebSocket<SocketData> | undefined;
  state = SessionState.CONNECTED;
  readonly openedAtMs: number;
  lastRecvMs: number;
  heartbeatMs = 0;
  nextHeartbeatMs = 0;
  heartbeatSeq = 0;
  key: ApiKeyRecord | undefined;
  accountId = 0;
  canTrade = false;
  scopes: readonly string[] = [];
  /** exchange.v1.CancelOnDisconnect value chosen at logon. */
  cancelOnDisconnect = 0;
  limiter: OrderRateLimiter | undefined;
  /** Subscribed to this account's execution reports. */
  reports = false;
  /** Encoded live reports held while a replay runs (undefined: deliver directly). */
  replayHold: Uint8Array[] | undefined;
  /** Market data channels per market (MD_* bits). */
  readonly md = new Map<number, number>();
  /** Market data paused for a slow consumer (until it subscribes again). */
  slow = false;
  inFlight = 0;
  badFrames = 0;
  /** Orders placed through this session (for SESSION cancel-on-disconnect), per shard. */
  readonly placed = new Map<number, Set<number>>();
  /** Messages held while an engine chunk is handled (Gateway.flushOutbox sends them, in order). */
  outbox: Uint8Array[] | undefined;
  /** closeSession() ran: SessionClosing is out, the close frame follows. */
  closing = false;
  closeReason = '';

  constructor(
    readonly id: string,
    readonly remoteAddress: string,
    nowMs: number,
  ) {
    this.openedAtMs = nowMs;
    this.lastRecvMs = nowMs;
  }

  get active(): boolean {
    return this.state === SessionState.ACTIVE;
  }

  get open(): boolean {
    return this.state !== SessionState.CLOSED && this.ws !== undefined;
  }

  subscriptionCount(): number {
    let n = this.reports ? 1 : 0;
    for (const bits of this.md.values()) n += (bits & 1) + ((bits >> 1) & 1) + ((bits >> 2) & 1);
    return n;
  }
}
