// The engine under test: engine/engine.ts's Engine, seen through what the
// benchmark needs (the MatchingEngine contract plus snapshot/restore and the
// resting order count).
import { Engine } from '../../engine/engine';
import type { EngineFactory, EngineUnderTest } from './harness';

export const ourEngine: EngineFactory = {
  name: 'Engine (engine/engine.ts)',
  create: (feeAccountId: number): EngineUnderTest => new Engine({ feeAccountId }),
  restore: (bytes: Uint8Array): EngineUnderTest => Engine.restore(bytes),
};
