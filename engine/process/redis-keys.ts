// Redis key names of one shard. The shard id sits in braces so Redis Cluster
// hashes every key of a shard to the same slot (the fenced append and the
// snapshot pointer can then be used together).

/** The journal stream: entry id `<lastSeq>-0`, field `e` = JournalEntry bytes. */
export function journalKey(shard: number): string {
  return `journal:{${shard}}`;
}

/** Id of the last journal entry that records a state hash (set by the same fenced append). */
export function hashedKey(shard: number): string {
  return `journal:{${shard}}:hashed`;
}

/** The latest snapshot's SnapshotHeader bytes (the pointer, written last). */
export function snapshotKey(shard: number): string {
  return `snapshot:{${shard}}`;
}

/** A snapshot body: a list of chunks, named by the seq it reflects. */
export function snapshotDataKey(shard: number, seq: number): string {
  return `snapshot:{${shard}}:data:${seq}`;
}

/** The data key of a snapshot being written (cleaned up if the writer died). */
export function snapshotWritingKey(shard: number): string {
  return `snapshot:{${shard}}:writing`;
}

/**
 * Written by settlement (a later issue): the seq of the last journal entry
 * whose effects settlement has committed, as a decimal string ("12345"), or
 * that entry's stream id ("12345-0"). The trimmer never removes an entry at
 * or above it; while the key is absent nothing is trimmed.
 */
export function settledKey(shard: number): string {
  return `settled:{${shard}}`;
}

/** Stream id of the journal entry whose last command has sequence `seq`. */
export function entryId(seq: number): string {
  return `${seq}-0`;
}

/** The seq part of a stream id written by entryId(); NaN for anything else. */
export function seqOfEntryId(id: string): number {
  const m = /^(\d+)-0$/.exec(id);
  if (m === null) return Number.NaN;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : Number.NaN;
}
