// Reads a shard's journal (Redis stream `journal:{shard}`, one field `e` =
// exchange.v1.JournalEntry per entry). The engine process names each entry
// `<lastSeq>-0` (engine/process/redis-keys.ts), so the entry holding seq S is
// the first one at or after id `S-0`: no scan or search is needed.
import type Redis from 'ioredis';
import { entryId, journalKey } from '../engine/process/redis-keys';
import { exchange } from '../proto';
import { GatewayError } from './errors';
import { JOURNAL_READ_COUNT } from './limits';
import type { FeedCommand } from './reports';

export interface ReadResult {
  /** first_seq of the first entry read (0 when nothing was read). */
  firstSeqSeen: number;
  /** Seq of the last command handed to onCommand (0 when none). */
  lastSeq: number;
  /** Commands handed to onCommand. */
  count: number;
}

export class JournalReader {
  readonly key: string;

  constructor(
    private readonly redis: Redis,
    shardId: number,
  ) {
    this.key = journalKey(shardId);
  }

  /** first_seq of the oldest entry still in the journal, or 0 when it is empty. */
  async firstSeq(): Promise<number> {
    const rows = await this.redis.xrangeBuffer(this.key, '-', '+', 'COUNT', 1);
    if (rows.length === 0) return 0;
    return decodeEntry(rows[0]!, this.key).firstSeq;
  }

  /** last_seq of the newest entry, or 0 when the journal is empty. */
  async lastSeq(): Promise<number> {
    const rows = await this.redis.xrevrangeBuffer(this.key, '+', '-', 'COUNT', 1);
    if (rows.length === 0) return 0;
    return decodeEntry(rows[0]!, this.key).lastSeq;
  }

  /**
   * Hands every journaled command with fromSeq <= seq <= toSeq to onCommand,
   * in order (toSeq = Infinity: to the end). Stops early when onCommand
   * returns false. The caller compares firstSeqSeen with fromSeq to notice a
   * trimmed journal.
   */
  async read(
    fromSeq: number,
    toSeq: number,
    onCommand: (cmd: FeedCommand) => boolean | undefined,
  ): Promise<ReadResult> {
    const result: ReadResult = { firstSeqSeen: 0, lastSeq: 0, count: 0 };
    let start = entryId(Math.max(0, fromSeq));
    for (;;) {
      const rows = await this.redis.xrangeBuffer(this.key, start, '+', 'COUNT', JOURNAL_READ_COUNT);
      if (rows.length === 0) return result;
      for (const row of rows) {
        const entry = decodeEntry(row, this.key);
        if (result.firstSeqSeen === 0) result.firstSeqSeen = entry.firstSeq;
        for (const c of entry.commands) {
          const seq = c.seq ?? 0;
          if (seq < fromSeq) continue;
          if (seq > toSeq) return result;
          result.lastSeq = seq;
          result.count++;
          if (onCommand({ seq, timeUs: c.timeUs ?? 0, events: c.events ?? [] }) === false)
            return result;
        }
        if (entry.lastSeq >= toSeq) return result;
      }
      if (rows.length < JOURNAL_READ_COUNT) return result;
      start = `(${rows[rows.length - 1]![0].toString()}`;
    }
  }
}

function decodeEntry(row: [Buffer, Buffer[]], key: string): exchange.v1.JournalEntry {
  const fields = row[1];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i]!.length === 1 && fields[i]![0] === 0x65 /* 'e' */) {
      try {
        return exchange.v1.JournalEntry.decode(fields[i + 1]!);
      } catch (err) {
        throw new GatewayError('E_JOURNAL', `${key} entry ${row[0].toString()} does not decode`, {
          cause: err,
        });
      }
    }
  }
  throw new GatewayError('E_JOURNAL', `${key} entry ${row[0].toString()} has no field e`);
}
