// Recovery refuses what it cannot trust: an undecodable entry, a gap, a
// replay that diverges from the journal, or a state hash that differs all stop
// it with an error naming the entry; nothing is skipped. A good journal
// recovers to the same state hash the live engine had.
import { spawn } from 'node:child_process';
import t from 'tap';
import { exchange } from '../../../proto/gen/exchange';
import { LinkClient } from '../../../proto/link-client';
import { ENGINE_MAIN } from '../harness';
import { buildEngineOnce, limit, setupExchange, startEngine, startRedis } from './helpers';

buildEngineOnce();

/** Runs the engine expecting it to fail during recovery; resolves with its exit code and fatal log line. */
function runExpectingFailure(
  env: Record<string, string>,
): Promise<{ code: number | null; fatal: Record<string, unknown> | undefined }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [ENGINE_MAIN], {
      env: { ...process.env, LOG_LEVEL: 'info', ENGINE_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, fatal: lines.find((l) => l.msg === 'engine failed to start') });
    });
  });
}

async function journalWithOrders(
  redis: Awaited<ReturnType<typeof startRedis>>,
): Promise<{ lastSeq: number; hash: string }> {
  const engine = await startEngine({
    REDIS_URL: redis.url,
    ENGINE_HASH_EVERY_ENTRIES: '5',
    ENGINE_HASH_MIN_INTERVAL_MS: '0',
    ENGINE_LOG_READY_HASH: '1',
  });
  const c = await LinkClient.connect({ port: engine.port });
  await setupExchange(c, [10, 11]);
  for (let i = 0; i < 30; i++)
    await c.command(limit(i % 2 ? 10 : 11, i % 2 ? 1 : 2, 100 + (i % 4), 2, `r${i}`));
  await c.close();
  engine.proc.kill('SIGTERM');
  await engine.exited;
  const again = await startEngine({ REDIS_URL: redis.url, ENGINE_LOG_READY_HASH: '1' });
  const ready = again.ready;
  await again.kill('SIGTERM');
  const rec = again.lines.find((l) => l.msg === 'recovered')!;
  t.ok(Number(rec.hashesChecked) >= 1, 'recovery checked a recorded state hash');
  return { lastSeq: Number(ready.lastSeq), hash: String(ready.stateHash) };
}

function entry(
  firstSeq: number,
  commands: exchange.v1.IJournaledCommand[],
  stateHash = '',
): Buffer {
  return Buffer.from(
    exchange.v1.JournalEntry.encode({
      version: 1,
      shardId: 0,
      firstSeq,
      lastSeq: firstSeq + commands.length - 1,
      commands,
      stateHash,
    }).finish(),
  );
}

t.test('an undecodable journal entry stops recovery, naming the entry', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const { lastSeq } = await journalWithOrders(redis);
  const bad = `${lastSeq + 1}-0`;
  await redis.client().xadd('journal:{0}', bad, 'e', Buffer.from([0x0a, 0xff, 0xff, 0x03]));
  const { code, fatal } = await runExpectingFailure({ REDIS_URL: redis.url });
  t.not(code, 0, 'exits non-zero');
  t.equal(fatal?.code, 'E_JOURNAL_CORRUPT');
  t.match(String((fatal?.err as { message?: string })?.message), `journal:{0} entry ${bad}`);
  // Still refused on every later start: it is never skipped.
  t.not((await runExpectingFailure({ REDIS_URL: redis.url })).code, 0);
});

t.test('a gap, a divergent replay and a wrong state hash each stop recovery', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const { lastSeq } = await journalWithOrders(redis);
  const rc = redis.client();
  const addAsset = (seq: number, assetId: number, events: exchange.v1.IEvent[]) => ({
    seq,
    timeUs: 1,
    command: { addAsset: { assetId } },
    rejectReason: 0,
    events,
  });

  // A gap: the next entry starts two seqs later.
  let s = lastSeq + 2;
  await rc.xadd(
    'journal:{0}',
    `${s}-0`,
    'e',
    entry(s, [addAsset(s, 50, [{ kind: 15, seq: s, assetId: 50 }])]),
  );
  let r = await runExpectingFailure({ REDIS_URL: redis.url });
  t.equal(r.fatal?.code, 'E_JOURNAL_GAP');
  await rc.del('journal:{0}', 'journal:{0}:hashed');

  // Rebuild a good journal, then a divergent entry (the journal claims no events).
  const { lastSeq: l2 } = await journalWithOrders(redis);
  s = l2 + 1;
  await rc.xadd('journal:{0}', `${s}-0`, 'e', entry(s, [addAsset(s, 51, [])]));
  r = await runExpectingFailure({ REDIS_URL: redis.url });
  t.equal(r.fatal?.code, 'E_JOURNAL_DIVERGED');
  t.match(String((r.fatal?.err as { message?: string })?.message), `entry ${s}-0`);
  await rc.xdel('journal:{0}', `${s}-0`);
  await rc.xsetid('journal:{0}', `${l2}-0`);

  // A wrong recorded state hash.
  await rc.xadd(
    'journal:{0}',
    `${s}-0`,
    'e',
    entry(s, [addAsset(s, 52, [{ kind: 15, seq: s, assetId: 52 }])], 'f'.repeat(64)),
  );
  await rc.set('journal:{0}:hashed', `${s}-0`); // as the fenced append does
  r = await runExpectingFailure({ REDIS_URL: redis.url });
  t.equal(r.fatal?.code, 'E_STATE_HASH_MISMATCH');
  t.match(String((r.fatal?.err as { message?: string })?.message), `entry ${s}-0`);

  // The hashed-entry marker names an entry that records no hash: refused too.
  await rc.set('journal:{0}:hashed', `${l2}-0`);
  await rc.xdel('journal:{0}', `${s}-0`);
  await rc.xsetid('journal:{0}', `${l2}-0`);
  const { code } = await runExpectingFailure({ REDIS_URL: redis.url });
  t.not(code, 0);
});
