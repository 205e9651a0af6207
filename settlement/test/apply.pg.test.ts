// Property: a random journal settles to the same Postgres state, and
// reconciles clean, whatever order its ranges are applied in, with
// duplicates, ranges re-cut with other boundaries, and concurrent jobs.
// Also: the ledger's append-only rules hold (no entry is ever updated).
import t from 'tap';
import { createTestDatabase } from '../../sql';
import { applyRange } from '../apply';
import { formatReport, reconcile } from '../reconcile';
import {
  applyContext,
  prng,
  projectionDigest,
  ranges,
  startEnv,
  writeJournal,
} from './helpers/env';

const SEEDS = [11, 22, 33];
const COMMANDS = 1500;

t.test('out-of-order, duplicated and concurrent ranges settle exactly once', async (t) => {
  const env = await startEnv('apply_prop');
  t.teardown(() => env.close());
  for (const seed of SEEDS) {
    await t.test(`seed ${seed}`, async (t) => {
      const shard = seed; // one journal stream per seed on the private Redis
      const inOrder = await createTestDatabase('apply_ref');
      const shuffled = await createTestDatabase('apply_shuf');
      t.teardown(async () => {
        await inOrder.drop();
        await shuffled.drop();
      });
      const j = await writeJournal(env.redis, inOrder.sql, seed, COMMANDS, { shard });
      const { seedWorld, seedRequests } = await import('../testing/seed');
      await seedWorld(shuffled.sql, j.scenario, shard);
      await seedRequests(shuffled.sql, j.scenario);
      const rand = prng(seed);

      // Reference: in order, one range at a time.
      const ref = await applyContext(inOrder.sql, env.redis);
      for (const [f, l] of ranges(j.entries, rand, 8)) {
        const r = await applyRange(ref, { shard, firstSeq: f, lastSeq: l, jobId: `r${f}` });
        t.same(r.anomalies, [], `no anomalies in ${f}..${l}`);
      }

      // Shuffled, duplicated, re-cut, four at a time; a quarter of the attempts crash at a
      // random stage (mostly inside the transaction) and are retried.
      const base = await applyContext(shuffled.sql, env.redis);
      let crashes = 0;
      const stages = [
        'claim',
        'plan',
        'ledgerIds',
        'trades',
        'entries',
        'orders',
        'balances',
        'cursor',
        'commit',
      ];
      const ctx = {
        ...base,
        stageHook: (name: string) => {
          if (rand() < 0.25 / stages.length) {
            crashes++;
            throw Object.assign(new Error(`injected crash after ${name}`), { code: 'INJECTED' });
          }
        },
      };
      const jobs = [...ranges(j.entries, rand, 6), ...ranges(j.entries, rand, 9)];
      for (let i = 0; i < 10; i++) jobs.push(jobs[Math.floor(rand() * jobs.length)]!);
      for (let i = jobs.length - 1; i > 0; i--) {
        const k = Math.floor(rand() * (i + 1));
        [jobs[i], jobs[k]] = [jobs[k]!, jobs[i]!];
      }
      const statuses: Record<string, number> = {};
      let windowCommands = 0;
      let conflicts = 0;
      let next = 0;
      const worker = async () => {
        while (next < jobs.length) {
          const [f, l] = jobs[next++]!;
          for (let attempt = 0; ; attempt++) {
            try {
              const r = await applyRange(ctx, {
                shard,
                firstSeq: f,
                lastSeq: l,
                jobId: `s${f}-${l}`,
              });
              statuses[r.status] = (statuses[r.status] ?? 0) + 1;
              windowCommands += r.windowCommands;
              conflicts += r.clientIdConflicts;
              t.same(r.anomalies, [], `no anomalies in ${f}..${l}`);
              break;
            } catch (err) {
              // Concurrent overlapping claims and deadlocks are retried, as BullMQ would.
              const code = (err as { code?: string }).code ?? '';
              if (
                attempt < 20 &&
                ['23P01', '23505', '40P01', 'E_SETTLEMENT_DEPENDENCY', 'INJECTED'].includes(code)
              ) {
                continue;
              }
              throw err;
            }
          }
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      t.ok((statuses.duplicate ?? 0) > 0, `duplicates were no-ops (${JSON.stringify(statuses)})`);
      t.ok(crashes > 0, `${crashes} attempts crashed mid-job and were retried`);
      t.ok(
        windowCommands > 0,
        `order history was folded from the window (${windowCommands} commands, ${conflicts} client id conflicts)`,
      );

      t.same(
        await projectionDigest(shuffled.sql),
        await projectionDigest(inOrder.sql),
        'same projection as in order',
      );
      for (const db of [inOrder, shuffled]) {
        const rep = await reconcile({ sql: db.sql, redis: env.redis, shards: [shard] });
        t.ok(rep.ok, formatReport(rep));
        t.equal(rep.shards[0]!.postgresTrades, j.expectedTrades, 'every trade once');
      }
      const legs = await shuffled.sql<{ seq: string; n: string }[]>`
        select journal_seq::text as seq, count(*)::text as n from ledger_entries group by 1`;
      const got = new Map(legs.map((r) => [Number(r.seq), Number(r.n)]));
      let missing = 0;
      let extra = 0;
      for (const [seq, n] of j.expectedLegs) {
        const g = got.get(seq) ?? 0;
        if (g < n) missing += n - g;
        if (g > n) extra += g - n;
        got.delete(seq);
      }
      for (const n of got.values()) extra += n;
      t.equal(missing, 0, 'no ledger leg missing');
      t.equal(extra, 0, 'no ledger leg doubled');
      const [{ touched }] = await shuffled.sql<{ touched: string }[]>`
        select count(*)::text as touched from ledger_entries where xmax <> 0`;
      t.equal(touched, '0', 'no ledger entry was ever updated, deleted or locked');
    });
  }
});

t.test(
  'append-only: the ledger refuses updates and deletes, and settlement issues none',
  async (t) => {
    const db = await createTestDatabase('apply_ao');
    t.teardown(() => db.drop());
    const triggers = await db.sql<{ tgname: string; tgenabled: string }[]>`
    select tgname, tgenabled from pg_trigger where tgrelid = 'ledger_entries'::regclass and not tgisinternal`;
    t.ok(
      triggers.length >= 2 && triggers.every((x) => x.tgenabled === 'A'),
      'append-only triggers enabled ALWAYS',
    );
    const { readFileSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = join(__dirname, '..');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
      const src = readFileSync(join(dir, f), 'utf8').toLowerCase();
      t.notMatch(
        src,
        /update\s+ledger_entries|delete\s+from\s+ledger_entries|truncate\s+ledger_entries/,
        `${f} never changes an entry`,
      );
    }
  },
);
