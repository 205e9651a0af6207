// Recovery: load the latest snapshot (engine + idempotency window), replay the
// journal after it through the same engine, check the recorded state hash,
// and report where the stream ends (the writer's fence). An entry that cannot
// be decoded, is out of sequence, or replays to a different result stops
// recovery with an error naming the entry; nothing is ever skipped. The
// snapshot worker uses the same Replayer to follow the journal.
import type Redis from 'ioredis';
import { PROTOCOL_VERSION } from '../../proto';
import { CommandKind, type PlaceOrder } from '../types';
import { decodeCommand } from './command-codec';
import type { EngineFactory, ProcessEngine } from './engine-port';
import { EngineProcessError } from './errors';
import { IdempotencyWindow } from './idempotency-window';
import { RECOVERY_READS_IN_FLIGHT, RECOVERY_WINDOW_SEQS } from './limits';
import { ProtoScanner } from './proto-reader';
import { hashedKey, journalKey, seqOfEntryId } from './redis-keys';
import type { SnapshotInfo, SnapshotStore } from './snapshot-store';

export interface RecoveryStats {
  snapshot: SnapshotInfo | undefined;
  entries: number;
  commands: number;
  replayMs: number;
  loadMs: number;
  hashesChecked: number;
  /** Time spent computing state hashes to check them. */
  hashMs: number;
}

function corrupt(id: string, key: string, message: string, cause?: unknown): EngineProcessError {
  return new EngineProcessError(
    'E_JOURNAL_CORRUPT',
    `${key} entry ${id}: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Applies journal entries to an engine and its idempotency window exactly as
 * the live sequencer did, checking every recorded result it can cheaply.
 */
export class Replayer {
  lastTimeUs: number;
  /** Stream id of the last entry applied ('' = none since the snapshot). */
  lastId = '';
  entries = 0;
  commands = 0;
  hashesChecked = 0;
  hashMs = 0;
  /** The last state hash seen in an applied entry, and the seq it is for. */
  recordedHash = '';
  recordedHashSeq = 0;

  constructor(
    readonly engine: ProcessEngine,
    readonly window: IdempotencyWindow,
    readonly shard: number,
    lastTimeUs: number,
  ) {
    this.lastTimeUs = lastTimeUs;
  }

  get lastSeq(): number {
    return this.engine.lastSeq;
  }

  /**
   * Applies one stream entry. Checks the state hash it carries when
   * `checkHash` says so for its last seq.
   */
  apply(id: string, bytes: Buffer | undefined, checkHash: (lastSeq: number) => boolean): void {
    const key = journalKey(this.shard);
    if (bytes === undefined) throw corrupt(id, key, "no field 'e'");
    const idSeq = seqOfEntryId(id);
    if (Number.isNaN(idSeq)) throw corrupt(id, key, 'stream id is not <seq>-0');
    let version = 0;
    let shard = 0;
    let first = 0;
    let last = 0;
    let hash = '';
    const commands: [number, number][] = [];
    const s = new ProtoScanner(bytes);
    try {
      while (s.next()) {
        switch (s.field) {
          case 1:
            version = s.uint();
            break;
          case 2:
            shard = s.uint();
            break;
          case 3:
            first = s.uint();
            break;
          case 4:
            last = s.uint();
            break;
          case 5:
            commands.push(s.lenRange());
            break;
          case 6:
            hash = s.string();
            break;
          default:
            s.skip();
        }
      }
    } catch (err) {
      throw corrupt(id, key, `cannot decode: ${(err as Error).message}`, err);
    }
    if (version !== PROTOCOL_VERSION) throw corrupt(id, key, `version ${version}`);
    if (shard !== this.shard) throw corrupt(id, key, `entry of shard ${shard}`);
    const expected = this.engine.lastSeq + 1;
    if (first !== expected) {
      throw new EngineProcessError(
        'E_JOURNAL_GAP',
        `${key} entry ${id}: first seq ${first}, expected ${expected}`,
      );
    }
    if (last !== idSeq || last - first + 1 !== commands.length) {
      throw corrupt(
        id,
        key,
        `seqs ${first}..${last} with ${commands.length} commands under id ${id}`,
      );
    }
    for (const [start, end] of commands) this.applyCommand(id, key, bytes, start, end);
    this.entries++;
    this.lastId = id;
    if (hash !== '') {
      this.recordedHash = hash;
      this.recordedHashSeq = last;
    }
    if (hash !== '' && checkHash(last)) {
      const t0 = performance.now();
      const actual = this.engine.stateHash();
      this.hashMs += performance.now() - t0;
      this.hashesChecked++;
      if (actual !== hash) {
        throw new EngineProcessError(
          'E_STATE_HASH_MISMATCH',
          `${key} entry ${id}: state hash after seq ${last} is ${actual}, the journal recorded ${hash}`,
        );
      }
    }
  }

  private applyCommand(id: string, key: string, bytes: Buffer, start: number, end: number): void {
    let seq = 0;
    let timeUs = 0;
    let reason = 0;
    let eventCount = 0;
    let cmdRange: [number, number] | undefined;
    const s = new ProtoScanner(bytes, start, end);
    try {
      while (s.next()) {
        switch (s.field) {
          case 1:
            seq = s.uint();
            break;
          case 2:
            timeUs = s.uint();
            break;
          case 3:
            cmdRange = s.lenRange();
            break;
          case 4:
            reason = s.uint();
            break;
          case 5:
            s.skipLen();
            eventCount++;
            break;
          default:
            s.skip();
        }
      }
    } catch (err) {
      throw corrupt(id, key, `cannot decode a command: ${(err as Error).message}`, err);
    }
    if (seq !== this.engine.lastSeq + 1)
      throw corrupt(id, key, `command seq ${seq}, expected ${this.engine.lastSeq + 1}`);
    if (cmdRange === undefined) throw corrupt(id, key, `seq ${seq} has no command`);
    const cmd = decodeCommand(bytes, cmdRange[0], cmdRange[1]);
    if (typeof cmd === 'number')
      throw corrupt(id, key, `seq ${seq}: cannot decode the command (reject ${cmd})`);
    const engine = this.engine;
    const events = engine.events;
    events.clear();
    const got = engine.submit(cmd, timeUs);
    const n = events.count;
    if (got !== reason || n !== eventCount || engine.lastSeq !== seq) {
      throw new EngineProcessError(
        'E_JOURNAL_DIVERGED',
        `${key} entry ${id}: seq ${seq} replays to reason ${got} with ${n} events, the journal recorded reason ${reason} with ${eventCount}`,
      );
    }
    const place = cmd.kind === CommandKind.PLACE_ORDER ? (cmd as PlaceOrder) : undefined;
    let opened = -1;
    for (let i = 0; i < n; i++) {
      const slot = this.window.observe(events.view(i), place);
      if (slot >= 0) opened = slot;
    }
    // The original reply is the journaled command itself, re-tagged when needed.
    if (opened >= 0) this.window.setJournaledResult(opened, bytes, start, end);
    events.clear();
    this.lastTimeUs = timeUs;
    this.commands++;
  }
}

/** Loads the latest snapshot into a Replayer, or a fresh engine when there is none. */
export async function loadSnapshot(
  store: SnapshotStore,
  factory: EngineFactory,
  shard: number,
  feeAccountId: number,
  windowCapacity: number,
): Promise<{ replayer: Replayer; snapshot: SnapshotInfo | undefined }> {
  const snap = await store.read();
  if (snap === undefined) {
    const engine = factory.create(feeAccountId);
    return {
      replayer: new Replayer(engine, new IdempotencyWindow(windowCapacity), shard, 0),
      snapshot: undefined,
    };
  }
  let engine: ProcessEngine;
  let window: IdempotencyWindow;
  try {
    engine = factory.restore(snap.engineBytes);
    window = IdempotencyWindow.decode(snap.windowBytes, windowCapacity);
  } catch (err) {
    throw new EngineProcessError(
      'E_SNAPSHOT_STORE',
      `snapshot at seq ${snap.lastSeq} cannot be restored: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (engine.lastSeq !== snap.lastSeq) {
    throw new EngineProcessError(
      'E_SNAPSHOT_STORE',
      `snapshot header says seq ${snap.lastSeq}, the engine bytes hold seq ${engine.lastSeq}`,
    );
  }
  if (engine.feeAccountId !== feeAccountId) {
    throw new EngineProcessError(
      'E_SNAPSHOT_STORE',
      `snapshot fee account ${engine.feeAccountId}, ENGINE_FEE_ACCOUNT_ID is ${feeAccountId}`,
    );
  }
  const replayer = new Replayer(engine, window, shard, snap.lastTimeUs);
  return { replayer, snapshot: snap.info };
}

function entryField(fields: (string | Buffer)[]): Buffer | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i]!.toString() === 'e') return fields[i + 1] as Buffer;
  }
  return undefined;
}

type Rows = [Buffer, Buffer[]][];

/**
 * Reads the stream after `afterSeq` (exclusive) up to `untilSeq` (the stream's
 * end by default), calling onEntry in order. Entry ids are `<lastSeq>-0`, so
 * the stream is read in independent windows of RECOVERY_WINDOW_SEQS seqs,
 * RECOVERY_READS_IN_FLIGHT at a time: Redis reads overlap replay.
 */
export async function readJournal(
  redis: Redis,
  shard: number,
  afterSeq: number,
  onEntry: (id: string, entry: Buffer | undefined) => void,
  untilSeq?: number,
): Promise<void> {
  const key = journalKey(shard);
  let last = untilSeq;
  if (last === undefined) {
    const top = await journalTop(redis, shard);
    last = top === '0-0' ? 0 : seqOfEntryId(top);
  }
  if (!(last > afterSeq)) return;
  const end = last;
  let next = afterSeq;
  const inFlight: Promise<Rows>[] = [];
  const issue = () => {
    while (inFlight.length < RECOVERY_READS_IN_FLIGHT && next < end) {
      const lo = next;
      const hi = Math.min(end, lo + RECOVERY_WINDOW_SEQS);
      next = hi;
      inFlight.push(redis.xrangeBuffer(key, `(${lo}-0`, `${hi}-0`) as unknown as Promise<Rows>);
    }
  };
  issue();
  try {
    while (inFlight.length > 0) {
      const rows = await inFlight.shift()!;
      issue();
      for (const [idBuf, fields] of rows) onEntry(idBuf.toString(), entryField(fields));
    }
  } finally {
    // A failed entry stops replay: let the reads still in flight settle.
    await Promise.allSettled(inFlight);
  }
}

/**
 * The last seq after `afterSeq` whose entry records a state hash (0 = none),
 * from `journal:{shard}:hashed`, which the fenced append sets together with
 * every such entry.
 */
export async function lastHashedSeq(
  redis: Redis,
  shard: number,
  afterSeq: number,
): Promise<number> {
  const raw = await redis.get(hashedKey(shard));
  if (raw === null) return 0;
  const seq = seqOfEntryId(raw);
  if (Number.isNaN(seq)) {
    throw new EngineProcessError(
      'E_JOURNAL_CORRUPT',
      `${hashedKey(shard)} holds ${JSON.stringify(raw)}, not an entry id`,
    );
  }
  return seq > afterSeq ? seq : 0;
}

/** The id of the stream's last entry, '0-0' when empty. */
export async function journalTop(redis: Redis, shard: number): Promise<string> {
  const rows = (await redis.xrevrange(journalKey(shard), '+', '-', 'COUNT', 1)) as [
    string,
    string[],
  ][];
  return rows.length === 0 ? '0-0' : rows[0]![0];
}

export interface Recovered {
  replayer: Replayer;
  topId: string;
  stats: RecoveryStats;
}

/**
 * Startup recovery: snapshot, then the tail, then the hash check (the last
 * recorded hash in the tail, or every one with verifyAllHashes; with no hash in
 * the tail, the snapshot's own hash).
 */
export async function recover(
  redis: Redis,
  store: SnapshotStore,
  factory: EngineFactory,
  opts: { shard: number; feeAccountId: number; windowCapacity: number; verifyAllHashes: boolean },
): Promise<Recovered> {
  const t0 = performance.now();
  const { replayer, snapshot } = await loadSnapshot(
    store,
    factory,
    opts.shard,
    opts.feeAccountId,
    opts.windowCapacity,
  );
  const t1 = performance.now();
  const afterSeq = replayer.lastSeq;
  const target = await lastHashedSeq(redis, opts.shard, afterSeq);
  if (target === 0 && snapshot !== undefined) {
    // No hash recorded after the snapshot: check the snapshot's own.
    const h0 = performance.now();
    const actual = replayer.engine.stateHash();
    replayer.hashMs += performance.now() - h0;
    replayer.hashesChecked++;
    if (actual !== snapshot.stateHash) {
      throw new EngineProcessError(
        'E_STATE_HASH_MISMATCH',
        `snapshot at seq ${snapshot.lastSeq}: restored state hash ${actual}, recorded ${snapshot.stateHash}`,
      );
    }
  }
  await readJournal(redis, opts.shard, afterSeq, (id, e) =>
    replayer.apply(id, e, (seq) => opts.verifyAllHashes || seq === target),
  );
  if (target > 0 && replayer.hashesChecked === 0) {
    throw new EngineProcessError(
      'E_STATE_HASH_MISMATCH',
      `${hashedKey(opts.shard)} names seq ${target}, but no entry at that seq recorded a state hash`,
    );
  }
  const topId = await journalTop(redis, opts.shard);
  const topSeq = topId === '0-0' ? 0 : seqOfEntryId(topId);
  if (topSeq !== 0 && topSeq !== replayer.lastSeq) {
    throw new EngineProcessError(
      'E_JOURNAL_GAP',
      `${journalKey(opts.shard)} ends at ${topId} but recovery reached seq ${replayer.lastSeq}`,
    );
  }
  const t2 = performance.now();
  return {
    replayer,
    topId,
    stats: {
      snapshot,
      entries: replayer.entries,
      commands: replayer.commands,
      loadMs: t1 - t0,
      replayMs: t2 - t1,
      hashesChecked: replayer.hashesChecked,
      hashMs: replayer.hashMs,
    },
  };
}
