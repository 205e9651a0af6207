/**
 * Client SDK of exchange-core: a typed TypeScript API over the binary
 * WebSocket protocol (proto/exchange/v1/client.proto).
 *
 * - {@link ExchangeClient}: connect and log on (secret or Ed25519 signature),
 *   order entry with promises matched by request id and per-request timeouts,
 *   execution reports delivered once and in order with automatic replay after
 *   reconnects, self-healing local order books, trades and BBO streams,
 *   heartbeats and dead-connection detection, dead-man's switch, reconnects
 *   with backoff, clean close.
 * - {@link MarketUnits}: exact decimal <-> ticks/lots/atoms conversion.
 * - {@link LocalOrderBook}: the L2 book with gap detection, usable standalone.
 * - {@link fetchMarkets}: tick/lot sizes and decimals from the gateway's REST API.
 *
 * Prices are integer ticks, quantities integer lots, money integer atoms on
 * the hot path; convert at the edges with {@link MarketUnits}.
 *
 * @packageDocumentation
 */
export {
  type ClientEvents,
  type ClientState,
  ExchangeClient,
  type ExchangeClientOptions,
  type ReconnectOptions,
} from './client';
export { type EventMap, TypedEmitter } from './emitter';
export {
  ClientError,
  type ClientErrorCode,
  ConnectionClosedError,
  DecimalError,
  isStatusUnknown,
  LogonError,
  RejectError,
  RequestTimeoutError,
  rejectReasonName,
} from './errors';
export { type BookApplyResult, type BookLevel, BookSide, LocalOrderBook } from './local-book';
export {
  isOrderEntry,
  type PendingRequest,
  PendingRequests,
  type RequestKind,
} from './pending-requests';
export {
  type AmendParams,
  type BestBidOffer,
  type BookSnapshot,
  type BookUpdate,
  CancelOnDisconnect,
  CancelReason,
  Channel,
  type DeadManSwitchResponse,
  ExecType,
  type ExecutionReport,
  type Heartbeat,
  type LogonAck,
  MarketStatus,
  type NewOrderParams,
  type OrderAck,
  type OrderRef,
  type OrderResponse,
  OrderStatus,
  type OrderStatusResponse,
  OrderType,
  type Pong,
  type PublicTrade,
  type RateLimitUsage,
  RejectReason,
  type ReplayReportsResponse,
  type SessionClosing,
  Side,
  StpMode,
  type SubscribeResponse,
  type Subscription,
  TimeInForce,
} from './protocol';
export { type ReportPushResult, ReportSequencer } from './report-sequencer';
export { fetchMarkets, type MarketInfo, restUrlOf } from './rest';
export {
  generateEd25519KeyPair,
  logonPayload,
  type SignedLogonFields,
  signLogon,
  toPrivateKey,
} from './signing';
export {
  amountToAtoms,
  atomsToAmount,
  type DecimalInput,
  decimalToSteps,
  type MarketScales,
  type MarketSpec,
  MarketUnits,
  marketScales,
  parseDecimal,
} from './units';
