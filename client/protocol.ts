// The protocol's enums and message types under short names, so SDK users
// never import the generated module directly. Values are the wire numbers of
// proto/exchange/v1 (e.g. Side.SIDE_BUY === 1).
import { exchange } from '../proto';

/** Order side. */
export const Side = exchange.v1.Side;
export type Side = exchange.v1.Side;
/** Limit or market. */
export const OrderType = exchange.v1.OrderType;
export type OrderType = exchange.v1.OrderType;
/** GTC, IOC, FOK (market orders: UNKNOWN or IOC). */
export const TimeInForce = exchange.v1.TimeInForce;
export type TimeInForce = exchange.v1.TimeInForce;
/** Self-trade prevention mode (the taker's decides). */
export const StpMode = exchange.v1.StpMode;
export type StpMode = exchange.v1.StpMode;
/** Cancel-on-disconnect scope chosen at logon. */
export const CancelOnDisconnect = exchange.v1.CancelOnDisconnect;
export type CancelOnDisconnect = exchange.v1.CancelOnDisconnect;
/** Subscription channels. */
export const Channel = exchange.v1.Channel;
export type Channel = exchange.v1.Channel;
/** Execution report type. */
export const ExecType = exchange.v1.ExecType;
export type ExecType = exchange.v1.ExecType;
/** Order status. */
export const OrderStatus = exchange.v1.OrderStatus;
export type OrderStatus = exchange.v1.OrderStatus;
/** Reject reason codes (engine 1-99, gateway 100-199, link 200-299). */
export const RejectReason = exchange.v1.RejectReason;
export type RejectReason = exchange.v1.RejectReason;
/** Why an order left the book unfilled. */
export const CancelReason = exchange.v1.CancelReason;
export type CancelReason = exchange.v1.CancelReason;
/** Market status. */
export const MarketStatus = exchange.v1.MarketStatus;
export type MarketStatus = exchange.v1.MarketStatus;

/** Logon acknowledgement (session id, account id, scopes, newest report seq, heartbeat interval). */
export type LogonAck = exchange.v1.LogonAck;
/** Per-item answer to order entry: order id, reject reason (0 = accepted), status. */
export type OrderAck = exchange.v1.OrderAck;
/** Answer to a batch, cancel-all or any order-entry request: one ack per item. */
export type OrderResponse = exchange.v1.OrderResponse;
/** Execution report (per-account, gap-free report_seq). */
export type ExecutionReport = exchange.v1.ExecutionReport;
/** Current state of one order (`found`, then `order` with exec type UNKNOWN). */
export type OrderStatusResponse = exchange.v1.OrderStatusResponse;
/** End marker of a replay of execution reports. */
export type ReplayReportsResponse = exchange.v1.ReplayReportsResponse;
/** Accepted subscriptions. */
export type SubscribeResponse = exchange.v1.SubscribeResponse;
/** L2 snapshot. */
export type BookSnapshot = exchange.v1.BookSnapshot;
/** Incremental L2 update. */
export type BookUpdate = exchange.v1.BookUpdate;
/** Public trade. */
export type PublicTrade = exchange.v1.PublicTrade;
/** Best bid and offer. */
export type BestBidOffer = exchange.v1.BestBidOffer;
/** Server heartbeat. */
export type Heartbeat = exchange.v1.Heartbeat;
/** Answer to a Ping. */
export type Pong = exchange.v1.Pong;
/** Order-rate usage of the API key, on order-entry responses. */
export type RateLimitUsage = exchange.v1.RateLimitUsage;
/** Dead-man's switch state after an arm/disarm. */
export type DeadManSwitchResponse = exchange.v1.DeadManSwitchResponse;
/** The server is about to close the connection. */
export type SessionClosing = exchange.v1.SessionClosing;
/** One subscription (market, channel, book depth). */
export type Subscription = exchange.v1.ISubscription;

/** A new order in wire units (ticks, lots, atoms). */
export interface NewOrderParams {
  marketId: number;
  side: Side;
  /** Default LIMIT. */
  orderType?: OrderType;
  /** Default GTC for limit orders, UNKNOWN (= IOC) for market orders. */
  timeInForce?: TimeInForce;
  /** Limit price in ticks; 0 for market orders. */
  priceTicks?: number;
  /** Quantity in lots; 0 for a market order by quote budget. */
  qtyLots?: number;
  /** Market orders only: spend (buy) or receive (sell) at most this many quote atoms. */
  quoteBudgetAtoms?: number;
  postOnly?: boolean;
  /** Default UNKNOWN = the market's default (expire taker). */
  stpMode?: StpMode;
  /** '' or ^[A-Za-z0-9_-]{1,36}$, unique among the account's open orders. */
  clientOrderId?: string;
}

/** Names an order by id (preferred when known) or by client order id. */
export interface OrderRef {
  marketId: number;
  orderId?: number;
  clientOrderId?: string;
}

/** Amend: new price (0/undefined = keep) and/or new total quantity (0/undefined = keep). */
export interface AmendParams extends OrderRef {
  newPriceTicks?: number;
  newQtyLots?: number;
}
