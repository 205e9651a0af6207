// The engine's public API, for TypeScript and for plain JavaScript after
// `npm run build` (require('./dist/engine')). Enums are exported as runtime
// objects (the contract's const enums are erased at compile time).

/** Thrown (never for bad input) when an engine invariant breaks. */
export { AssertionFailure } from '../common/errors';
/** Every engine limit (MAX_ORDERS, MAX_BATCH_ITEMS, fee bounds, ...). */
export * from './constants';
/** The fast matching engine (implements MatchingEngine and StateView). */
export { type BalanceView, type DepthLevel, Engine, type FastEngineOptions } from './engine';
/** Runtime enum objects (each name is also the enum's type). */
export {
  CancelReason,
  CommandKind,
  EventKind,
  MarketStatus,
  OrderType,
  RejectReason,
  Side,
  StpMode,
  TimeInForce,
} from './enums';
/**
 * The Event shape (engine.events.at(i) returns a view of that shape, valid
 * until events.clear()), the fields each kind carries, a detached plain copy
 * (eventToPlain: keep that, not the view), and flag bits.
 */
export {
  EVENT_FIELDS,
  Event,
  type EventSink,
  eventToPlain,
  FLAG_KEPT_PRIORITY,
  FLAG_POST_ONLY,
  type PlainEvent,
} from './event';
/** The engine contract and what two engines must agree on. */
export type { EngineOptions, MatchingEngine } from './matching-engine';
/** Stable lower_snake names of reject reasons, by code. */
export { REJECT_REASON_NAMES } from './reject-reason';
/** Reads and verifies a snapshot's header (version, length, checksum, lastSeq) without restoring it. */
export { readSnapshotHeader, type SnapshotHeader } from './snapshot-codec';
/** Why Engine.restore refused a snapshot (code E_SNAPSHOT_CORRUPT / E_SNAPSHOT_VERSION). */
export { SnapshotError, type SnapshotErrorCode } from './snapshot-error';
/** SHA-256 of a StateView's canonical walk (what stateHash() returns). */
export { hashState } from './state-hash';
export type { RestingOrderView, StateView } from './state-view';
/** Command shapes (see SEMANTICS.md). */
export type {
  AddAccount,
  AddAsset,
  AddMarket,
  AmendOrder,
  BatchCancel,
  BatchPlace,
  CancelAll,
  CancelOrder,
  Command,
  Deposit,
  EngineCommand,
  MarketConfig,
  PlaceOrder,
  SetDeadManSwitch,
  SetFees,
  SetMarketStatus,
  Timer,
  WithdrawFinalize,
  WithdrawLock,
  WithdrawRelease,
} from './types';
/** Dead-man's switch timeout bounds (SET_DEAD_MAN_SWITCH). */
export { DEAD_MAN_MAX_TIMEOUT_MS, DEAD_MAN_MIN_TIMEOUT_MS } from './types';
