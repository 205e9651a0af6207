// What the process needs from the matching engine (engine/engine.ts `Engine`):
// the MatchingEngine contract plus snapshots and the order queries. The pure
// core never imports the process; the process loads the core here.
import { Engine } from '../engine';
import type { MatchingEngine } from '../matching-engine';
import type { RestingOrderView } from '../state-view';

export interface ProcessEngine extends MatchingEngine {
  snapshot(): Uint8Array;
  getOrder(orderId: number): RestingOrderView | undefined;
  getOrderByClientId(accountId: number, clientOrderId: string): RestingOrderView | undefined;
  restingOrderCount(): number;
  /** When the earliest armed dead-man's switch fires (µs, command time); 0 = none. */
  nextDeadManDeadlineUs(): number;
}

export interface EngineFactory {
  create(feeAccountId: number): ProcessEngine;
  restore(bytes: Uint8Array): ProcessEngine;
}

/** The fast engine (engine/engine.ts). */
export function fastEngineFactory(): EngineFactory {
  return {
    create: (feeAccountId) => new Engine({ feeAccountId }),
    restore: (bytes) => Engine.restore(bytes),
  };
}
