// Group commit: one fenced XADD per batch on a dedicated connection (RESP by
// hand: resp-connection.ts says why); several
// batches may be in flight (Redis pipelines them on the socket) and their
// confirmations come back in order. The fence (a Lua script) appends only if
// the stream's last entry is the one this writer appended last, and the entry
// id is `<lastSeq>-0`, so a stale or second writer can never interleave
// entries or leave a gap. Any error, timeout or connection loss is reported
// once to onFailure: the caller must stop (fail-stop) and never reply success
// for what was not confirmed.
import { assert } from '../../common/errors';
import { EngineProcessError } from './errors';
import { entryId } from './redis-keys';
import { RespConnection, type RespListener, type RespValue } from './resp-connection';

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

export interface AppendListener<T> {
  onAppended(ctx: T): void;
  /** Around the confirmations one Redis read brings (optional). */
  onConfirmationsStart?(): void;
  onConfirmationsEnd?(): void;
}

/** What an append holds while in flight: a ring, no object or closure per append. */
const RING_START = 256;

export class JournalWriter<T> implements RespListener {
  private topId: string;
  private failed = false;
  // In-flight appends, oldest at `head`: their ids, contexts and send times.
  private ids: string[] = new Array<string>(RING_START).fill('');
  private ctxs: (T | undefined)[] = new Array<T | undefined>(RING_START).fill(undefined);
  private sentAt = new Float64Array(RING_START);
  private head = 0;
  private count = 0;
  private readonly timer: NodeJS.Timeout;
  /** `*9 EVALSHA <sha> 2 <key> <hashedKey>`: the same for every append. */
  private prefix = Buffer.alloc(0);
  /** Where append() encodes (reused). */
  private scratch = Buffer.allocUnsafe(16 * 1024);

  private constructor(
    private readonly conn: RespConnection,
    private readonly key: string,
    topId: string,
    private readonly listener: AppendListener<T>,
    private readonly onFailure: (err: EngineProcessError) => void,
    private readonly timeoutMs: number,
  ) {
    this.topId = topId;
    conn.listener = this;
    // One deadline check for every append in flight (not a timer each).
    this.timer = setInterval(() => this.checkDeadline(), Math.max(5, Math.floor(timeoutMs / 4)));
    this.timer.unref();
  }

  /**
   * Connects its own Redis connection (never shared: a reply's position in the
   * stream is what matches it to its append) and loads the fenced append.
   */
  static async open<T>(
    redisUrl: string,
    key: string,
    hashedKey: string,
    /** The stream's last entry id after recovery ('0-0' for an empty stream). */
    topId: string,
    listener: AppendListener<T>,
    onFailure: (err: EngineProcessError) => void,
    timeoutMs: number,
    socketPath?: string,
  ): Promise<JournalWriter<T>> {
    const conn = await RespConnection.connect(
      redisUrl,
      'engine-journal',
      Math.max(5_000, timeoutMs),
      socketPath,
    );
    let sha: RespValue;
    try {
      sha = await conn.call(['SCRIPT', 'LOAD', FENCED_XADD], Math.max(5_000, timeoutMs));
    } catch (err) {
      conn.close();
      throw new EngineProcessError(
        'E_JOURNAL_APPEND',
        `SCRIPT LOAD failed: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha)) {
      conn.close();
      throw new EngineProcessError('E_JOURNAL_APPEND', `SCRIPT LOAD returned ${String(sha)}`);
    }
    const w = new JournalWriter(conn, key, topId, listener, onFailure, timeoutMs);
    w.prefix = Buffer.concat([
      Buffer.from('*9\r\n'),
      RespConnection.encode(['EVALSHA', sha, '2', key, hashedKey]).subarray(4),
    ]);
    return w;
  }

  get appendsInFlight(): number {
    return this.count;
  }

  get lastAppendedId(): string {
    return this.topId;
  }

  /**
   * Appends the entry at buf[start, end) whose last command is `lastSeq`
   * (`hasHash`: it records a state hash); ctx comes back in onAppended, in
   * order. The bytes are copied: the caller may reuse `buf` at once.
   */
  append(
    lastSeq: number,
    buf: Uint8Array,
    start: number,
    end: number,
    hasHash: boolean,
    ctx: T,
  ): void {
    if (this.failed) return;
    const prev = this.topId;
    const id = entryId(lastSeq);
    this.topId = id;
    // EVALSHA sha 2 key hashedKey prev id entry hasHash
    const C = RespConnection;
    const prefix = this.prefix;
    const size =
      prefix.length +
      C.bulkBytes(prev.length) +
      C.bulkBytes(id.length) +
      C.bulkBytes(end - start) +
      C.bulkBytes(1);
    // One reused buffer: send() writes or copies the bytes before it returns.
    if (this.scratch.length < size)
      this.scratch = Buffer.allocUnsafe(Math.max(size, this.scratch.length * 2));
    const out = this.scratch;
    let p = prefix.copy(out, 0);
    p = C.putBulkString(out, p, prev);
    p = C.putBulkString(out, p, id);
    p = C.putBulkBytes(out, p, buf, start, end);
    p = C.putBulkString(out, p, hasHash ? '1' : '0');
    assert(p === size, 'journal append encoding size');
    this.push(id, ctx);
    this.conn.send(out, 0, size);
  }

  private push(id: string, ctx: T): void {
    if (this.count === this.ids.length) this.grow();
    const i = (this.head + this.count) & (this.ids.length - 1);
    this.ids[i] = id;
    this.ctxs[i] = ctx;
    this.sentAt[i] = performance.now();
    this.count++;
  }

  private grow(): void {
    const n = this.ids.length;
    const ids = new Array<string>(n * 2).fill('');
    const ctxs = new Array<T | undefined>(n * 2).fill(undefined);
    const sent = new Float64Array(n * 2);
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & (n - 1);
      ids[k] = this.ids[i]!;
      ctxs[k] = this.ctxs[i];
      sent[k] = this.sentAt[i]!;
    }
    this.ids = ids;
    this.ctxs = ctxs;
    this.sentAt = sent;
    this.head = 0;
  }

  /** RespListener: a Redis read begins; its replies confirm appends. */
  onReadStart(): void {
    this.listener.onConfirmationsStart?.();
  }

  /** RespListener: that read's replies are all delivered. */
  onReadEnd(): void {
    this.listener.onConfirmationsEnd?.();
  }

  /** RespListener: the reply to the oldest append in flight. */
  onReply(err: string | null, value: RespValue): void {
    if (this.failed) return;
    if (this.count === 0) {
      this.fail(new EngineProcessError('E_JOURNAL_APPEND', 'a Redis reply nobody asked for'));
      return;
    }
    const i = this.head;
    const id = this.ids[i]!;
    const ctx = this.ctxs[i] as T;
    this.ctxs[i] = undefined;
    this.head = (i + 1) & (this.ids.length - 1);
    this.count--;
    if (err !== null) {
      const fence = err.includes('JOURNAL_FENCE');
      this.fail(
        new EngineProcessError(
          fence ? 'E_JOURNAL_FENCE' : 'E_JOURNAL_APPEND',
          `append of ${id} to ${this.key} failed: ${err}`,
        ),
      );
      return;
    }
    if (value !== id) {
      this.fail(
        new EngineProcessError('E_JOURNAL_APPEND', `append of ${id} returned ${String(value)}`),
      );
      return;
    }
    this.listener.onAppended(ctx);
  }

  /** RespListener: the connection is gone. */
  onClose(reason: string): void {
    this.fail(new EngineProcessError('E_JOURNAL_APPEND', reason));
  }

  private checkDeadline(): void {
    if (this.failed || this.count === 0) return;
    const waitedMs = performance.now() - this.sentAt[this.head]!;
    if (waitedMs > this.timeoutMs) {
      this.fail(
        new EngineProcessError(
          'E_JOURNAL_TIMEOUT',
          `append of ${this.ids[this.head]} to ${this.key} not confirmed after ${Math.round(waitedMs)} ms (ENGINE_APPEND_TIMEOUT_MS=${this.timeoutMs}): command timed out`,
        ),
      );
    }
  }

  /** Stops reporting (after a failure elsewhere, or at shutdown). */
  close(): void {
    this.failed = true;
    clearInterval(this.timer);
    this.conn.close();
  }

  private fail(err: EngineProcessError): void {
    if (this.failed) return;
    this.failed = true;
    clearInterval(this.timer);
    this.conn.close(err.message);
    this.onFailure(err);
  }
}
