// I/O and recovery failures of the engine process, with stable codes. Any of
// them reaching main.ts stops the process non-zero (fail-stop): the journal is
// the truth, and a restart recovers from it.
import { ExchangeError } from '../../common/errors';

export type EngineProcessErrorCode =
  /** An XADD was refused or the Redis connection broke with appends in flight. */
  | 'E_JOURNAL_APPEND'
  /** An XADD was not confirmed within ENGINE_APPEND_TIMEOUT_MS. */
  | 'E_JOURNAL_TIMEOUT'
  /** The stream's last entry was not the one this process wrote last (another writer, or a lost append). */
  | 'E_JOURNAL_FENCE'
  /** A journal entry could not be decoded or is not well-formed: recovery stops there. */
  | 'E_JOURNAL_CORRUPT'
  /** Sequence numbers in the journal are not consecutive. */
  | 'E_JOURNAL_GAP'
  /** Replaying a journaled command gave a different result than the journal records. */
  | 'E_JOURNAL_DIVERGED'
  /** The state hash after replay differs from the one recorded. */
  | 'E_STATE_HASH_MISMATCH'
  /** A snapshot is missing parts, fails its checksum, or belongs to another shard. */
  | 'E_SNAPSHOT_STORE';

export class EngineProcessError extends ExchangeError {
  declare readonly code: EngineProcessErrorCode;
  // biome-ignore lint/complexity/noUselessConstructor: narrows `code` to EngineProcessErrorCode
  constructor(code: EngineProcessErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
