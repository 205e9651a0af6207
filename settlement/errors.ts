// Settlement failures, with stable codes. Whether a job retries is decided by
// the code (see worker.ts classify()): decode and journal errors are
// permanent (the job goes to the failed set at once, alerted), a missing
// dependency waits without consuming attempts, everything else retries with
// backoff and then fails visibly. Nothing is ever dropped silently.
import { ExchangeError } from '../common/errors';

export type SettlementErrorCode =
  /** A journal entry could not be decoded or is not well-formed. */
  | 'E_SETTLEMENT_DECODE'
  /** The journal entries of a job are gone (trimmed or lost) and the range is not settled. */
  | 'E_SETTLEMENT_JOURNAL_MISSING'
  /** The journal does not hold what the job says (seqs, shard, gaps). */
  | 'E_SETTLEMENT_JOURNAL_MISMATCH'
  /** An engine id (account, asset, market) has no Postgres row. */
  | 'E_SETTLEMENT_UNKNOWN_REFERENCE'
  /** The job needs an earlier range applied first (see README "Orders"). */
  | 'E_SETTLEMENT_DEPENDENCY'
  /** A settlement invariant does not hold (a bug or a corrupt journal). */
  | 'E_SETTLEMENT_INVARIANT'
  /** Bad job data. */
  | 'E_SETTLEMENT_JOB';

export class SettlementError extends ExchangeError {
  declare readonly code: SettlementErrorCode;
  // biome-ignore lint/complexity/noUselessConstructor: narrows `code` to SettlementErrorCode
  constructor(code: SettlementErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Thrown when a job must wait for an earlier range; retried later without using an attempt. */
export class DependencyError extends SettlementError {
  constructor(message: string) {
    super('E_SETTLEMENT_DEPENDENCY', message);
  }
}
