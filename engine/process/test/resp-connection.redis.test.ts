// The journal's hand-written RESP connection against a real (private) Redis:
// replies come back in request order however the socket splits them, error
// replies and a dead server are reported, and the engine process journals
// through ENGINE_REDIS_SOCKET when it is set.
import t from 'tap';
import { LinkClient } from '../../../proto/link-client';
import { RespConnection, type RespValue } from '../resp-connection';
import {
  buildEngineOnce,
  journalBySeq,
  limit,
  setupExchange,
  startEngine,
  startRedis,
} from './helpers';

buildEngineOnce();

t.test('pipelined requests get their replies in order, over TCP and a Unix socket', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  for (const socketPath of [undefined, redis.socketPath]) {
    const c = await RespConnection.connect(redis.url, 'resp-test', 5_000, socketPath);
    t.equal(await c.call(['PING'], 5_000), 'PONG', `PING (${socketPath ? 'unix' : 'tcp'})`);
    const replies: [string | null, RespValue][] = [];
    let done: () => void = () => {};
    const all = new Promise<void>((r) => {
      done = r;
    });
    const n = 3_000;
    c.listener = {
      onReply: (err, v) => {
        replies.push([err, v]);
        if (replies.length === n) done();
      },
      onClose: () => done(),
    };
    // Values of many sizes so replies straddle socket reads; every 7th is an error.
    const big = 'x'.repeat(70_000);
    for (let i = 0; i < n; i++) {
      if (i % 7 === 3) c.send(RespConnection.encode(['NOSUCHCOMMAND', String(i)]));
      else if (i % 11 === 5) c.send(RespConnection.encode(['ECHO', `${i}:${big}`]));
      else c.send(RespConnection.encode(['INCRBY', `counter-${socketPath ? 'unix' : 'tcp'}`, '1']));
    }
    await all;
    let inOrder = 0;
    let counter = 0;
    for (let i = 0; i < n; i++) {
      const [err, v] = replies[i]!;
      if (i % 7 === 3) {
        if (err !== null && /unknown command/i.test(err)) inOrder++;
      } else if (i % 11 === 5) {
        if (err === null && v === `${i}:${big}`) inOrder++;
      } else if (err === null && v === ++counter) inOrder++;
    }
    t.equal(inOrder, n, 'every reply matched its request, in order');
    c.close();
    t.equal(c.closed, true);
  }
});

t.test('a dead server is reported once through onClose', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const c = await RespConnection.connect(redis.url, 'resp-test', 5_000);
  const closes: string[] = [];
  c.listener = { onReply: () => {}, onClose: (r) => closes.push(r) };
  await redis.kill('SIGKILL');
  for (let i = 0; i < 50 && closes.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(closes.length, 1, 'one onClose');
  t.match(closes[0], /Redis connection/);
  await t.rejects(c.call(['PING'], 1_000), /Redis connection/, 'calls after it fail at once');
});

t.test('the engine journals over ENGINE_REDIS_SOCKET', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const engine = await startEngine({
    REDIS_URL: 'redis://127.0.0.1:1', // nothing listens there: only the socket can work
    ENGINE_REDIS_SOCKET: redis.socketPath,
  });
  t.teardown(() => engine.kill());
  const client = await LinkClient.connect({ port: engine.port });
  await client.hello('trader');
  await setupExchange(client, [10, 11]);
  const m = await client.command(limit(10, 1, 1_000, 1, 'via-socket'));
  t.equal(m.result?.rejectReason, 0, 'order accepted');
  const journal = await journalBySeq(redis.client());
  t.ok(journal.has(Number(m.result?.seq)), 'and journaled');
  const clients = String(await redis.client().call('CLIENT', 'LIST'));
  const line = clients.split('\n').find((l) => l.includes('name=engine-journal'));
  t.match(line, /flags=\S*U/, 'the journal connection is a Unix socket client');
  await client.close();
});

t.test('a refused setup step (AUTH here) fails the connect with Redis own words', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const count = async () =>
    String(await redis.client().call('CLIENT', 'LIST'))
      .trim()
      .split('\n').length;
  const before = await count();
  const url = redis.url.replace('redis://', 'redis://:not-the-password@');
  await t.rejects(RespConnection.connect(url, 'resp-test', 5_000), /AUTH|password/i);
  await new Promise((r) => setTimeout(r, 100));
  t.equal(await count(), before, 'and leaves no connection behind');
});
