// Fail-stop: when Redis dies or hangs under load the engine stops
// acknowledging, tells its links why, exits non-zero, and once Redis is back a
// restart recovers every acknowledged command.
import t, { type Test } from 'tap';
import type { exchange } from '../../../proto/gen/exchange';
import { LinkClient } from '../../../proto/link-client';
import {
  buildEngineOnce,
  journalBySeq,
  limit,
  plain,
  setupExchange,
  startEngine,
  startRedis,
} from './helpers';

buildEngineOnce();

async function underLoad(
  t: Test,
  breakRedis: (redis: Awaited<ReturnType<typeof startRedis>>) => Promise<void>,
  repairRedis: (redis: Awaited<ReturnType<typeof startRedis>>) => Promise<void>,
  wantCode: string,
): Promise<void> {
  const redis = await startRedis({ durable: true });
  t.teardown(() => redis.stop());
  const env = { REDIS_URL: redis.url, ENGINE_APPEND_TIMEOUT_MS: '500' };
  const engine = await startEngine(env);
  t.teardown(() => engine.kill());
  let shutdown: exchange.v1.LinkShutdown | undefined;
  const c = await LinkClient.connect({
    port: engine.port,
    maxInFlight: 200,
    onShutdown: (s) => {
      shutdown = s;
    },
  });
  await setupExchange(c, [10, 11]);
  const acked: exchange.v1.CommandResult[] = [];
  let failedAfterBreak = 0;
  let stop = false;
  let broken = false;
  let ackedAfterExit = 0;
  let exitedAt = 0;
  const load = (async () => {
    let i = 0;
    while (!stop && !c.closed) {
      const n = i++;
      c.command(
        limit(n % 2 ? 10 : 11, n % 2 ? 1 : 2, 1_000 + (n % 9) - 4, 1 + (n % 3), `x${n}`),
      ).then(
        (m) => {
          if (m.result) {
            acked.push(m.result as exchange.v1.CommandResult);
            if (exitedAt > 0) ackedAfterExit++;
          }
        },
        () => {
          if (broken) failedAfterBreak++;
        },
      );
      if (c.inFlight + c.queued >= 200) await new Promise((r) => setTimeout(r, 1));
    }
  })();
  // Let the load run until a few hundred commands are acknowledged (slow machines included).
  const loadDeadline = Date.now() + 15_000;
  while (acked.length < 300 && Date.now() < loadDeadline)
    await new Promise((r) => setTimeout(r, 20));
  const ackedBefore = acked.length;
  broken = true;
  await breakRedis(redis);
  const code = await engine.exited;
  exitedAt = Date.now();
  stop = true;
  await load;
  t.ok(ackedBefore >= 300, `${ackedBefore} acknowledged under load before Redis broke`);
  t.not(code, 0, `engine exited non-zero (${code})`);
  const fatal = engine.lines.find((l) => l.msg === 'engine stopping: fail-stop');
  t.equal(fatal?.code, wantCode, `fail-stop reason ${wantCode}`);
  t.equal(shutdown?.reason, 200, 'links told ENGINE_UNAVAILABLE');
  t.match(shutdown?.message ?? '', wantCode);
  t.ok(failedAfterBreak > 0, `${failedAfterBreak} requests left unanswered (not acknowledged)`);
  t.equal(ackedAfterExit, 0, 'nothing acknowledged after the engine stopped');

  await repairRedis(redis);
  const again = await startEngine(env);
  t.teardown(() => again.kill());
  const journal = await journalBySeq(redis.client());
  let missing = 0;
  for (const r of acked) {
    const j = journal.get(Number(r.seq));
    if (!j || JSON.stringify(plain(j.events)) !== JSON.stringify(plain(r.events))) missing++;
  }
  t.equal(
    missing,
    0,
    `all ${acked.length} acknowledged commands are in the journal after recovery`,
  );
  t.equal(
    Number(again.ready.lastSeq),
    Math.max(...journal.keys()),
    'recovered to the end of the journal',
  );
  const c2 = await LinkClient.connect({ port: again.port });
  const m = await c2.command(limit(10, 1, 10, 1, 'after-recovery'));
  t.equal(m.result?.rejectReason, 0, 'accepting orders again');
  await c2.close();
}

t.test('Redis killed under load: stop, exit non-zero, recover when it is back', (t) =>
  underLoad(
    t,
    (r) => r.kill('SIGKILL'),
    (r) => r.restart(),
    'E_JOURNAL_APPEND',
  ),
);

t.test(
  'Redis hung (SIGSTOP) under load: append timeout, exit non-zero, recover after SIGCONT',
  (t) =>
    underLoad(
      t,
      (r) => r.kill('SIGSTOP'),
      (r) => r.kill('SIGCONT'),
      'E_JOURNAL_TIMEOUT',
    ),
);
