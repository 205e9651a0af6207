// Trims the journal, never above what is still needed: an entry is removed
// only when it lies below BOTH the latest snapshot's entry (recovery replays
// after it) and the settlement cursor (settlement has applied it). The cursor
// is `settled:{shard}` (see redis-keys.ts settledKey): while settlement does
// not write it, nothing is trimmed. XTRIM MINID keeps the entry at the bound
// itself, so the snapshot's own entry and the last settled entry stay.
import type Redis from 'ioredis';
import type { Logger } from '../../common/logger';
import { entryId, journalKey, seqOfEntryId, settledKey } from './redis-keys';
import type { SnapshotStore } from './snapshot-store';

export interface TrimResult {
  /** The seq below which entries were removed (0 = nothing eligible). */
  boundSeq: number;
  removed: number;
  reason: string;
}

/** "123" or "123-0" -> 123; anything else -> NaN. */
export function parseSettledCursor(raw: string): number {
  const s = raw.trim();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : Number.NaN;
  }
  return seqOfEntryId(s);
}

export class JournalTrimmer {
  constructor(
    private readonly redis: Redis,
    private readonly shard: number,
    private readonly snapshots: SnapshotStore,
    private readonly log: Logger,
  ) {}

  /**
   * Hook for settlement: the seq up to which settlement has committed the
   * journal, read from `settled:{shard}`; undefined when absent or malformed.
   */
  async settledSeq(): Promise<number | undefined> {
    const raw = await this.redis.get(settledKey(this.shard));
    if (raw === null) return undefined;
    const seq = parseSettledCursor(raw);
    if (Number.isNaN(seq)) {
      this.log.warn(
        { key: settledKey(this.shard), value: raw },
        'malformed settlement cursor: not trimming',
      );
      return undefined;
    }
    return seq;
  }

  async trim(): Promise<TrimResult> {
    const header = await this.snapshots.header();
    if (header === undefined) return { boundSeq: 0, removed: 0, reason: 'no snapshot' };
    const settled = await this.settledSeq();
    if (settled === undefined) return { boundSeq: 0, removed: 0, reason: 'no settlement cursor' };
    const bound = Math.min(header.lastSeq, settled);
    if (bound <= 0) return { boundSeq: 0, removed: 0, reason: 'nothing settled' };
    const removed = (await this.redis.xtrim(
      journalKey(this.shard),
      'MINID',
      entryId(bound),
    )) as number;
    return {
      boundSeq: bound,
      removed,
      reason: bound === header.lastSeq ? 'bounded by the snapshot' : 'bounded by settlement',
    };
  }
}
