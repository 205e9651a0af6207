// The BullMQ queue between the pump and the workers: names, job ids, job
// data, job options and the Redis connections BullMQ needs.
import { Queue, type QueueOptions } from 'bullmq';
import Redis, { type RedisOptions } from 'ioredis';
import { SettlementError } from './errors';
import type { SettlementConfig } from './settlement-config';

export const JOB_NAME = 'range';

/** What a job carries: a range of whole journal entries of one shard (the entries stay in Redis). */
export interface RangeJobData {
  shard: number;
  firstSeq: number;
  lastSeq: number;
  /** Stream entries and commands in the range (for metrics and logs). */
  entries: number;
  commands: number;
  /** When the pump enqueued it (ms since the epoch). */
  enqueuedAt: number;
  /** Delayed retries so far that did not consume an attempt (dependency waits, outages). */
  delays?: number;
}

/**
 * Derived from the range, so re-enqueueing the same range (a pump restart,
 * two pumps reading the same pending entries) is a no-op in BullMQ.
 */
export function rangeJobId(shard: number, firstSeq: number, lastSeq: number): string {
  return `s${shard}-${firstSeq}-${lastSeq}`;
}

function safeUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

export function parseJobData(data: unknown): RangeJobData {
  const d = data as Partial<RangeJobData> | null;
  if (
    d === null ||
    typeof d !== 'object' ||
    !safeUint(d.shard) ||
    !safeUint(d.firstSeq) ||
    !safeUint(d.lastSeq) ||
    d.firstSeq < 1 ||
    d.lastSeq < d.firstSeq
  ) {
    throw new SettlementError('E_SETTLEMENT_JOB', `bad job data: ${JSON.stringify(data)}`);
  }
  return {
    shard: d.shard,
    firstSeq: d.firstSeq,
    lastSeq: d.lastSeq,
    entries: safeUint(d.entries) ? d.entries : 0,
    commands: safeUint(d.commands) ? d.commands : 0,
    enqueuedAt: safeUint(d.enqueuedAt) ? d.enqueuedAt : 0,
    delays: safeUint(d.delays) ? d.delays : 0,
  };
}

/**
 * An ioredis connection as BullMQ requires for workers and blocking reads:
 * maxRetriesPerRequest null (commands wait through a Redis restart instead of
 * failing), offline queue on, reconnecting forever with a capped backoff.
 */
export function bullConnection(url: string, name: string): Redis {
  const options: RedisOptions = {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    connectionName: name,
  };
  return new Redis(url, options);
}

export function jobOptions(s: SettlementConfig) {
  return {
    attempts: s.attempts,
    backoff: { type: 'exponential' as const, delay: s.backoffMs },
    removeOnComplete: s.keepCompleted === 0 ? true : { count: s.keepCompleted },
    // Failed ranges stay until an operator retries them: never dropped.
    removeOnFail: false,
  };
}

export function createQueue(s: SettlementConfig, connection: Redis): Queue<RangeJobData> {
  const opts: QueueOptions = {
    connection,
    prefix: s.queuePrefix,
    defaultJobOptions: jobOptions(s),
  };
  return new Queue<RangeJobData>(s.queueName, opts);
}
