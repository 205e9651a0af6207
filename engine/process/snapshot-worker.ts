// The snapshot worker (a worker thread of the engine process). It follows the
// journal with its own engine: on each request it replays the confirmed
// entries up to the requested seq (from its last position, or from the latest
// snapshot when it starts), then serializes the engine and the idempotency
// window and writes them with SnapshotStore. The matching thread never
// serializes its state, so a snapshot of a million orders does not pause it;
// and because the worker rebuilds the state from the journal alone, every
// snapshot also proves that the journal replays (it checks the state hash the
// journal records at the snapshot's entry when there is one).
import { parentPort, workerData } from 'node:worker_threads';
import { fastEngineFactory } from './engine-port';
import { EngineProcessError } from './errors';
import { loadSnapshot, type Replayer, readJournal } from './recovery';
import { utilityConnection } from './redis-connection';
import { SnapshotStore } from './snapshot-store';

export interface SnapshotWorkerData {
  redisUrl: string;
  /** ENGINE_REDIS_SOCKET, when set. */
  redisSocketPath?: string;
  shard: number;
  feeAccountId: number;
  windowCapacity: number;
}

export type SnapshotRequest = { type: 'snapshot'; targetSeq: number };
export type SnapshotReply =
  | {
      type: 'done';
      seq: number;
      bytes: number;
      replayed: number;
      serializeMs: number;
      totalMs: number;
    }
  | { type: 'error'; code: string; message: string };

const data = workerData as SnapshotWorkerData;
const redis = utilityConnection(data.redisUrl, 'engine-snapshot', 60_000, data.redisSocketPath);
const store = new SnapshotStore(redis, data.shard);
const factory = fastEngineFactory();
let replayer: Replayer | undefined;

async function snapshot(targetSeq: number): Promise<SnapshotReply> {
  const t0 = performance.now();
  if (redis.status === 'wait') await redis.connect();
  if (replayer === undefined) {
    replayer = (
      await loadSnapshot(store, factory, data.shard, data.feeAccountId, data.windowCapacity)
    ).replayer;
  }
  const r = replayer;
  const before = r.commands;
  await readJournal(
    redis,
    data.shard,
    r.lastSeq,
    (id, e) => r.apply(id, e, () => false),
    targetSeq,
  );
  if (r.lastSeq !== targetSeq) {
    throw new EngineProcessError(
      'E_JOURNAL_GAP',
      `snapshot worker reached seq ${r.lastSeq}, wanted ${targetSeq}`,
    );
  }
  const t1 = performance.now();
  const engineBytes = r.engine.snapshot();
  const windowBytes = r.window.encode();
  const stateHash = r.engine.stateHash();
  const t2 = performance.now();
  if (r.recordedHashSeq === targetSeq && r.recordedHash !== stateHash) {
    throw new EngineProcessError(
      'E_STATE_HASH_MISMATCH',
      `replayed state at seq ${targetSeq} hashes to ${stateHash}, the journal recorded ${r.recordedHash}`,
    );
  }
  const info = await store.write({
    lastSeq: targetSeq,
    lastTimeUs: r.lastTimeUs,
    stateHash,
    engineBytes,
    windowBytes,
  });
  return {
    type: 'done',
    seq: info.lastSeq,
    bytes: info.bytes,
    replayed: r.commands - before,
    serializeMs: t2 - t1,
    totalMs: performance.now() - t0,
  };
}

parentPort!.on('message', (msg: SnapshotRequest) => {
  if (msg.type !== 'snapshot') return;
  snapshot(msg.targetSeq).then(
    (reply) => parentPort!.postMessage(reply),
    (err: Error & { code?: string }) => {
      replayer = undefined; // start again from the stored snapshot next time
      parentPort!.postMessage({
        type: 'error',
        code: err.code ?? 'E_SNAPSHOT',
        message: err.message,
      } satisfies SnapshotReply);
    },
  );
});
