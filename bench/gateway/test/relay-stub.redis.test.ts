// The relay reference's two halves (in this process; the benchmark runs each
// as its own process): a real uWS server, a real WebSocket client, a private
// Redis. Orders come back acknowledged with their request ids after their
// XADD, logons are answered, anything else is rejected, garbage with a reason.
import net from 'node:net';
import Redis from 'ioredis';
import t from 'tap';
import { startRedis } from '../../../engine/process/harness';
import { TestClient } from '../../../gateway/test/helpers/test-client';
import { exchange } from '../../../proto';
import {
  RELAY_RECORD_BYTES,
  splitRecords,
  startRelayGateway,
  startRelayJournal,
} from '../relay-stub';

const v1 = exchange.v1;

t.test('splitRecords keeps a partial record for the next read', async (t) => {
  const a = Buffer.alloc(RELAY_RECORD_BYTES * 2 + 5, 1);
  const first = splitRecords(Buffer.alloc(0), a);
  t.equal(first.whole.length, RELAY_RECORD_BYTES * 2);
  t.equal(first.rest.length, 5);
  const second = splitRecords(first.rest, Buffer.alloc(RELAY_RECORD_BYTES - 5, 2));
  t.equal(second.whole.length, RELAY_RECORD_BYTES);
  t.equal(second.rest.length, 0);
  t.same([...second.whole.subarray(0, 6)], [1, 1, 1, 1, 1, 2]);
});

t.test('orders go through one XADD per read and come back acknowledged', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const failures: string[] = [];
  const streamKey = 'relay-test{0}';
  const journal = await startRelayJournal({
    host: '127.0.0.1',
    port: 0,
    redisUrl: redis.url,
    streamKey,
    onFailure: (why) => failures.push(why),
  });
  t.teardown(() => journal.close());
  const gateway = await startRelayGateway({
    host: '127.0.0.1',
    port: 0,
    journalHost: '127.0.0.1',
    journalPort: journal.port,
    onFailure: (why) => failures.push(why),
  });
  t.teardown(() => gateway.close());

  const a = await TestClient.connect(`ws://127.0.0.1:${gateway.port}/ws`);
  const b = await TestClient.connect(`ws://127.0.0.1:${gateway.port}/ws`);
  t.teardown(() => {
    a.close();
    b.close();
  });
  const logon = await a.logon({ apiKeyPrefix: 'any', apiSecret: 'any' });
  t.equal(logon.body, 'logonAck');
  const order = {
    newOrder: { marketId: 1, side: v1.Side.SIDE_BUY, priceTicks: 100, qtyLots: 1 },
  };
  const before = Date.now() * 1000;
  const [ra, rb] = await Promise.all([a.request(order), b.request(order)]);
  for (const r of [ra, rb]) {
    t.equal(r.body, 'orderResponse');
    t.equal(r.orderResponse.acks[0].status, v1.OrderStatus.ORDER_STATUS_NEW);
    t.ok(r.recvTimeUs >= before && r.sendTimeUs >= r.recvTimeUs, 'receive and send stamps');
  }
  t.not(ra.orderResponse.acks[0].orderId, rb.orderResponse.acks[0].orderId);
  // Each client got its own answer (the request ids are both 2: logon was 1 on a).
  t.equal(ra.requestId, 2);
  t.equal(rb.requestId, 1);

  const many = await Promise.all(Array.from({ length: 50 }, () => a.request(order)));
  t.equal(new Set(many.map((r) => r.requestId)).size, 50, 'every request answered once');
  t.ok(journal.appended() >= 2 && journal.appended() <= 52, `${journal.appended()} XADDs`);
  const probe = new Redis(redis.url);
  t.teardown(() => probe.disconnect());
  t.equal(await probe.xlen(streamKey), journal.appended(), 'one stream entry per XADD');

  const other = await b.request({ orderStatus: { marketId: 1, orderId: 1 } });
  t.equal(other.body, 'reject');
  t.equal(other.reject.reason, v1.RejectReason.REJECT_REASON_UNSUPPORTED_MESSAGE);
  a.ws.sendBinary(Buffer.from([0x0a, 0xff]));
  const bad = await a.waitFor((m) => m.body === 'reject' && m.requestId === 0, 5_000, 'the reject');
  t.equal(bad.reject.reason, v1.RejectReason.REJECT_REASON_MALFORMED_MESSAGE);
  t.match(bad.reject.message, /^undecodable ClientMessage/);
  t.equal((await a.request(order)).body, 'orderResponse', 'the connection still works');
  // The journal answers one gateway: a second link is closed at once.
  const second = net.connect({ host: '127.0.0.1', port: journal.port });
  await new Promise<void>((resolve) => second.once('close', () => resolve()));
  t.pass('a second link to the journal is refused');
  t.equal((await a.request(order)).body, 'orderResponse', 'the first link still works');
  t.same(failures, []);
});
