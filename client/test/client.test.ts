// ExchangeClient against a scripted in-process gateway (fixtures/mock-gateway):
// logon, request/response correlation, timeouts, rejects, report replay after
// reconnects and gaps, book resync, dead-connection detection, dead-man's
// switch, clean close. The same flows against the real gateway are in
// e2e.pg.test.ts.
import t, { type Test } from 'tap';
import { exchange } from '../../proto';
import { ExchangeClient, type ExchangeClientOptions } from '../client';
import {
  ConnectionClosedError,
  isStatusUnknown,
  LogonError,
  RejectError,
  RequestTimeoutError,
} from '../errors';
import type { ExecutionReport } from '../protocol';
import { generateEd25519KeyPair } from '../signing';
import { MockGateway } from './fixtures/mock-gateway';

const v1 = exchange.v1;
const BUY = v1.Side.SIDE_BUY;

async function setup(
  t: Test,
  opts: Partial<ExchangeClientOptions> = {},
): Promise<{ gw: MockGateway; client: ExchangeClient }> {
  const gw = await MockGateway.start();
  const client = new ExchangeClient({
    url: gw.url,
    apiKey: gw.apiKey,
    apiSecret: gw.apiSecret,
    requestTimeoutMs: 1000,
    autoReconnect: { initialDelayMs: 20, maxDelayMs: 50 },
    ...opts,
  });
  client.on('error', () => {});
  t.teardown(async () => {
    await client.close({ timeoutMs: 200 });
    await gw.stop();
  });
  return { gw, client };
}

function waitFor(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const iv = setInterval(() => {
      if (cond()) {
        clearInterval(iv);
        resolve();
      } else if (Date.now() - t0 > timeoutMs) {
        clearInterval(iv);
        reject(new Error('waitFor timed out'));
      }
    }, 5);
  });
}

t.test('logon with a secret; a bad secret is a fatal LogonError', async (t) => {
  const { gw, client } = await setup(t);
  const ack = await client.connect();
  t.equal(ack.accountId, 7);
  t.equal(client.accountId, 7);
  t.equal(client.state, 'open');
  t.ok(gw.conns[0]!.reportsSubscribed, 'reports subscribed at logon');

  const bad = new ExchangeClient({
    url: gw.url,
    apiKey: gw.apiKey,
    apiSecret: 'nope',
    autoReconnect: false,
  });
  const err = await bad.connect().catch((e: unknown) => e);
  t.type(err, LogonError);
  t.equal((err as LogonError).reason, v1.RejectReason.REJECT_REASON_AUTH_BAD_SECRET);
  t.equal((err as LogonError).fatal, true);
  t.equal(bad.state, 'closed');
});

t.test('Ed25519 signed logon', async (t) => {
  const keys = generateEd25519KeyPair();
  const gw0 = await MockGateway.start();
  gw0.setPublicKeyRaw(keys.publicKeyRaw);
  const client = new ExchangeClient({
    url: gw0.url,
    apiKey: gw0.apiKey,
    privateKey: keys.privateKeyPem,
  });
  t.teardown(async () => {
    await client.close();
    await gw0.stop();
  });
  await client.connect();
  const logon = gw0.conns[0]!.received[0]!.logon!;
  t.equal(logon.apiSecret, '', 'the secret is not sent');
  t.equal(logon.nonce?.length, 16);
  t.ok(Math.abs(Number(logon.timestampUs) - Date.now() * 1000) < 5e6);

  const other = generateEd25519KeyPair();
  const wrong = new ExchangeClient({
    url: gw0.url,
    apiKey: gw0.apiKey,
    privateKey: other.privateKeyPem,
    autoReconnect: false,
  });
  const err = await wrong.connect().catch((e: unknown) => e);
  t.equal((err as LogonError).reason, v1.RejectReason.REJECT_REASON_AUTH_BAD_SIGNATURE);
});

t.test('responses are matched by request id, whatever their order', async (t) => {
  const { gw, client } = await setup(t);
  const held: exchange.v1.ClientMessage[] = [];
  gw.handler = (conn, msg, g) => {
    if (msg.body !== 'newOrder') return false;
    held.push(msg);
    if (held.length === 5) {
      for (const m of held.reverse()) {
        g.send(conn, {
          requestId: m.requestId,
          orderResponse: {
            acks: [
              {
                orderId: 100 + Number(m.newOrder!.priceTicks),
                clientOrderId: m.newOrder!.clientOrderId,
              },
            ],
          },
        });
      }
    }
    return true;
  };
  await client.connect();
  const acks = await Promise.all(
    [1, 2, 3, 4, 5].map((i) =>
      client.placeOrder({
        marketId: 1,
        side: BUY,
        priceTicks: i,
        qtyLots: 1,
        clientOrderId: `c${i}`,
      }),
    ),
  );
  t.same(
    acks.map((a) => [a.orderId, a.clientOrderId]),
    [
      [101, 'c1'],
      [102, 'c2'],
      [103, 'c3'],
      [104, 'c4'],
      [105, 'c5'],
    ],
  );
  const ids = held.map((m) => m.requestId);
  t.equal(new Set(ids).size, 5, 'distinct request ids');
  t.equal(client.inFlight, 0);
});

t.test('a request without answer times out with status unknown; others carry on', async (t) => {
  const { gw, client } = await setup(t, { requestTimeoutMs: 150 });
  gw.handler = (_c, msg) => msg.body === 'newOrder' && msg.newOrder!.clientOrderId === 'lost';
  await client.connect();
  const t0 = Date.now();
  const lost = client.placeOrder({
    marketId: 1,
    side: BUY,
    priceTicks: 1,
    qtyLots: 1,
    clientOrderId: 'lost',
  });
  const fine = client.placeOrder({
    marketId: 1,
    side: BUY,
    priceTicks: 1,
    qtyLots: 1,
    clientOrderId: 'fine',
  });
  t.equal((await fine).clientOrderId, 'fine');
  const err = await lost.catch((e: unknown) => e);
  t.type(err, RequestTimeoutError);
  t.equal((err as RequestTimeoutError).reason, v1.RejectReason.REJECT_REASON_ENGINE_TIMEOUT);
  t.ok(isStatusUnknown(err));
  t.ok(Date.now() - t0 >= 140, 'not before the timeout');
  t.ok(Date.now() - t0 < 1000, 'not much after it');
  const s = await client
    .orderStatus({ marketId: 1, clientOrderId: 'lost' })
    .catch((e: unknown) => e);
  t.type(s, RejectError, 'the mock does not implement order status: a Reject');
  t.equal((s as RejectError).reason, v1.RejectReason.REJECT_REASON_UNSUPPORTED_MESSAGE);
  t.notOk(isStatusUnknown(s));
});

t.test('rate-limit usage and gateway rejects', async (t) => {
  const { gw, client } = await setup(t);
  gw.handler = (conn, msg, g) => {
    if (msg.body !== 'cancelOrder') return false;
    g.send(conn, {
      requestId: msg.requestId,
      rateLimit: { ordersUsed: 100, ordersLimit: 100, windowMs: 10_000, retryAfterMs: 900 },
      reject: { reason: v1.RejectReason.REJECT_REASON_RATE_LIMITED, message: 'slow down' },
    });
    return true;
  };
  const usage: number[] = [];
  client.on('rateLimit', (u) => usage.push(u.retryAfterMs));
  await client.connect();
  await client.placeOrder({ marketId: 1, side: BUY, priceTicks: 1, qtyLots: 1 });
  const err = await client.cancelOrder({ marketId: 1, orderId: 5 }).catch((e: unknown) => e);
  t.type(err, RejectError);
  t.equal((err as RejectError).reason, v1.RejectReason.REJECT_REASON_RATE_LIMITED);
  t.match((err as Error).message, /REJECT_REASON_RATE_LIMITED \(slow down\)/);
  t.same(usage, [0, 900]);
});

t.test('reports: in order, once, replayed after a reconnect and after a live gap', async (t) => {
  const { gw, client } = await setup(t, { contiguousReportSeq: true });
  gw.addReport({ orderId: 1 }); // history before logon: not delivered (no afterReportSeq)
  const seen: number[] = [];
  client.on('executionReport', (r: ExecutionReport) => seen.push(r.reportSeq));
  await client.connect();
  await client.placeOrder({ marketId: 1, side: BUY, priceTicks: 1, qtyLots: 1 });
  await client.placeOrder({ marketId: 1, side: BUY, priceTicks: 2, qtyLots: 1 });
  await waitFor(() => seen.length === 2);
  t.same(seen, [2, 3]);

  // A duplicate live report is dropped.
  gw.send(gw.conns[0]!, { executionReport: gw.reports[2]! });

  // Lost while connected, then the connection dies; more happen while down.
  gw.dropLiveReports = true;
  gw.addReport({ orderId: 4 });
  gw.addReport({ orderId: 5 });
  let reconnected = false;
  client.on('logon', (_ack, reconnect) => {
    reconnected = reconnect;
  });
  gw.killConnections();
  await waitFor(() => client.state !== 'open');
  gw.addReport({ orderId: 6 });
  gw.dropLiveReports = false;
  await waitFor(() => reconnected && seen.length === 5);
  t.same(seen, [2, 3, 4, 5, 6], 'replayed in order after the reconnect');
  const replays = gw.conns[1]!.received.filter((m) => m.body === 'replayReports');
  t.same(
    replays.map((m) => m.replayReports!.afterReportSeq),
    [3],
    'asked for what came after the last delivered report',
  );

  // A live gap: 7 lost, 8 arrives -> the client asks for a replay and delivers 7 then 8.
  gw.dropLiveReports = true;
  gw.addReport({ orderId: 7 });
  gw.dropLiveReports = false;
  gw.addReport({ orderId: 8 });
  await waitFor(() => seen.length === 7);
  t.same(seen, [2, 3, 4, 5, 6, 7, 8]);
  t.equal(client.lastReportSeq, 8);
});

t.test(
  'monotonic report seqs (the default): replay after a reconnect, live reports overtaking it held',
  async (t) => {
    const { gw, client } = await setup(t);
    const seen: number[] = [];
    client.on('executionReport', (r) => seen.push(r.reportSeq));
    await client.connect();
    gw.addReport({ orderId: 1 });
    await waitFor(() => seen.length === 1);
    gw.killConnections();
    await waitFor(() => client.state !== 'open');
    gw.addReport({ orderId: 2 });
    gw.addReport({ orderId: 3 });
    // On the replay request, a new live report goes out before the replayed ones.
    gw.handler = (_conn, msg, g) => {
      if (msg.body === 'replayReports') g.addReport({ orderId: 4 });
      return false;
    };
    await waitFor(() => seen.length === 4);
    t.same(seen, [1, 2, 3, 4], 'in order, none lost, none twice');
  },
);

t.test('resume from a persisted report seq on the first logon', async (t) => {
  const { gw, client } = await setup(t, { afterReportSeq: 2 });
  for (let i = 0; i < 4; i++) gw.addReport({ orderId: i });
  const seen: number[] = [];
  client.on('executionReport', (r) => seen.push(r.reportSeq));
  await client.connect();
  t.same(seen, [3, 4], 'replayed before connect() resolves');
});

t.test('book: snapshot, updates, gap -> snapshot request -> rebuilt', async (t) => {
  const { gw, client } = await setup(t);
  const lvl = (side: number, p: number, q: number) => ({
    side,
    priceTicks: p,
    qtyLots: q,
    orderCount: 1,
  });
  let snapshotRequests = 0;
  gw.handler = (conn, msg, g) => {
    if (
      msg.body === 'subscribe' &&
      msg.subscribe!.subscriptions![0]!.channel === v1.Channel.CHANNEL_BOOK
    ) {
      g.send(conn, {
        requestId: msg.requestId,
        subscribe: { subscriptions: msg.subscribe!.subscriptions },
      });
      g.send(conn, {
        bookSnapshot: {
          marketId: 3,
          seq: 10,
          bids: [{ priceTicks: 100, qtyLots: 5, orderCount: 1 }],
          asks: [{ priceTicks: 102, qtyLots: 5, orderCount: 1 }],
        },
      });
      return true;
    }
    if (msg.body === 'bookSnapshot') {
      snapshotRequests++;
      g.send(conn, {
        requestId: msg.requestId,
        bookSnapshot: {
          marketId: 3,
          seq: 14,
          bids: [{ priceTicks: 101, qtyLots: 1, orderCount: 1 }],
          asks: [{ priceTicks: 103, qtyLots: 2, orderCount: 1 }],
        },
      });
      return true;
    }
    return false;
  };
  await client.connect();
  const resyncs: string[] = [];
  client.on('bookResync', (i) => resyncs.push(i.reason));
  const book = await client.subscribeBook(3);
  t.equal(book.seq, 10);
  t.equal(book.bestBid(), 100);
  const conn = gw.conns[0]!;
  gw.send(conn, {
    bookUpdate: { marketId: 3, firstSeq: 11, lastSeq: 11, updates: [lvl(BUY, 101, 1)] },
  });
  await waitFor(() => book.seq === 11);
  t.equal(book.bestBid(), 101);
  gw.send(conn, {
    bookUpdate: { marketId: 3, firstSeq: 13, lastSeq: 13, updates: [lvl(BUY, 99, 1)] },
  }); // 12 lost
  gw.send(conn, {
    bookUpdate: { marketId: 3, firstSeq: 15, lastSeq: 15, updates: [lvl(BUY, 98, 3)] },
  });
  await waitFor(() => book.synced && book.seq === 15);
  t.equal(snapshotRequests, 1, 'one snapshot request for the gap');
  t.same(resyncs, ['gap']);
  t.same(
    book.bids.top().map((l) => [l.priceTicks, l.qtyLots]),
    [
      [101, 1],
      [98, 3],
    ],
    'snapshot at 14 plus the buffered update 15',
  );
  t.equal(book.bestAsk(), 103);
});

t.test('a silent server is detected as dead and the client reconnects', async (t) => {
  const { gw, client } = await setup(t, { deadAfterMs: 300, heartbeatIntervalMs: 100 });
  gw.heartbeatIntervalMs = 100;
  let silent = true;
  gw.handler = (_c, msg) => silent && msg.body === 'ping';
  const events: string[] = [];
  client.on('disconnect', () => events.push('disconnect'));
  client.on('logon', (_a, reconnect) => events.push(reconnect ? 'relogon' : 'logon'));
  await client.connect();
  const t0 = Date.now();
  await waitFor(() => events.includes('disconnect'));
  silent = false;
  t.ok(Date.now() - t0 >= 250, `declared dead after ~300 ms of silence (${Date.now() - t0})`);
  await waitFor(() => events.includes('relogon'));
  t.same(events, ['logon', 'disconnect', 'relogon']);
  const pings = gw.conns[0]!.received.filter((m) => m.body === 'ping').length;
  t.ok(pings >= 1, 'probed with pings first');
});

t.test("dead-man's switch is re-armed until stopped, and after reconnects", async (t) => {
  const { gw, client } = await setup(t);
  await client.connect();
  const res = await client.keepDeadManSwitchArmed(300, { rearmEveryMs: 40 });
  t.equal(res.timeoutMs, 300);
  t.ok(res.firesAtUs > 0);
  await new Promise((r) => setTimeout(r, 150));
  gw.killConnections();
  await waitFor(
    () => gw.conns.length === 2 && gw.conns[1]!.received.some((m) => m.body === 'deadManSwitch'),
  );
  const off = await client.stopDeadManSwitch();
  t.equal(off?.firesAtUs, 0, 'disarmed');
  const arms = gw.conns[0]!.received.filter((m) => m.body === 'deadManSwitch').length;
  t.ok(arms >= 3, `re-armed periodically (${arms})`);
});

t.test('clean close: cancel-all, in-flight requests rejected, no reconnect', async (t) => {
  const { gw, client } = await setup(t);
  gw.handler = (_c, msg) => msg.body === 'amendOrder'; // never answered
  await client.connect();
  const amend = client.amendOrder({ marketId: 1, orderId: 9, newQtyLots: 1 });
  const closed = new Promise<void>((r) => client.once('close', () => r()));
  await client.close({ cancelAll: true });
  await closed;
  const err = await amend.catch((e: unknown) => e);
  t.type(err, ConnectionClosedError);
  t.ok(isStatusUnknown(err), 'an amend in flight may have happened');
  t.ok(gw.conns[0]!.received.some((m) => m.body === 'cancelAll'));
  t.equal(client.state, 'closed');
  await new Promise((r) => setTimeout(r, 100));
  t.equal(gw.conns.length, 1, 'no reconnect after close()');
  const notConnected = await client
    .placeOrder({ marketId: 1, side: BUY, priceTicks: 1, qtyLots: 1 })
    .catch((e: unknown) => e);
  t.match((notConnected as Error).message, /not connected/);
});
