// Group commit: one fenced XADD per batch on a dedicated connection; several
// batches may be in flight (Redis pipelines them on the socket) and their
// confirmations come back in order. The fence (a Lua script) appends only if
// the stream's last entry is the one this writer appended last, and the entry
// id is `<lastSeq>-0`, so a stale or second writer can never interleave
// entries or leave a gap. Any error, timeout or connection loss is reported
// once to onFailure: the caller must stop (fail-stop) and never reply success
// for what was not confirmed.
import type Redis from 'ioredis';
import { EngineProcessError } from './errors';
import { entryId } from './redis-keys';

// KEYS: the stream, its "last hashed entry" key. ARGV: expected last id, new
// id, entry bytes, '1' when the entry records a state hash.
const FENCED_XADD = `
local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local cur = '0-0'
if top[1] then cur = top[1][1] end
if cur ~= ARGV[1] then
  return redis.error_reply('JOURNAL_FENCE last entry of ' .. KEYS[1] .. ' is ' .. cur .. ', expected ' .. ARGV[1])
end
local id = redis.call('XADD', KEYS[1], ARGV[2], 'e', ARGV[3])
if ARGV[4] == '1' then redis.call('SET', KEYS[2], id) end
return id
`;

type Callback = (err: Error | null | undefined, result?: unknown) => void;
interface FencedRedis {
  journalAppend(
    key: string,
    hashed: string,
    prev: string,
    id: string,
    entry: Buffer,
    hasHash: string,
    cb: Callback,
  ): void;
}

export interface AppendListener<T> {
  onAppended(ctx: T): void;
}

export class JournalWriter<T> {
  private topId: string;
  private failed = false;
  private inFlight = 0;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly hashedKey: string,
    /** The stream's last entry id after recovery ('0-0' for an empty stream). */
    topId: string,
    private readonly listener: AppendListener<T>,
    private readonly onFailure: (err: EngineProcessError) => void,
  ) {
    this.topId = topId;
    redis.defineCommand('journalAppend', { numberOfKeys: 2, lua: FENCED_XADD });
    redis.on('close', () =>
      this.fail(new EngineProcessError('E_JOURNAL_APPEND', 'Redis connection closed')),
    );
    redis.on('error', (err: Error) =>
      this.fail(
        new EngineProcessError('E_JOURNAL_APPEND', `Redis error: ${err.message}`, { cause: err }),
      ),
    );
  }

  get appendsInFlight(): number {
    return this.inFlight;
  }

  get lastAppendedId(): string {
    return this.topId;
  }

  /**
   * Appends one entry whose last command is `lastSeq` (`hasHash`: it records a
   * state hash); ctx comes back in onAppended, in order.
   */
  append(lastSeq: number, entry: Buffer, hasHash: boolean, ctx: T): void {
    if (this.failed) return;
    const prev = this.topId;
    const id = entryId(lastSeq);
    this.topId = id;
    this.inFlight++;
    (this.redis as unknown as FencedRedis).journalAppend(
      this.key,
      this.hashedKey,
      prev,
      id,
      entry,
      hasHash ? '1' : '0',
      (err, result) => {
        this.inFlight--;
        if (this.failed) return;
        if (err) {
          const timeout = /timed out/i.test(err.message);
          const fence = err.message.includes('JOURNAL_FENCE');
          this.fail(
            new EngineProcessError(
              timeout ? 'E_JOURNAL_TIMEOUT' : fence ? 'E_JOURNAL_FENCE' : 'E_JOURNAL_APPEND',
              `append of ${id} to ${this.key} failed: ${err.message}`,
              { cause: err },
            ),
          );
          return;
        }
        if (result !== id) {
          this.fail(
            new EngineProcessError(
              'E_JOURNAL_APPEND',
              `append of ${id} returned ${String(result)}`,
            ),
          );
          return;
        }
        this.listener.onAppended(ctx);
      },
    );
  }

  /** Stops reporting (after a failure elsewhere, or at shutdown). */
  close(): void {
    this.failed = true;
    this.redis.disconnect();
  }

  private fail(err: EngineProcessError): void {
    if (this.failed) return;
    this.failed = true;
    this.onFailure(err);
  }
}
