// The contract both the fast engine (engine.ts) and the reference model
// (order-book-naive.ts) implement. SEMANTICS.md is its specification.
import type { EventSink } from './event';
import type { RejectReason } from './reject-reason';
import type { StateView } from './state-view';
import type { EngineCommand } from './types';

export interface EngineOptions {
  /** The exchange's fee account: created with the engine, collects fees, pays rebates. */
  feeAccountId: number;
}

export interface MatchingEngine extends StateView {
  /**
   * Apply one command, stamped by the caller (the sequencer) with its time.
   * The engine numbers it lastSeq + 1, appends its events to `events` and
   * returns NONE or the reason the whole command was rejected (a rejected
   * command also appends one ORDER_REJECTED event). Batch items are judged one
   * by one: their outcomes are in the events and the batch returns NONE.
   * Never throws on bad input; throws AssertionFailure only on a broken invariant.
   */
  submit(command: EngineCommand, timeUs: number): RejectReason;
  /** Events appended since the caller last cleared it. */
  readonly events: EventSink;
  /** hashState(this): equal iff the states are equal. */
  stateHash(): string;
}
