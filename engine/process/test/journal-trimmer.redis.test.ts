// Trimming never passes the latest snapshot or the settlement cursor
// (`settled:{shard}`, faked here as settlement would write it).
import pino from 'pino';
import t from 'tap';
import { JournalTrimmer } from '../journal-trimmer';
import { SnapshotStore } from '../snapshot-store';
import { startRedis } from './helpers';

t.test('trim bound = min(snapshot, settlement cursor); nothing without both', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const rc = redis.client();
  for (let seq = 1; seq <= 100; seq++)
    await rc.xadd('journal:{3}', `${seq}-0`, 'e', `entry ${seq}`);
  const first = async () => (await rc.xrange('journal:{3}', '-', '+', 'COUNT', 1))[0]?.[0] ?? '';
  const store = new SnapshotStore(rc, 3);
  const trimmer = new JournalTrimmer(rc, 3, store, pino({ level: 'silent' }));

  await rc.set('settled:{3}', '90');
  t.equal((await trimmer.trim()).removed, 0, 'no snapshot: nothing trimmed');
  await store.write({
    lastSeq: 60,
    lastTimeUs: 1,
    stateHash: 'h',
    engineBytes: Buffer.from('engine'),
    windowBytes: Buffer.alloc(0),
  });
  await rc.del('settled:{3}');
  t.equal((await trimmer.trim()).removed, 0, 'no settlement cursor: nothing trimmed');

  await rc.set('settled:{3}', '40');
  let r = await trimmer.trim();
  t.same([r.boundSeq, r.removed, r.reason], [40, 39, 'bounded by settlement']);
  t.equal(await first(), '40-0', 'the last settled entry stays');

  await rc.set('settled:{3}', '90-0');
  r = await trimmer.trim();
  t.same([r.boundSeq, r.removed, r.reason], [60, 20, 'bounded by the snapshot']);
  t.equal(await first(), '60-0', "the snapshot's entry stays");

  await rc.set('settled:{3}', 'not-a-cursor');
  t.equal((await trimmer.trim()).removed, 0, 'a malformed cursor trims nothing');
  await rc.set('settled:{3}', '100');
  t.equal((await trimmer.trim()).removed, 0, 'still bounded by the snapshot');
  t.equal(await rc.xlen('journal:{3}'), 41);

  // The snapshot store: a newer snapshot replaces the older, whose data is removed.
  await store.write({
    lastSeq: 80,
    lastTimeUs: 2,
    stateHash: 'h2',
    engineBytes: Buffer.alloc(9_000_000, 7),
    windowBytes: Buffer.from([1]),
  });
  const snap = await store.read();
  t.equal(snap?.lastSeq, 80);
  t.equal(snap?.engineBytes.length, 9_000_000, 'a body larger than one chunk round-trips');
  t.equal(await rc.exists('snapshot:{3}:data:60'), 0, 'the older snapshot body is gone');
  r = await trimmer.trim();
  t.same([r.boundSeq, r.removed], [80, 20]);
});
