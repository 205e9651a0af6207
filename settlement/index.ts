// Settlement: the engine journal -> Postgres (README.md). The pieces other
// areas use; settlement imports nothing from gateway/.
export {
  type ApplyContext,
  type ApplyResult,
  applyRange,
  publishSettled,
  readSettledSeq,
} from './apply';
export { DependencyError, SettlementError, type SettlementErrorCode } from './errors';
export { type MetricsSink, SettlementMetrics } from './metrics';
export { JournalPump } from './pump';
export { formatReport, type ReconcileReport, reconcile } from './reconcile';
export { type SettlementHandle, type StartSettlementOptions, startSettlement } from './service';
export { loadSettlementConfig, type SettlementConfig } from './settlement-config';
