// Every fixed limit of settlement in one place, with what it costs. Tunable
// settings (job size, concurrency, retries) live in settlement-config.ts and
// are checked against these bounds; assertLimits() runs at startup.
import { assert } from '../common/errors';

/**
 * Upper bound of SETTLEMENT_JOB_MAX_COMMANDS: journaled commands in one job
 * (one Postgres transaction). A command produces ~10 rows at most in practice
 * (a fill: one trade, up to 6 ledger entries, 2 order rows, balances), so
 * 20k commands ~ 200k rows, a few seconds of one backend.
 */
export const MAX_JOB_COMMANDS = 20_000;

/** Upper bound of SETTLEMENT_JOB_MAX_ENTRIES: journal stream entries in one job. */
export const MAX_JOB_ENTRIES = 4_096;

/** Stream entries the pump reads per XREADGROUP / XAUTOCLAIM (each at most 8 MiB, usually ~KBs). */
export const PUMP_READ_COUNT = 256;

/**
 * A job that must fold order history from journal entries it does not own
 * (the "window" between the settled cursor and its first seq, see README)
 * reads at most this many commands; past it the job waits for the cursor to
 * catch up instead (a delayed retry that does not consume an attempt).
 */
export const MAX_WINDOW_COMMANDS = 200_000;

/** Decoded journal entries kept per process (shared by jobs and window folds): ~1 KB per command. */
export const DECODE_CACHE_COMMANDS = 40_000;

/** Delayed retries (dependency waits, Postgres unreachable) before a job counts an attempt. */
export const MAX_FREE_DELAYS = 10_000;

/** Longest delay between free retries. */
export const MAX_DELAY_MS = 5_000;

/** Largest journal entry settlement accepts (the engine process bounds them at 8 MiB). */
export const MAX_ENTRY_BYTES = 16 * 1024 * 1024;

/** Jobs waiting in the queue above which the pump stops reading the journal for a moment. */
export const PUMP_MAX_WAITING_JOBS = 10_000;

/** Differences listed in a reconciliation report before "... and N more". */
export const RECONCILE_MAX_LISTED = 20;

export function assertLimits(): void {
  assert(MAX_JOB_COMMANDS >= 1 && MAX_JOB_ENTRIES >= 1, 'jobs hold at least one command');
  assert(MAX_WINDOW_COMMANDS >= MAX_JOB_COMMANDS, 'a window spans at least one job');
  assert(DECODE_CACHE_COMMANDS >= MAX_JOB_COMMANDS, 'the cache holds at least one job');
  assert(PUMP_READ_COUNT >= 1 && PUMP_MAX_WAITING_JOBS >= 1, 'positive pump limits');
  assert(MAX_DELAY_MS >= 100, 'delays are at least 100 ms');
}
