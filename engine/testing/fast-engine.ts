// Where the differential harness gets the fast engine from.
import { Engine } from '../engine';
import type { EngineOptions, MatchingEngine } from '../matching-engine';

export type EngineConstructor = new (
  options: EngineOptions & { maxOrders?: number },
) => MatchingEngine;

/** The fast engine's constructor (engine/engine.ts `Engine`). */
export function loadFastEngine(): EngineConstructor {
  return Engine;
}
