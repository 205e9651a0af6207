// Reconciliation: clean after settlement (also when the engine is rebuilt
// from a snapshot and the journal below it is trimmed), and every kind of
// tampering is named; `npm run reconcile` exits non-zero on a difference.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { rootLogger } from '../../common/logger';
import { JournalTrimmer, SnapshotStore, settledKey } from '../../engine/process';
import { applyRange } from '../apply';
import { formatReport, reconcile } from '../reconcile';
import { applyContext, prng, ranges, startEnv, writeJournal } from './helpers/env';

rootLogger('silent');

t.test('reconciliation finds what differs', async (t) => {
  const env = await startEnv('reconcile');
  t.teardown(() => env.close());
  const j = await writeJournal(env.redis, env.db.sql, 21, 1500);
  const ctx = await applyContext(env.db.sql, env.redis);
  const rs = ranges(j.entries, prng(1), 10);
  // Snapshot part-way, as the engine process does, then settle everything.
  const cut = rs[Math.floor(rs.length / 2)]![1];
  for (const [f, l] of rs)
    await applyRange(ctx, { shard: 0, firstSeq: f, lastSeq: l, jobId: `j${f}` });
  let rep = await reconcile({ sql: env.db.sql, redis: env.redis, shards: [0] });
  t.ok(rep.ok, formatReport(rep));
  t.equal(rep.shards[0]!.postgresTrades, j.expectedTrades);

  // Rebuild the engine to `cut` from the journal and store it as the snapshot; trim below it.
  const { readJournal, fastEngineFactory, loadSnapshot } = await import('../../engine/process');
  const store = new SnapshotStore(env.redis, 0);
  const { replayer } = await loadSnapshot(store, fastEngineFactory(), 0, 1, 1000);
  await readJournal(env.redis, 0, 0, (id, e) => replayer.apply(id, e, () => false), cut);
  await store.write({
    lastSeq: replayer.lastSeq,
    lastTimeUs: replayer.lastTimeUs,
    stateHash: replayer.engine.stateHash(),
    engineBytes: replayer.engine.snapshot(),
    windowBytes: replayer.window.encode(),
  });
  t.equal(await env.redis.get(settledKey(0)), String(j.lastSeq), 'settled cursor published');
  const silent = { warn: () => {} } as never;
  const trimmed = await new JournalTrimmer(env.redis, 0, store, silent).trim();
  t.ok(
    trimmed.removed > 0,
    `the engine's trimmer removed ${trimmed.removed} entries below the snapshot`,
  );
  rep = await reconcile({ sql: env.db.sql, redis: env.redis, shards: [0] });
  t.ok(rep.ok, formatReport(rep));
  t.equal(rep.shards[0]!.snapshotSeq, cut, 'rebuilt from the snapshot');

  const cli = (extraEnv: Record<string, string> = {}) =>
    spawnSync(
      process.execPath,
      [
        ...process.execArgv.filter((a) => a.includes('@tapjs/typescript')),
        join(__dirname, '../../scripts/reconcile.ts'),
      ],
      {
        env: {
          ...process.env,
          DATABASE_URL: env.db.url,
          REDIS_URL: env.redisServer.url,
          ...extraEnv,
        },
        encoding: 'utf8',
      },
    );
  const ok = cli();
  t.equal(ok.status, 0, `npm run reconcile exits 0 when clean: ${ok.stdout}${ok.stderr}`);
  t.match(ok.stdout, /reconciliation: CLEAN/);

  // Tampering, one kind at a time (each undone after).
  const sql = env.db.sql;
  const [acc] = await sql<{ id: string; a: string }[]>`
    select la.id, la.balance_available::text as a from ledger_accounts la
    where la.account_type = 'spot' and la.balance_available > 1 limit 1`;
  await sql`update ledger_accounts set balance_available = balance_available + 1 where id = ${acc!.id}`;
  rep = await reconcile({ sql, redis: env.redis, shards: [0] });
  t.notOk(rep.ok);
  t.match(
    rep.differences[0],
    /invariant 2: ledger account .* holds available \+ locked/,
    'credits - debits',
  );
  t.ok(
    rep.differences.some((d) => /invariant 3: account \d+ \w+: Postgres available/.test(d)),
    'against the engine',
  );
  const bad = cli();
  t.equal(bad.status, 1, 'npm run reconcile exits 1 on a difference');
  t.match(bad.stdout, /DIFFERENCE\(S\)[\s\S]*invariant 2/, 'and names it');
  await sql`update ledger_accounts set balance_available = ${acc!.a}::numeric where id = ${acc!.id}`;

  const [tr] = await sql<{ id: string }[]>`select id from trades order by journal_seq desc limit 1`;
  const saved = await sql`select * from trades where id = ${tr!.id}`;
  await sql`delete from trades where id = ${tr!.id}`;
  rep = await reconcile({ sql, redis: env.redis, shards: [0] });
  t.ok(
    rep.differences.some((d) => /trades in Postgres, the engine made/.test(d)),
    'a missing trade',
  );
  await sql`insert into trades ${sql(saved[0]!)}`;

  const [o] = await sql<
    { id: string }[]
  >`select id from orders where status in ('new', 'partially_filled') limit 1`;
  await sql`update orders set status = 'canceled' where id = ${o!.id}`;
  rep = await reconcile({ sql, redis: env.redis, shards: [0] });
  t.ok(
    rep.differences.some((d) => /resting order \d+ is not open in Postgres/.test(d)),
    'an order closed wrongly',
  );
  await sql`update orders set status = case when filled_quantity > 0 then 'partially_filled' else 'new' end where id = ${o!.id}`;

  await sql`insert into settlement_applied_ranges (shard_id, first_seq, last_seq) values (0, ${j.lastSeq + 5}, ${j.lastSeq + 9})`;
  rep = await reconcile({ sql, redis: env.redis, shards: [0] });
  t.match(rep.differences[0], /not drained/, 'ranges past the cursor');
  await sql`delete from settlement_applied_ranges where first_seq = ${j.lastSeq + 5}`;

  rep = await reconcile({ sql, redis: env.redis, shards: [0] });
  t.ok(rep.ok, `clean again: ${formatReport(rep)}`);
});
