// The engine link drops and comes back: requests meanwhile are refused
// ENGINE_UNAVAILABLE; commands the gateway never saw on its link (other
// links' orders placed while it was cut off, behind a TCP proxy the test
// controls) are read from the journal on reconnect and published like live
// ones, so book subscribers stay gap free and accounts get their reports; the
// engine process restarting (recovering from its journal) is survived the
// same way; a gateway started later rebuilds its books from the journal and
// agrees with the first one.
import { spawn } from 'node:child_process';
import net from 'node:net';
import t from 'tap';
import { attachEngine, ENGINE_MAIN } from '../../engine/process/harness';
import { exchange } from '../../proto';
import { eventually, limitOrder, MARKET_ID, startExchange } from './helpers/exchange-env';
import { TestClient } from './helpers/test-client';

const v1 = exchange.v1;

/** A TCP proxy to the engine that the test can cut and restore. */
async function linkProxy(
  target: number,
): Promise<{ port: number; cut(): void; restore(): void; close(): void }> {
  let enabled = true;
  const open = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    if (!enabled) {
      inbound.destroy();
      return;
    }
    const outbound = net.connect(target, '127.0.0.1');
    open.add(inbound).add(outbound);
    inbound.pipe(outbound).pipe(inbound);
    const done = () => {
      inbound.destroy();
      outbound.destroy();
      open.delete(inbound);
      open.delete(outbound);
    };
    inbound.on('error', done).on('close', done);
    outbound.on('error', done).on('close', done);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      enabled = false;
      for (const s of open) s.destroy();
    },
    restore() {
      enabled = true;
    },
    close() {
      enabled = false;
      for (const s of open) s.destroy();
      server.close();
    },
  };
}

t.test(
  'link loss and engine restart: unavailable while down, caught up from the journal after',
  async (t) => {
    const env = await startExchange({
      users: [
        ['kim', 6001],
        ['lee', 6002],
      ],
    });
    t.teardown(() => env.stop());
    const proxy = await linkProxy(env.engine.port);
    t.teardown(() => proxy.close());
    // This test's gateway reaches the engine through the proxy.
    const gw = await env.startGateway({
      gateway: {
        shards: [{ shardId: 0, host: '127.0.0.1', port: proxy.port }],
        linkReconnectMs: 100,
      },
    });
    const kim = env.user('kim');
    const key = await env.addKey(kim);
    const c = await TestClient.connect(gw.wsUrl);
    t.teardown(() => c.close());
    await c.logon({ apiKeyPrefix: key.prefix, apiSecret: key.secret, heartbeatIntervalMs: 60_000 });
    await c.request({
      subscribe: {
        subscriptions: [
          { channel: v1.Channel.CHANNEL_BOOK, marketId: MARKET_ID },
          { channel: v1.Channel.CHANNEL_REPORTS },
        ],
      },
    });
    await c.request({ newOrder: limitOrder('buy', 90, 5, 'before') });

    // Cut the link: the gateway refuses orders; another link trades meanwhile.
    proxy.cut();
    await eventually(
      async () => {
        const r = await c.request({ newOrder: limitOrder('buy', 91, 1, 'while-down') });
        return r.reject?.reason === v1.RejectReason.REJECT_REASON_ENGINE_UNAVAILABLE;
      },
      5_000,
      'ENGINE_UNAVAILABLE while the link is down',
    );
    const lee = env.user('lee');
    const place = (price: number, qty: number) =>
      env.admin.command({
        placeOrder: {
          accountId: lee.accountId,
          marketId: MARKET_ID,
          side: 2,
          orderType: 1,
          timeInForce: 1,
          priceTicks: price,
          qtyLots: qty,
        },
      });
    t.equal((await place(90, 2)).result?.rejectReason, 0);
    t.equal((await place(95, 4)).result?.rejectReason, 0);
    const fillsBefore = gw.gateway.metrics.journalGapFills;
    proxy.restore();

    // Kim's reports for the fill arrive once the gateway has caught up.
    const fill = await c.waitFor(
      (m) =>
        m.body === 'executionReport' && m.executionReport.execType === v1.ExecType.EXEC_TYPE_TRADE,
      10_000,
      'the fill placed while the gateway was away',
    );
    t.equal(fill.executionReport.filledLots, 2);
    t.equal(fill.executionReport.isMaker, true);
    t.ok(gw.gateway.metrics.journalGapFills > fillsBefore, 'caught up from the journal');

    // Restart the engine process on the same port: it recovers from the journal,
    // the gateway reconnects by itself.
    const port = env.engine.port;
    await env.admin.close(500).catch(() => {});
    await env.engine.kill('SIGKILL');
    const proc = spawn(process.execPath, [ENGINE_MAIN], {
      env: {
        ...process.env,
        LOG_LEVEL: 'info',
        ENGINE_PORT: String(port),
        REDIS_URL: env.redis.url,
        SHARD_ID: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const engine = await attachEngine(proc, port, 60_000);
    t.teardown(() => engine.kill('SIGKILL'));
    const after = await eventually(
      async () => {
        const r = await c.request({ newOrder: limitOrder('buy', 80, 1, 'after') });
        return r.body === 'orderResponse' ? r : undefined;
      },
      10_000,
      'order entry after the engine restart',
    );
    t.equal(
      after!.orderResponse?.acks[0]?.status,
      v1.OrderStatus.ORDER_STATUS_NEW,
      'order entry works again',
    );

    // The subscriber's book never gapped and equals a fresh snapshot.
    const snap = (await c.request({ bookSnapshot: { marketId: MARKET_ID } })).bookSnapshot;
    const updates = c
      .all()
      .filter((m) => m.body === 'bookUpdate')
      .map((m) => m.bookUpdate);
    const first = c.all().find((m) => m.body === 'bookSnapshot')!.bookSnapshot;
    let seq = first.seq;
    const bids = new Map<number, number>();
    const asks = new Map<number, number>();
    for (const u of updates) {
      t.equal(u.firstSeq, seq + 1, `update ${u.firstSeq}..${u.lastSeq} follows ${seq}`);
      seq = u.lastSeq;
      for (const l of u.updates) {
        const side = l.side === v1.Side.SIDE_BUY ? bids : asks;
        if (l.qtyLots === 0) side.delete(l.priceTicks);
        else side.set(l.priceTicks, l.qtyLots);
      }
    }
    t.equal(seq, snap.seq);
    t.same(
      [...bids].sort((a, b) => b[0] - a[0]),
      snap.bids.map((l: { priceTicks: number; qtyLots: number }) => [l.priceTicks, l.qtyLots]),
    );
    t.same(
      [...asks].sort((a, b) => a[0] - b[0]),
      snap.asks.map((l: { priceTicks: number; qtyLots: number }) => [l.priceTicks, l.qtyLots]),
    );

    // A gateway started now rebuilds the same book and open orders from the journal.
    const second = await env.startGateway();
    const c2 = await TestClient.connect(second.wsUrl);
    t.teardown(() => c2.close());
    const ack = await c2.logon({ apiKeyPrefix: key.prefix, apiSecret: key.secret });
    t.equal(
      ack.logonAck.lastReportSeq,
      c.reports().at(-1)!.reportSeq,
      'the same newest report seq',
    );
    const snap2 = await eventually(
      async () => {
        const s = (await c2.request({ bookSnapshot: { marketId: MARKET_ID } })).bookSnapshot;
        return s?.seq === snap.seq ? s : undefined;
      },
      5_000,
      'the second gateway at the same seq',
    );
    t.same(snap2, snap, 'both gateways serve the same book');
    const st = await c2.request({ orderStatus: { marketId: MARKET_ID, clientOrderId: 'before' } });
    t.equal(st.orderStatus.order.filledLots, 2, 'order state through the new gateway');
  },
);
