// Snapshots live in Redis, beside the journal they index (see README "Engine
// process"): `snapshot:{shard}` holds a SnapshotHeader (the pointer), and the
// body (engine bytes, then the idempotency window) is a list of 4 MiB chunks
// under `snapshot:{shard}:data:<seq>`. The pointer is written last, so a crash
// mid-write leaves the previous snapshot in force; the next write removes the
// orphan. Chunks keep each Redis command short, so journal appends on the
// other connection are not held up behind one huge SET.
import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { exchange } from '../../proto/gen/exchange';
import { wallClockUs } from './clock';
import { EngineProcessError } from './errors';
import { SNAPSHOT_CHUNK_BYTES } from './limits';
import { entryId, snapshotDataKey, snapshotKey, snapshotWritingKey } from './redis-keys';

export const SNAPSHOT_FORMAT_VERSION = 1;

export interface SnapshotData {
  lastSeq: number;
  lastTimeUs: number;
  stateHash: string;
  engineBytes: Uint8Array;
  windowBytes: Uint8Array;
}

export interface SnapshotInfo {
  lastSeq: number;
  journalId: string;
  stateHash: string;
  lastTimeUs: number;
  bytes: number;
}

function storeError(message: string, cause?: unknown): EngineProcessError {
  return new EngineProcessError(
    'E_SNAPSHOT_STORE',
    message,
    cause === undefined ? undefined : { cause },
  );
}

export class SnapshotStore {
  constructor(
    private readonly redis: Redis,
    private readonly shard: number,
  ) {}

  async write(s: SnapshotData): Promise<SnapshotInfo> {
    const r = this.redis;
    const pointer = snapshotKey(this.shard);
    const writing = snapshotWritingKey(this.shard);
    const dataKey = snapshotDataKey(this.shard, s.lastSeq);
    const current = await this.header();
    const orphan = await r.get(writing);
    if (orphan !== null && orphan !== current?.dataKey) await r.del(orphan);
    await r.set(writing, dataKey);
    if (dataKey !== current?.dataKey) await r.del(dataKey);

    const body = Buffer.concat([s.engineBytes, s.windowBytes]);
    const sha = createHash('sha256').update(body).digest();
    let chunks = 0;
    for (let off = 0; off < body.length || chunks === 0; off += SNAPSHOT_CHUNK_BYTES) {
      await r.rpush(dataKey, body.subarray(off, Math.min(body.length, off + SNAPSHOT_CHUNK_BYTES)));
      chunks++;
    }
    const header = exchange.v1.SnapshotHeader.encode({
      version: SNAPSHOT_FORMAT_VERSION,
      shardId: this.shard,
      lastSeq: s.lastSeq,
      journalId: entryId(s.lastSeq),
      stateHash: s.stateHash,
      takenAtUs: wallClockUs(),
      dataKey,
      chunkCount: chunks,
      engineBytes: s.engineBytes.length,
      windowBytes: s.windowBytes.length,
      bodySha256: sha,
      lastTimeUs: s.lastTimeUs,
    }).finish();
    await r.set(pointer, Buffer.from(header));
    if (current !== undefined && current.dataKey !== dataKey) await r.del(current.dataKey);
    await r.del(writing);
    return {
      lastSeq: s.lastSeq,
      journalId: entryId(s.lastSeq),
      stateHash: s.stateHash,
      lastTimeUs: s.lastTimeUs,
      bytes: body.length,
    };
  }

  /** The latest snapshot's header, or undefined when there is none. */
  async header(): Promise<exchange.v1.SnapshotHeader | undefined> {
    const raw = await this.redis.getBuffer(snapshotKey(this.shard));
    if (raw === null) return undefined;
    let h: exchange.v1.SnapshotHeader;
    try {
      h = exchange.v1.SnapshotHeader.decode(raw);
    } catch (err) {
      throw storeError(`${snapshotKey(this.shard)}: cannot decode the snapshot header`, err);
    }
    if (h.version !== SNAPSHOT_FORMAT_VERSION) {
      throw storeError(
        `${snapshotKey(this.shard)}: snapshot format ${h.version}, expected ${SNAPSHOT_FORMAT_VERSION}`,
      );
    }
    if (h.shardId !== this.shard) {
      throw storeError(`${snapshotKey(this.shard)}: snapshot of shard ${h.shardId}`);
    }
    return h;
  }

  /** The latest snapshot (checksum verified), or undefined when there is none. */
  async read(): Promise<(SnapshotData & { info: SnapshotInfo }) | undefined> {
    const h = await this.header();
    if (h === undefined) return undefined;
    const chunks = await this.redis.lrangeBuffer(h.dataKey, 0, -1);
    if (chunks.length !== h.chunkCount) {
      throw storeError(`${h.dataKey}: ${chunks.length} chunks, the header says ${h.chunkCount}`);
    }
    const body = Buffer.concat(chunks);
    const sha = createHash('sha256').update(body).digest();
    if (!sha.equals(Buffer.from(h.bodySha256)) || body.length !== h.engineBytes + h.windowBytes) {
      throw storeError(`${h.dataKey}: snapshot body fails its checksum or length`);
    }
    return {
      lastSeq: h.lastSeq,
      lastTimeUs: h.lastTimeUs,
      stateHash: h.stateHash,
      engineBytes: body.subarray(0, h.engineBytes),
      windowBytes: body.subarray(h.engineBytes),
      info: {
        lastSeq: h.lastSeq,
        journalId: h.journalId,
        stateHash: h.stateHash,
        lastTimeUs: h.lastTimeUs,
        bytes: body.length,
      },
    };
  }
}
