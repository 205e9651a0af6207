// Faults under load, with settlement as real processes against a private
// Redis and a private Postgres cluster: kill -9 of worker processes (mid
// transaction), of the pump, Redis killed and restarted, Postgres stopped
// for a while. After recovery and drain the ledger reconciles clean and no
// leg or trade is missing or doubled. (scripts/chaos-settlement.ts runs more.)
import t from 'tap';
import { ALL_FAULTS, runTrial } from '../testing/chaos';
import { PgCluster, RedisServer } from '../testing/services';

t.test('settlement survives worker, pump, Redis and Postgres faults under load', async (t) => {
  const pg = await PgCluster.start();
  const redis = await RedisServer.start();
  t.teardown(async () => {
    await redis.destroy();
    await pg.destroy();
  });
  const r = await runTrial({
    seed: 4242,
    commands: 10_000,
    pg,
    redis,
    faults: ALL_FAULTS,
    workers: 2,
    writeMs: 12_000,
    log: (l) => t.comment(l),
  });
  t.comment(JSON.stringify(r));
  for (const f of ALL_FAULTS) t.ok((r.injected[f] ?? 0) > 0, `fault injected: ${f}`);
  t.ok(r.killsMidTransaction > 0, 'a worker was killed while its transaction was open');
  t.equal(r.missing, 0, 'no ledger leg or trade missing');
  t.equal(r.duplicated, 0, 'no ledger leg or trade doubled');
  t.ok(r.reconcileOk, `reconciliation clean ${JSON.stringify(r.differences)}`);
});
