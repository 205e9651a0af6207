// The engine's command and value types. Numbers are the wire values in
// proto/exchange/v1/common.proto: never renumber, only add.
//
// Units: prices are integer ticks, quantities integer lots, money integer
// atoms of an asset (10^-precision). A market converts with two integers:
//   base atoms  = qtyLots * baseAtomsPerLot
//   quote atoms = priceTicks * qtyLots * quoteAtomsPerTickLot   (exact)
// ADD_MARKET rejects a configuration whose worst case passes 2^53.

export const enum Side {
  BUY = 1,
  SELL = 2,
}

export const enum OrderType {
  LIMIT = 1,
  MARKET = 2,
}

export const enum TimeInForce {
  /** Market orders may leave it unspecified (they are always IOC). */
  UNSPECIFIED = 0,
  GTC = 1,
  IOC = 2,
  FOK = 3,
}

/** Self-trade prevention; the taker's mode decides (as Binance). */
export const enum StpMode {
  /** Use the market's default: EXPIRE_TAKER. */
  UNSPECIFIED = 0,
  /** Trade with yourself; only where the market sets allowSelfTrade. */
  NONE = 1,
  EXPIRE_TAKER = 2,
  EXPIRE_MAKER = 3,
  EXPIRE_BOTH = 4,
  /** Reduce both orders by the overlap; an order left with nothing expires. */
  DECREMENT = 5,
}

export const enum MarketStatus {
  ACTIVE = 1,
  /** Only cancels (and cancel-all) are accepted. */
  CANCEL_ONLY = 2,
  /** Every order command is rejected, cancels included; resting orders stay. */
  HALTED = 3,
}

/** Why an order left the book without filling. */
export const enum CancelReason {
  NONE = 0,
  USER = 1, // cancel by id or client id
  CANCEL_ALL = 2,
  IOC_REMAINDER = 3,
  FOK_UNFILLABLE = 4,
  MARKET_REMAINDER = 5, // market order: book exhausted, band reached or budget spent
  SELF_TRADE = 6,
  CANCEL_ON_DISCONNECT = 7, // issued by the gateway as CANCEL_ALL with this reason
  DEAD_MAN_SWITCH = 8,
}

export const enum CommandKind {
  PLACE_ORDER = 1,
  CANCEL_ORDER = 2,
  CANCEL_ALL = 3,
  AMEND_ORDER = 4,
  BATCH_PLACE = 5,
  BATCH_CANCEL = 6,
  DEPOSIT = 7,
  WITHDRAW_LOCK = 8,
  WITHDRAW_FINALIZE = 9,
  WITHDRAW_RELEASE = 10,
  SET_FEES = 11,
  ADD_ASSET = 12,
  ADD_ACCOUNT = 13,
  ADD_MARKET = 14,
  SET_MARKET_STATUS = 15,
  SET_DEAD_MAN_SWITCH = 16,
  TIMER = 17,
}

export interface PlaceOrder {
  kind: CommandKind.PLACE_ORDER;
  accountId: number;
  marketId: number;
  side: Side;
  orderType: OrderType;
  timeInForce: TimeInForce;
  /** Limit price; ignored (send 0) for market orders. */
  priceTicks: number;
  /** Base quantity; 0 for a market order by quote budget. */
  qtyLots: number;
  /** Market orders only: spend (buy) or receive (sell) at most this much quote; 0 = by qtyLots. */
  quoteBudgetAtoms: number;
  postOnly: boolean;
  stpMode: StpMode;
  /** '' for none; else ^[A-Za-z0-9_-]{1,36}$, unique among the account's open orders. */
  clientOrderId: string;
}

/** Target by orderId (non-zero) or else by clientOrderId. */
export interface CancelOrder {
  kind: CommandKind.CANCEL_ORDER;
  accountId: number;
  orderId: number;
  clientOrderId: string;
}

export interface CancelAll {
  kind: CommandKind.CANCEL_ALL;
  accountId: number;
  /** 0 = every market. */
  marketId: number;
  /** USER by default; the gateway sends CANCEL_ON_DISCONNECT / DEAD_MAN_SWITCH. */
  reason: CancelReason;
}

/**
 * Amend a resting order. newPriceTicks 0 = keep; newQtyLots 0 = keep, else
 * the new total quantity (must exceed what has filled). Reducing quantity at
 * the same price keeps queue priority; anything else re-enters the book at the
 * back (and may trade, as a taker) atomically with the same order id; if the
 * new order would be rejected the old one stays exactly as it was.
 */
export interface AmendOrder {
  kind: CommandKind.AMEND_ORDER;
  accountId: number;
  orderId: number;
  clientOrderId: string;
  newPriceTicks: number;
  newQtyLots: number;
}

export interface BatchPlace {
  kind: CommandKind.BATCH_PLACE;
  orders: PlaceOrder[];
}

export interface BatchCancel {
  kind: CommandKind.BATCH_CANCEL;
  cancels: CancelOrder[];
}

/** Credit an external deposit; refId is unique among deposits. */
export interface Deposit {
  kind: CommandKind.DEPOSIT;
  accountId: number;
  assetId: number;
  amountAtoms: number;
  refId: number;
}

/** Lock funds for a withdrawal request; refId is unique among withdrawals. */
export interface WithdrawLock {
  kind: CommandKind.WITHDRAW_LOCK;
  accountId: number;
  assetId: number;
  amountAtoms: number;
  refId: number;
}

/** The withdrawal was sent: its locked funds leave the exchange. */
export interface WithdrawFinalize {
  kind: CommandKind.WITHDRAW_FINALIZE;
  refId: number;
}

/** The withdrawal was refused or failed: its funds return to available. */
export interface WithdrawRelease {
  kind: CommandKind.WITHDRAW_RELEASE;
  refId: number;
}

export interface SetFees {
  kind: CommandKind.SET_FEES;
  accountId: number;
  makerFeeBps: number;
  takerFeeBps: number;
}

export interface AddAsset {
  kind: CommandKind.ADD_ASSET;
  assetId: number;
}

export interface AddAccount {
  kind: CommandKind.ADD_ACCOUNT;
  accountId: number;
  makerFeeBps: number;
  takerFeeBps: number;
}

export interface MarketConfig {
  marketId: number;
  baseAssetId: number;
  quoteAssetId: number;
  /** Lot size in base atoms. */
  baseAtomsPerLot: number;
  /** Quote atoms for one lot at one tick (tick size x lot size, exact). */
  quoteAtomsPerTickLot: number;
  minQtyLots: number;
  maxQtyLots: number;
  maxPriceTicks: number;
  /** Minimum order notional in quote atoms (limit orders at their price; quote-budget orders by budget). */
  minNotionalAtoms: number;
  /** Market orders trade no further than this from the best opposite price. */
  priceBandBps: number;
  /** Whether StpMode.NONE is allowed. */
  allowSelfTrade: boolean;
}

export interface AddMarket extends MarketConfig {
  kind: CommandKind.ADD_MARKET;
  status: MarketStatus;
}

export interface SetMarketStatus {
  kind: CommandKind.SET_MARKET_STATUS;
  marketId: number;
  status: MarketStatus;
}

/** Dead-man's switch bounds (timeoutMs); 0 disarms. */
export const DEAD_MAN_MIN_TIMEOUT_MS = 1_000;
export const DEAD_MAN_MAX_TIMEOUT_MS = 600_000;

/**
 * Arm, re-arm or (timeoutMs 0) disarm the account's dead-man's switch for one
 * market (0 = every market): it fires at the command's time + timeoutMs.
 */
export interface SetDeadManSwitch {
  kind: CommandKind.SET_DEAD_MAN_SWITCH;
  accountId: number;
  /** 0 = every market. */
  marketId: number;
  /** 0 = disarm; else DEAD_MAN_MIN_TIMEOUT_MS..DEAD_MAN_MAX_TIMEOUT_MS. */
  timeoutMs: number;
}

/** Sent by the sequencer: fires every switch whose deadline is at or before the command's time. */
export interface Timer {
  kind: CommandKind.TIMER;
}

export type Command =
  | PlaceOrder
  | CancelOrder
  | CancelAll
  | AmendOrder
  | BatchPlace
  | BatchCancel
  | Deposit
  | WithdrawLock
  | WithdrawFinalize
  | WithdrawRelease
  | SetFees
  | AddAsset
  | AddAccount
  | AddMarket
  | SetMarketStatus
  | SetDeadManSwitch
  | Timer;

/** Everything submit() accepts; the same as Command (kept as a name for existing callers). */
export type EngineCommand = Command;
