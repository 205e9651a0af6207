// The engine process: sequencing, group commit to the Redis journal,
// snapshots, trimming, recovery and idempotent retries around the pure engine.
export { commandFromProto, decodeCommand } from './command-codec';
export { type EngineFactory, fastEngineFactory, type ProcessEngine } from './engine-port';
export { EngineProcessError, type EngineProcessErrorCode } from './errors';
export { protoEventToPlain, writeEventBody } from './event-codec';
export { IdempotencyWindow } from './idempotency-window';
export { JournalTrimmer, parseSettledCursor } from './journal-trimmer';
export { JournalWriter } from './journal-writer';
export { hotPathNodeArgs } from './node-args';
export { loadProcessConfig, type ProcessConfig } from './process-config';
export { lastHashedSeq, loadSnapshot, Replayer, readJournal, recover } from './recovery';
export { entryId, journalKey, seqOfEntryId, settledKey, snapshotKey } from './redis-keys';
export { SnapshotStore } from './snapshot-store';
