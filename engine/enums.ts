// Runtime mirrors of the contract's `const enum`s. TypeScript erases const
// enums, so plain JavaScript (require('./dist/engine')) could not name a side
// or a reject reason without these. Each object is checked at compile time to
// list every member of its enum with the same number; each name is also a
// type (the enum), so TypeScript callers can use either.
import { EventKind as EventKindEnum } from './event';
import { RejectReason as RejectReasonEnum } from './reject-reason';
import * as T from './types';

/** Exactly the members of const enum E, with their values. */
type Mirror<E> = { readonly [K in keyof E]: E[K] };

/** Order side: BUY 1, SELL 2. */
export const Side = Object.freeze({
  BUY: T.Side.BUY,
  SELL: T.Side.SELL,
} as const satisfies Mirror<typeof T.Side>);
export type Side = T.Side;

/** LIMIT 1, MARKET 2. */
export const OrderType = Object.freeze({
  LIMIT: T.OrderType.LIMIT,
  MARKET: T.OrderType.MARKET,
} as const satisfies Mirror<typeof T.OrderType>);
export type OrderType = T.OrderType;

/** UNSPECIFIED 0 (market orders), GTC 1, IOC 2, FOK 3. */
export const TimeInForce = Object.freeze({
  UNSPECIFIED: T.TimeInForce.UNSPECIFIED,
  GTC: T.TimeInForce.GTC,
  IOC: T.TimeInForce.IOC,
  FOK: T.TimeInForce.FOK,
} as const satisfies Mirror<typeof T.TimeInForce>);
export type TimeInForce = T.TimeInForce;

/** Self-trade prevention modes; UNSPECIFIED means EXPIRE_TAKER. */
export const StpMode = Object.freeze({
  UNSPECIFIED: T.StpMode.UNSPECIFIED,
  NONE: T.StpMode.NONE,
  EXPIRE_TAKER: T.StpMode.EXPIRE_TAKER,
  EXPIRE_MAKER: T.StpMode.EXPIRE_MAKER,
  EXPIRE_BOTH: T.StpMode.EXPIRE_BOTH,
  DECREMENT: T.StpMode.DECREMENT,
} as const satisfies Mirror<typeof T.StpMode>);
export type StpMode = T.StpMode;

/** ACTIVE 1, CANCEL_ONLY 2, HALTED 3. */
export const MarketStatus = Object.freeze({
  ACTIVE: T.MarketStatus.ACTIVE,
  CANCEL_ONLY: T.MarketStatus.CANCEL_ONLY,
  HALTED: T.MarketStatus.HALTED,
} as const satisfies Mirror<typeof T.MarketStatus>);
export type MarketStatus = T.MarketStatus;

/** Why an order left the book without filling (ORDER_CANCELED / ORDER_EXPIRED reason). */
export const CancelReason = Object.freeze({
  NONE: T.CancelReason.NONE,
  USER: T.CancelReason.USER,
  CANCEL_ALL: T.CancelReason.CANCEL_ALL,
  IOC_REMAINDER: T.CancelReason.IOC_REMAINDER,
  FOK_UNFILLABLE: T.CancelReason.FOK_UNFILLABLE,
  MARKET_REMAINDER: T.CancelReason.MARKET_REMAINDER,
  SELF_TRADE: T.CancelReason.SELF_TRADE,
  CANCEL_ON_DISCONNECT: T.CancelReason.CANCEL_ON_DISCONNECT,
  DEAD_MAN_SWITCH: T.CancelReason.DEAD_MAN_SWITCH,
} as const satisfies Mirror<typeof T.CancelReason>);
export type CancelReason = T.CancelReason;

/** The `kind` of each command. */
export const CommandKind = Object.freeze({
  PLACE_ORDER: T.CommandKind.PLACE_ORDER,
  CANCEL_ORDER: T.CommandKind.CANCEL_ORDER,
  CANCEL_ALL: T.CommandKind.CANCEL_ALL,
  AMEND_ORDER: T.CommandKind.AMEND_ORDER,
  BATCH_PLACE: T.CommandKind.BATCH_PLACE,
  BATCH_CANCEL: T.CommandKind.BATCH_CANCEL,
  DEPOSIT: T.CommandKind.DEPOSIT,
  WITHDRAW_LOCK: T.CommandKind.WITHDRAW_LOCK,
  WITHDRAW_FINALIZE: T.CommandKind.WITHDRAW_FINALIZE,
  WITHDRAW_RELEASE: T.CommandKind.WITHDRAW_RELEASE,
  SET_FEES: T.CommandKind.SET_FEES,
  ADD_ASSET: T.CommandKind.ADD_ASSET,
  ADD_ACCOUNT: T.CommandKind.ADD_ACCOUNT,
  ADD_MARKET: T.CommandKind.ADD_MARKET,
  SET_MARKET_STATUS: T.CommandKind.SET_MARKET_STATUS,
  SET_DEAD_MAN_SWITCH: T.CommandKind.SET_DEAD_MAN_SWITCH,
  TIMER: T.CommandKind.TIMER,
} as const satisfies Mirror<typeof T.CommandKind>);
export type CommandKind = T.CommandKind;

/** The `kind` of each event. */
export const EventKind = Object.freeze({
  ORDER_ACCEPTED: EventKindEnum.ORDER_ACCEPTED,
  ORDER_REJECTED: EventKindEnum.ORDER_REJECTED,
  TRADE: EventKindEnum.TRADE,
  ORDER_CANCELED: EventKindEnum.ORDER_CANCELED,
  ORDER_EXPIRED: EventKindEnum.ORDER_EXPIRED,
  ORDER_AMENDED: EventKindEnum.ORDER_AMENDED,
  SELF_TRADE_PREVENTED: EventKindEnum.SELF_TRADE_PREVENTED,
  BOOK_LEVEL: EventKindEnum.BOOK_LEVEL,
  BALANCE: EventKindEnum.BALANCE,
  DEPOSITED: EventKindEnum.DEPOSITED,
  WITHDRAWAL_LOCKED: EventKindEnum.WITHDRAWAL_LOCKED,
  WITHDRAWAL_FINALIZED: EventKindEnum.WITHDRAWAL_FINALIZED,
  WITHDRAWAL_RELEASED: EventKindEnum.WITHDRAWAL_RELEASED,
  FEES_SET: EventKindEnum.FEES_SET,
  ASSET_ADDED: EventKindEnum.ASSET_ADDED,
  ACCOUNT_ADDED: EventKindEnum.ACCOUNT_ADDED,
  MARKET_ADDED: EventKindEnum.MARKET_ADDED,
  MARKET_STATUS_SET: EventKindEnum.MARKET_STATUS_SET,
  DEAD_MAN_SWITCH_SET: EventKindEnum.DEAD_MAN_SWITCH_SET,
  DEAD_MAN_SWITCH_FIRED: EventKindEnum.DEAD_MAN_SWITCH_FIRED,
} as const satisfies Mirror<typeof EventKindEnum>);
export type EventKind = EventKindEnum;

/** Reject reason codes (wire values); names in REJECT_REASON_NAMES. */
export const RejectReason = Object.freeze({
  NONE: RejectReasonEnum.NONE,
  INVALID_TICK_SIZE: RejectReasonEnum.INVALID_TICK_SIZE,
  PRICE_OUT_OF_RANGE: RejectReasonEnum.PRICE_OUT_OF_RANGE,
  INVALID_LOT_SIZE: RejectReasonEnum.INVALID_LOT_SIZE,
  QUANTITY_BELOW_MIN: RejectReasonEnum.QUANTITY_BELOW_MIN,
  QUANTITY_ABOVE_MAX: RejectReasonEnum.QUANTITY_ABOVE_MAX,
  NOTIONAL_BELOW_MIN: RejectReasonEnum.NOTIONAL_BELOW_MIN,
  MARKET_UNKNOWN: RejectReasonEnum.MARKET_UNKNOWN,
  MARKET_HALTED: RejectReasonEnum.MARKET_HALTED,
  MARKET_CANCEL_ONLY: RejectReasonEnum.MARKET_CANCEL_ONLY,
  ACCOUNT_UNKNOWN: RejectReasonEnum.ACCOUNT_UNKNOWN,
  INSUFFICIENT_FUNDS: RejectReasonEnum.INSUFFICIENT_FUNDS,
  DUPLICATE_CLIENT_ORDER_ID: RejectReasonEnum.DUPLICATE_CLIENT_ORDER_ID,
  INVALID_CLIENT_ORDER_ID: RejectReasonEnum.INVALID_CLIENT_ORDER_ID,
  POST_ONLY_WOULD_TAKE: RejectReasonEnum.POST_ONLY_WOULD_TAKE,
  INVALID_TIME_IN_FORCE: RejectReasonEnum.INVALID_TIME_IN_FORCE,
  INVALID_ORDER_TYPE: RejectReasonEnum.INVALID_ORDER_TYPE,
  INVALID_SIDE: RejectReasonEnum.INVALID_SIDE,
  INVALID_STP_MODE: RejectReasonEnum.INVALID_STP_MODE,
  NO_LIQUIDITY: RejectReasonEnum.NO_LIQUIDITY,
  ORDER_UNKNOWN: RejectReasonEnum.ORDER_UNKNOWN,
  AMEND_NO_CHANGE: RejectReasonEnum.AMEND_NO_CHANGE,
  ASSET_UNKNOWN: RejectReasonEnum.ASSET_UNKNOWN,
  INVALID_AMOUNT: RejectReasonEnum.INVALID_AMOUNT,
  DUPLICATE_REFERENCE: RejectReasonEnum.DUPLICATE_REFERENCE,
  REFERENCE_UNKNOWN: RejectReasonEnum.REFERENCE_UNKNOWN,
  BALANCE_OVERFLOW: RejectReasonEnum.BALANCE_OVERFLOW,
  INVALID_FEE: RejectReasonEnum.INVALID_FEE,
  ACCOUNT_EXISTS: RejectReasonEnum.ACCOUNT_EXISTS,
  MARKET_EXISTS: RejectReasonEnum.MARKET_EXISTS,
  ASSET_EXISTS: RejectReasonEnum.ASSET_EXISTS,
  INVALID_MARKET_CONFIG: RejectReasonEnum.INVALID_MARKET_CONFIG,
  BATCH_TOO_LARGE: RejectReasonEnum.BATCH_TOO_LARGE,
  TOO_MANY_OPEN_ORDERS: RejectReasonEnum.TOO_MANY_OPEN_ORDERS,
  ORDER_CAPACITY: RejectReasonEnum.ORDER_CAPACITY,
  INVALID_MARKET_STATUS: RejectReasonEnum.INVALID_MARKET_STATUS,
  INVALID_COMMAND: RejectReasonEnum.INVALID_COMMAND,
  CAPACITY_EXCEEDED: RejectReasonEnum.CAPACITY_EXCEEDED,
} as const satisfies Mirror<typeof RejectReasonEnum>);
export type RejectReason = RejectReasonEnum;
