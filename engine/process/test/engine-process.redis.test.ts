// The engine process over real links and a real (private) Redis: what the
// links are told is exactly what the journal holds; bad frames never reach
// the engine; a lost reply can be recovered by resending, across restarts;
// SIGTERM drains and exits 0.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { exchange } from '../../../proto/gen/exchange';
import { LinkClient } from '../../../proto/link-client';
import {
  buildEngineOnce,
  journalBySeq,
  limit,
  plain,
  RawLink,
  setupExchange,
  startEngine,
  startRedis,
} from './helpers';

buildEngineOnce();

t.test(
  'every acknowledged command is journaled with exactly the events the links were told',
  async (t) => {
    const redis = await startRedis();
    t.teardown(() => redis.stop());
    const engine = await startEngine({
      REDIS_URL: redis.url,
      ENGINE_HASH_EVERY_ENTRIES: '10',
      ENGINE_HASH_MIN_INTERVAL_MS: '0',
    });
    t.teardown(() => engine.kill());
    const pushed: exchange.v1.IEvent[] = [];
    let timesOk = true;
    const watcher = await LinkClient.connect({
      port: engine.port,
      onEvents: (b) => {
        pushed.push(...b.events);
        const seqs = new Set(b.events.map((e) => Number(e.seq)));
        if (b.commandTimeUs.length !== seqs.size || b.commandTimeUs.some((x) => !(Number(x) > 0)))
          timesOk = false;
      },
    });
    const ack = await watcher.hello('watcher', true);
    t.equal(ack.lastSeq, 0, 'hello ack: fresh exchange');
    const client = await LinkClient.connect({ port: engine.port });
    await client.hello('trader');
    await setupExchange(client, [10, 11]);
    const answers = await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        client.command(
          limit(
            i % 2 === 0 ? 10 : 11,
            i % 2 === 0 ? 1 : 2,
            1_000 + (i % 7) - 3,
            1 + (i % 5),
            `o${i}`,
          ),
        ),
      ),
    );
    const results = answers.map((a) => a.result as exchange.v1.CommandResult);
    t.ok(
      results.every((r) => r !== null && r !== undefined),
      'every command answered with a result',
    );
    t.ok(
      results.some((r) => r.events.some((e) => e.kind === 3)),
      'some orders traded',
    );
    const journal = await journalBySeq(redis.client());
    let mismatches = 0;
    for (const r of results) {
      const j = journal.get(r.seq);
      if (
        !j ||
        j.rejectReason !== r.rejectReason ||
        JSON.stringify(plain(j.events)) !== JSON.stringify(plain(r.events))
      ) {
        mismatches++;
      }
    }
    t.equal(mismatches, 0, 'each reply equals its journal entry');
    // The watcher saw the same events, in seq order, for the trader's commands.
    await watcher.ping();
    const lastSeq = Math.max(...results.map((r) => r.seq));
    const deadline = Date.now() + 5_000;
    while ((pushed.at(-1)?.seq ?? 0) < lastSeq && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const want = [...journal.values()].filter((c) => c.seq >= 1).flatMap((c) => plain(c.events));
    t.same(plain(pushed), want, 'event pushes equal the journal, in order');
    t.ok(timesOk, 'each event push carries one command time per command');
    const status = await client.orderStatus({ accountId: 10, clientOrderId: 'o0' });
    t.ok(status.orderStatus?.found, 'order status by client order id');
    t.equal(Number(status.orderStatus?.asOfSeq), lastSeq);
    await client.close();
    await watcher.close();
  },
);

t.test('garbage, oversized and unknown frames never reach the engine or stop it', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const engine = await startEngine({ REDIS_URL: redis.url });
  t.teardown(() => engine.kill());
  const raw = await RawLink.connect(engine.port);
  raw.sendFrame(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])); // not a LinkRequest
  raw.sendFrame(exchange.v1.LinkRequest.encode({ correlationId: 2 }).finish()); // no body
  raw.sendFrame(exchange.v1.LinkRequest.encode({ correlationId: 3, command: {} }).finish()); // empty command
  raw.sendFrame(
    exchange.v1.LinkRequest.encode({
      correlationId: 4,
      command: {
        placeOrder: {
          accountId: 1,
          marketId: 1,
          side: 1,
          orderType: 1,
          timeInForce: 1,
          priceTicks: 2 ** 60,
          qtyLots: 1,
        },
      },
    }).finish(),
  );
  raw.sendFrame(
    exchange.v1.LinkRequest.encode({ correlationId: 5, hello: { protocolVersion: 99 } }).finish(),
  );
  // (LinkDeadManSwitch is a command the engine journals: dead-man.redis.test.ts.)
  const msgs = await raw.waitFor(5);
  const rejects = msgs.map((m) => [Number(m.reject?.correlationId), m.reject?.reason]);
  t.same(rejects, [
    [0, 112], // MALFORMED_MESSAGE
    [2, 114], // UNSUPPORTED_MESSAGE
    [3, 114],
    [4, 115], // NUMBER_OUT_OF_RANGE
    [5, 114],
  ]);
  t.notOk(raw.closed, 'a bad payload does not close the link');
  // An oversized frame: rejected and the link closed before the body is read.
  const big = Buffer.alloc(8);
  big.writeUInt32LE(10 * 1024 * 1024, 0);
  raw.socket.write(big);
  t.ok(await raw.waitClosed(), 'oversized frame closes the link');
  t.equal(raw.messages.at(-2)?.reject?.reason, 113, 'MESSAGE_TOO_LARGE');
  t.equal(raw.messages.at(-1)?.shutdown?.reason, 113);
  // The process is alive and the journal untouched.
  const c = await LinkClient.connect({ port: engine.port });
  t.equal((await c.hello('after')).lastSeq, 0, 'no bad frame reached the state machine');
  t.equal(await redis.client().exists('journal:{0}'), 0, 'nothing journaled');
  await c.close();
  t.equal(engine.proc.exitCode, null, 'engine still running');
});

t.test('a resend gets the original result, across a restart and a snapshot', async (t) => {
  const redis = await startRedis({ durable: true });
  t.teardown(() => redis.stop());
  const env = {
    REDIS_URL: redis.url,
    ENGINE_SNAPSHOT_EVERY_ENTRIES: '0',
    ENGINE_SNAPSHOT_EVERY_MS: '0',
  };
  let engine = await startEngine(env);
  t.teardown(() => engine.kill());
  let c = await LinkClient.connect({ port: engine.port });
  await setupExchange(c, [10, 11]);
  const buy = limit(10, 1, 500, 4, 'buy-1');
  const first = (await c.command(buy)).result!;
  t.equal(first.rejectReason, 0);
  const orderId = Number(first.events?.[0]?.orderId);
  await c.command(limit(11, 2, 500, 4, 'sell-1')); // fills it: the core forgets buy-1
  const again = (await c.command(buy)).result!;
  t.same(plain(again.events), plain(first.events), 'live resend: original result');
  t.equal(Number(again.seq), Number(first.seq));
  const other = await c.command(limit(10, 1, 501, 4, 'buy-1'));
  t.equal(other.reject?.reason, 12, 'same id, other order: DUPLICATE_CLIENT_ORDER_ID');
  await c.close();

  // Graceful stop, restart: the window is rebuilt from the journal.
  engine.proc.kill('SIGTERM');
  t.equal(await engine.exited, 0, 'SIGTERM exits 0');
  engine = await startEngine(env);
  c = await LinkClient.connect({ port: engine.port });
  const afterRestart = (await c.command(buy)).result!;
  t.same(plain(afterRestart.events), plain(first.events), 'resend after restart: original result');
  const st = (await c.orderStatus({ accountId: 10, orderId })).orderStatus!;
  t.equal(st.found, true);
  t.equal(st.status, 3, 'FILLED though it left the book');
  t.equal(Number(st.filledLots), 4);
  const hidden = (await c.orderStatus({ accountId: 11, orderId })).orderStatus!;
  t.equal(hidden.found, false, 'another account does not see it');

  // Snapshot, then kill -9: the window comes back from the snapshot.
  engine.proc.kill('SIGUSR2');
  await engine.waitForLog((l) => l.msg === 'snapshot written');
  await c.close();
  await engine.kill('SIGKILL');
  engine = await startEngine(env);
  const rec = await engine.waitForLog((l) => l.msg === 'recovered');
  t.ok(Number(rec.snapshotSeq) > 0, 'recovered from the snapshot');
  t.equal(rec.entries, 0, 'nothing left to replay');
  c = await LinkClient.connect({ port: engine.port });
  const afterSnapshot = (await c.command(buy)).result!;
  t.same(
    plain(afterSnapshot.events),
    plain(first.events),
    'resend after snapshot restore: original result',
  );
  await c.close();
});

t.test('SIGTERM drains in-flight appends, tells links, exits 0', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const engine = await startEngine({ REDIS_URL: redis.url });
  t.teardown(() => engine.kill());
  let shutdown: exchange.v1.LinkShutdown | undefined;
  const c = await LinkClient.connect({
    port: engine.port,
    onShutdown: (s) => {
      shutdown = s;
    },
  });
  await setupExchange(c, [10]);
  const pending = Array.from({ length: 2_000 }, (_, i) =>
    c.command(limit(10, 1, 100 + (i % 50), 1)).then(
      (m) => m,
      (e: Error) => e,
    ),
  );
  await new Promise((r) => setImmediate(r));
  engine.proc.kill('SIGTERM');
  const answers = await Promise.all(pending);
  t.equal(await engine.exited, 0);
  const results = answers.filter(
    (a): a is exchange.v1.LinkMessage => !(a instanceof Error) && !!a.result,
  );
  const journal = await journalBySeq(redis.client());
  t.ok(
    results.every((r) => journal.has(Number(r.result!.seq))),
    `${results.length} acknowledged, all journaled`,
  );
  t.equal(shutdown?.reason, 202, 'LinkShutdown ENGINE_SHUTTING_DOWN');
});

t.test('a Unix socket link works like TCP', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const path = join(mkdtempSync(join(tmpdir(), 'engine-sock-')), 'engine.sock');
  const engine = await startEngine({ REDIS_URL: redis.url, ENGINE_SOCKET: path });
  t.teardown(() => engine.kill());
  const c = await LinkClient.connect({ path });
  const ack = await c.hello('unix');
  t.equal(ack.shardId, 0);
  const m = await c.command({ addAsset: { assetId: 7 } });
  t.equal(m.result?.rejectReason, 0);
  t.equal(Number(m.result?.seq), 1);
  t.same((await c.hello('again')).marketIds, [], 'no markets yet');
  await c.close();
});
