// The pump and BullMQ workers end to end (private Redis, fresh database):
// a journal drains and reconciles; two pumps at once and a pump restart with
// unacknowledged entries enqueue nothing twice; a range that keeps failing
// lands in the failed set with its error and the alert metric, and settles
// once fixed and retried; a graceful shutdown mid-drain loses nothing.
import { Queue } from 'bullmq';
import t from 'tap';
import { loadConfig } from '../../common/config';
import { rootLogger } from '../../common/logger';
import { journalKey } from '../../engine/process/redis-keys';
import { CONSUMER_GROUP } from '../pump';
import { bullConnection } from '../queue';
import { formatReport, reconcile } from '../reconcile';
import { type SettlementHandle, startSettlement } from '../service';
import { loadSettlementConfig } from '../settlement-config';
import { countAgainstJournal, waitSettled } from '../testing/drain';
import { startEnv, trickle, writeJournal } from './helpers/env';

rootLogger('silent');

function settings(redisUrl: string, dbUrl: string, extra: Record<string, string> = {}) {
  const env = {
    DATABASE_URL: dbUrl,
    REDIS_URL: redisUrl,
    SETTLEMENT_CONCURRENCY: '4',
    SETTLEMENT_JOB_MAX_COMMANDS: '300',
    SETTLEMENT_LOCK_MS: '2000',
    SETTLEMENT_STALLED_INTERVAL_MS: '1000',
    SETTLEMENT_BACKOFF_MS: '50',
    SETTLEMENT_MONITOR_MS: '100',
    SETTLEMENT_PUMP_BLOCK_MS: '100',
    SETTLEMENT_CLAIM_IDLE_MS: '500',
    SETTLEMENT_SHUTDOWN_MS: '5000',
    ...extra,
  };
  return { config: loadConfig(env), settlement: loadSettlementConfig(env) };
}

t.test('a journal drains through pump and workers and reconciles clean', async (t) => {
  const env = await startEnv('pipe_drain');
  const handles: SettlementHandle[] = [];
  t.teardown(async () => {
    for (const h of handles) await h.close();
    await env.close();
  });
  const j = await writeJournal(env.redis, env.db.sql, 5, 3000, { flush: false });
  const a = settings(env.redisServer.url, env.db.url, { SETTLEMENT_CONSUMER: 'pump-a' });
  const b = settings(env.redisServer.url, env.db.url, { SETTLEMENT_CONSUMER: 'pump-b' });
  // Two full settlement processes at once (two pumps in the group, two worker pools).
  const h1 = await startSettlement({ ...a, serveMetrics: 0 });
  const h2 = await startSettlement({ ...b });
  handles.push(h1, h2);
  await trickle(env.redis, j, 30, 30);
  await waitSettled(env.db.sql, 0, j.lastSeq, 60_000);
  const rep = await reconcile({ sql: env.db.sql, redis: env.redis, shards: [0] });
  t.ok(rep.ok, formatReport(rep));
  t.same(await countAgainstJournal(env.db.sql, 0, j), {
    missing: 0,
    duplicated: 0,
    trades: j.expectedTrades,
  });
  t.equal(
    await env.redis.get('settled:{0}'),
    String(j.lastSeq),
    'Redis settled cursor holds the settled seq',
  );
  // Both pumps enqueued, and no entry twice: the jobs' ranges tile the journal exactly.
  t.ok(
    h1.metrics.pumpEnqueued.get({ shard: 0 }) > 0 && h2.metrics.pumpEnqueued.get({ shard: 0 }) > 0,
    'both pumps worked',
  );
  const done = await h1.queue.getCompleted(0, 100_000);
  const spans = done
    .map((x) => [x.data.firstSeq, x.data.lastSeq] as const)
    .sort((x, y) => x[0] - y[0]);
  let next = 1;
  for (const [f, l] of spans) {
    if (f !== next) break;
    next = l + 1;
  }
  t.equal(next, j.lastSeq + 1, `${spans.length} jobs cover seqs 1..${j.lastSeq} without overlap`);
  t.ok(
    done.every((x) => x.returnvalue?.status === 'applied'),
    'every job applied its whole range (no duplicate work)',
  );

  // /metrics answers with lag and throughput series.
  await new Promise((r) => setTimeout(r, 300));
  const res = await fetch(`http://127.0.0.1:${h1.metricsPort}/metrics`);
  const text = await res.text();
  t.equal(res.status, 200);
  t.match(text, /settlement_lag_entries\{shard="0"\} 0/);
  t.match(text, /settlement_lag_seconds\{shard="0"\} 0/);
  t.match(text, /settlement_ranges_applied_total\{shard="0",status="applied"\} \d+/);
  t.match(text, /settlement_rows_total\{table="ledger_entries"\} \d+/);
  t.match(text, /settlement_failed_jobs 0/);
});

t.test('a pump restart re-reads its pending entries and enqueues nothing twice', async (t) => {
  const env = await startEnv('pipe_pending');
  const handles: SettlementHandle[] = [];
  t.teardown(async () => {
    for (const h of handles) await h.close();
    await env.close();
  });
  const j = await writeJournal(env.redis, env.db.sql, 6, 800);
  // A pump that read everything and died before enqueueing or acknowledging.
  await env.redis.xgroup('CREATE', journalKey(0), CONSUMER_GROUP, '0', 'MKSTREAM');
  await env.redis.xreadgroup(
    'GROUP',
    CONSUMER_GROUP,
    'pump-x',
    'COUNT',
    100_000,
    'STREAMS',
    journalKey(0),
    '>',
  );
  const pending = (await env.redis.xpending(journalKey(0), CONSUMER_GROUP)) as [
    number,
    ...unknown[],
  ];
  t.equal(pending[0], j.entries.length, 'all entries pending for the dead pump');
  const s = settings(env.redisServer.url, env.db.url, {
    SETTLEMENT_CONSUMER: 'pump-x',
    SETTLEMENT_CLAIM_IDLE_MS: '600000',
  });
  const h = await startSettlement({ ...s });
  handles.push(h);
  await waitSettled(env.db.sql, 0, j.lastSeq, 60_000);
  const after = (await env.redis.xpending(journalKey(0), CONSUMER_GROUP)) as [number, ...unknown[]];
  t.equal(after[0], 0, 'everything acknowledged');
  const rep = await reconcile({ sql: env.db.sql, redis: env.redis, shards: [0] });
  t.ok(rep.ok, formatReport(rep));
  // Enqueue the same entries again (a second pump claiming them): same job ids, no new work.
  const qc = bullConnection(env.redisServer.url, 'q');
  const q = new Queue(s.settlement.queueName, { connection: qc, prefix: s.settlement.queuePrefix });
  const before = await q.getJobCounts('completed');
  t.same(await countAgainstJournal(env.db.sql, 0, j), {
    missing: 0,
    duplicated: 0,
    trades: j.expectedTrades,
  });
  t.ok((before.completed ?? 0) > 0);
  await q.close();
  qc.disconnect();
});

t.test('a range that keeps failing is failed visibly, then settles when retried', async (t) => {
  const env = await startEnv('pipe_fail');
  let h: SettlementHandle | undefined;
  t.teardown(async () => {
    await h?.close();
    await env.close();
  });
  const j = await writeJournal(env.redis, env.db.sql, 7, 400);
  // Break the mapping of one trader: its engine id is unknown to Postgres.
  const victim = j.scenario.accounts[1]!.engineId;
  await env.db
    .sql`update accounts set engine_account_id = 999999 where engine_account_id = ${victim}`;
  const s = settings(env.redisServer.url, env.db.url, { SETTLEMENT_ATTEMPTS: '3' });
  h = await startSettlement({ ...s });
  const deadline = Date.now() + 30_000;
  let failed = 0;
  while (Date.now() < deadline) {
    failed = await h.queue.getFailedCount();
    if (failed > 0 && h.metrics.failedJobs.get() > 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.ok(failed > 0, 'the range is in the failed set');
  const [job] = await h.queue.getFailed(0, 0);
  t.match(job!.failedReason, /no Postgres row for engine account id/, 'its error is visible');
  t.equal(job!.attemptsMade, 3, 'after its attempts');
  t.ok(h.metrics.rangesFailed.get({ shard: 0 }) > 0, 'settlement_ranges_failed_total counts it');
  t.ok(h.metrics.failedJobs.get() > 0, 'settlement_failed_jobs alerts');
  const lag = h.metrics.lagEntries.get({ shard: 0 });
  t.ok(lag > 0, `the cursor stops below it (lag ${lag})`);

  // Fix the data (a fresh process picks up the mapping), retry the failed ranges.
  await env.db
    .sql`update accounts set engine_account_id = ${victim} where engine_account_id = 999999`;
  await h.close();
  h = await startSettlement({ ...s });
  for (const fj of await h.queue.getFailed(0, 1000)) await fj.retry('failed');
  await waitSettled(env.db.sql, 0, j.lastSeq, 60_000);
  const rep = await reconcile({ sql: env.db.sql, redis: env.redis, shards: [0] });
  t.ok(rep.ok, formatReport(rep));
  t.same(await countAgainstJournal(env.db.sql, 0, j), {
    missing: 0,
    duplicated: 0,
    trades: j.expectedTrades,
  });
});

t.test('graceful shutdown mid-drain finishes or releases active jobs', async (t) => {
  const env = await startEnv('pipe_stop');
  const handles: SettlementHandle[] = [];
  t.teardown(async () => {
    for (const h of handles) await h.close();
    await env.close();
  });
  const j = await writeJournal(env.redis, env.db.sql, 8, 4000);
  const s = settings(env.redisServer.url, env.db.url, { SETTLEMENT_JOB_MAX_COMMANDS: '100' });
  for (let round = 0; round < 3; round++) {
    const h = await startSettlement({ ...s });
    await new Promise((r) => setTimeout(r, 150 + round * 100));
    await h.close();
    t.equal(
      await h.queue.getFailedCount().catch(() => 0),
      0,
      `no failed ranges after stop ${round + 1}`,
    );
  }
  const h = await startSettlement({ ...s });
  handles.push(h);
  await waitSettled(env.db.sql, 0, j.lastSeq, 60_000);
  const rep = await reconcile({ sql: env.db.sql, redis: env.redis, shards: [0] });
  t.ok(rep.ok, formatReport(rep));
  t.same(await countAgainstJournal(env.db.sql, 0, j), {
    missing: 0,
    duplicated: 0,
    trades: j.expectedTrades,
  });
});
