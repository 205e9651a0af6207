// Safety rails with the real engine: cancel-on-disconnect (session and
// account scope) on close, on heartbeat timeout and on gateway shutdown; the
// dead-man's switch (kept and fired by the engine, across gateway restarts); server heartbeats; engine timeouts (status unknown,
// then found by client order id); oversized frames; slow consumers.
import t from 'tap';
import { exchange } from '../../proto';
import { MAX_FRAME_BYTES } from '../limits';
import { CloseCode } from '../protocol';
import {
  type ExchangeEnv,
  eventually,
  limitOrder,
  MARKET_ID,
  startExchange,
  type TestUser,
} from './helpers/exchange-env';
import { type ServerMessage, TestClient } from './helpers/test-client';

const v1 = exchange.v1;
const R = v1.RejectReason;
const COD = v1.CancelOnDisconnect;
const { Channel, OrderStatus, CancelReason } = v1;

let env: ExchangeEnv;
t.before(async () => {
  env = await startExchange({
    users: [
      ['frank', 3001],
      ['grace', 3002],
      ['heidi', 3003],
      ['ivan', 3004],
      ['judy', 3005],
    ],
  });
});
t.teardown(() => env.stop());

async function logon(
  user: TestUser,
  extra: exchange.v1.ILogon = {},
  url = env.gateway.wsUrl,
  ordersPer10s = 1_000,
): Promise<TestClient> {
  const key = await env.addKey(user, { ordersPer10s });
  const c = await TestClient.connect(url);
  const ack = await c.logon({ apiKeyPrefix: key.prefix, apiSecret: key.secret, ...extra });
  if (ack.body !== 'logonAck') throw new Error(`logon failed: ${JSON.stringify(ack)}`);
  return c;
}

async function place(
  c: TestClient,
  side: 'buy' | 'sell',
  price: number,
  qty: number,
  cid: string,
): Promise<number> {
  const r = await c.request({ newOrder: limitOrder(side, price, qty, cid) });
  const ack = r.orderResponse?.acks[0];
  if (ack?.status !== OrderStatus.ORDER_STATUS_NEW)
    throw new Error(`not resting: ${JSON.stringify(r)}`);
  return ack.orderId;
}

async function watch(user: TestUser): Promise<TestClient> {
  const c = await logon(user);
  await c.request({ subscribe: { subscriptions: [{ channel: Channel.CHANNEL_REPORTS }] } });
  return c;
}

function canceled(w: TestClient, orderId: number): ServerMessage | undefined {
  return w
    .reports()
    .find((r) => r.orderId === orderId && r.execType === v1.ExecType.EXEC_TYPE_CANCELED);
}

t.test(
  'cancel-on-disconnect, session scope: only this session orders, on a dropped connection',
  async (t) => {
    const user = env.user('frank');
    const w = await watch(user);
    t.teardown(() => w.close());
    const s = await logon(user, { cancelOnDisconnect: COD.CANCEL_ON_DISCONNECT_SESSION });
    const other = await logon(user);
    t.teardown(() => other.close());
    const mine = [await place(s, 'buy', 10, 1, 'cod-s-1'), await place(s, 'buy', 11, 1, 'cod-s-2')];
    const theirs = await place(other, 'buy', 12, 1, 'cod-s-3');
    s.ws.destroy(); // no close frame: a dead connection
    for (const id of mine) {
      const r = await eventually(() => canceled(w, id), 5_000, `order ${id} canceled`);
      t.equal(r!.orderStatus, OrderStatus.ORDER_STATUS_CANCELED);
    }
    await new Promise((r) => setTimeout(r, 200));
    t.equal(canceled(w, theirs), undefined, "another session's order stays");
    const st = await other.request({ orderStatus: { marketId: MARKET_ID, orderId: theirs } });
    t.equal(st.orderStatus?.found, true);
    await other.request({ cancelAll: {} });
  },
);

t.test(
  'cancel-on-disconnect, account scope: every order, reason CANCEL_ON_DISCONNECT',
  async (t) => {
    const user = env.user('grace');
    const w = await watch(user);
    t.teardown(() => w.close());
    const s = await logon(user, { cancelOnDisconnect: COD.CANCEL_ON_DISCONNECT_ACCOUNT });
    const other = await logon(user);
    t.teardown(() => other.close());
    const ids = [
      await place(s, 'sell', 500, 1, 'cod-a-1'),
      await place(other, 'sell', 501, 1, 'cod-a-2'),
    ];
    s.close();
    for (const id of ids) {
      const r = await eventually(() => canceled(w, id), 5_000, `order ${id} canceled`);
      t.equal(r!.cancelReason, CancelReason.CANCEL_REASON_CANCEL_ON_DISCONNECT);
    }
  },
);

t.test('heartbeats, and an idle session is closed and its orders canceled', async (t) => {
  const user = env.user('heidi');
  const w = await watch(user);
  t.teardown(() => w.close());
  const s = await logon(user, {
    heartbeatIntervalMs: 1_000,
    cancelOnDisconnect: COD.CANCEL_ON_DISCONNECT_ACCOUNT,
  });
  const id = await place(s, 'buy', 20, 1, 'idle-1');
  const beats = await s.waitForCount((m) => m.body === 'heartbeat', 2, 4_000, 'heartbeats');
  t.same(
    beats.map((m) => m.heartbeat.seq),
    [1, 2],
    'heartbeat sequence',
  );
  t.ok(beats.every((m) => m.heartbeat.serverTimeUs > 0));
  const info = await s.ws.closed;
  t.equal(info.code, CloseCode.IDLE_TIMEOUT, `closed: ${info.reason}`);
  t.ok(s.all().some((m) => m.body === 'sessionClosing'));
  const r = await eventually(() => canceled(w, id), 5_000, 'canceled after the heartbeat timeout');
  t.equal(r!.cancelReason, CancelReason.CANCEL_REASON_CANCEL_ON_DISCONNECT);
  // A session that pings stays up past the idle timeout.
  const alive = await logon(user, { heartbeatIntervalMs: 1_000 });
  t.teardown(() => alive.close());
  const pinger = setInterval(() => alive.send({ ping: { clientTimeUs: 1 } }), 500);
  await new Promise((r) => setTimeout(r, 3_600));
  clearInterval(pinger);
  t.notOk(alive.ws.isClosed, 'pinging keeps the session');
});

t.test("dead-man's switch cancels resting orders unless re-armed; disarm keeps them", async (t) => {
  const user = env.user('ivan');
  const w = await watch(user);
  t.teardown(() => w.close());
  const s = await logon(user);
  t.teardown(() => s.close());
  const bad = await s.request({ deadManSwitch: { timeoutMs: 10 } });
  t.equal(bad.reject?.reason, R.REJECT_REASON_MALFORMED_MESSAGE, 'below the minimum');
  const id = await place(s, 'buy', 30, 1, 'dms-1');
  const armed = await s.request({ deadManSwitch: { timeoutMs: 1_000 } });
  t.equal(armed.body, 'deadManSwitch');
  t.equal(armed.deadManSwitch.timeoutMs, 1_000);
  t.ok(armed.deadManSwitch.firesAtUs > Date.now() * 1000, 'fires in the future');
  // Re-armed within the timeout: nothing fires.
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 500));
    await s.request({ deadManSwitch: { timeoutMs: 1_000 } });
  }
  t.equal(canceled(w, id), undefined, 're-arming holds it off');
  const r = await eventually(() => canceled(w, id), 3_000, 'fired');
  t.equal(r!.cancelReason, CancelReason.CANCEL_REASON_DEAD_MAN_SWITCH);
  // Disarmed: orders stay.
  const id2 = await place(s, 'buy', 31, 1, 'dms-2');
  await s.request({ deadManSwitch: { timeoutMs: 1_000, marketId: MARKET_ID } });
  const off = await s.request({ deadManSwitch: { timeoutMs: 0, marketId: MARKET_ID } });
  t.equal(off.deadManSwitch.firesAtUs, 0, 'disarmed');
  await new Promise((r) => setTimeout(r, 1_500));
  t.equal(canceled(w, id2), undefined, 'a disarmed switch never fires');
  // The switch is the account's: it fires even after the session that armed it is gone.
  const id3 = await place(s, 'buy', 32, 1, 'dms-3');
  await s.request({ deadManSwitch: { timeoutMs: 1_000 } });
  s.close();
  const r3 = await eventually(() => canceled(w, id3), 3_000, 'fired after the session left');
  t.equal(r3!.cancelReason, CancelReason.CANCEL_REASON_DEAD_MAN_SWITCH);
});

t.test(
  "the dead-man's switch runs in the engine by default: it survives a gateway restart",
  async (t) => {
    const user = env.user('ivan');
    const w = await watch(user);
    t.teardown(() => w.close());
    // Gateway A arms the switch, then goes away for good.
    const a = await env.startGateway();
    t.equal(a.gateway.gw.deadManSwitch, 'engine', 'GATEWAY_DEAD_MAN_SWITCH defaults to engine');
    const s = await logon(user, {}, a.wsUrl);
    const id = await place(s, 'buy', 33, 1, 'dms-restart-1');
    const armed = await s.request({ deadManSwitch: { timeoutMs: 1_500 } });
    t.equal(armed.body, 'deadManSwitch');
    t.equal(armed.deadManSwitch.timeoutMs, 1_500);
    t.equal(a.gateway.dms.localCount, 0, 'armed in the engine, no gateway timer');
    t.equal(env.gateway.gateway.dms.localCount, 0);
    await a.close();
    t.equal(canceled(w, id), undefined, 'not yet fired');
    // The engine fires it; the report reaches the other gateway's watcher.
    const r = await eventually(() => canceled(w, id), 5_000, 'fired after gateway A closed');
    t.equal(r!.cancelReason, CancelReason.CANCEL_REASON_DEAD_MAN_SWITCH);
    t.equal(r!.orderStatus, OrderStatus.ORDER_STATUS_CANCELED);
    t.ok(Date.now() * 1000 >= armed.deadManSwitch.firesAtUs, 'not before its deadline');
  },
);

t.test('engine timeout: status unknown, then found by client order id', async (t) => {
  const user = env.user('judy');
  const gw = await env.startGateway({ gateway: { engineTimeoutMs: 300 } });
  const s = await logon(user, {}, gw.wsUrl);
  t.teardown(() => s.close());
  env.engine.proc.kill('SIGSTOP');
  let r: ServerMessage;
  try {
    r = await s.request({ newOrder: limitOrder('buy', 7, 1, 'slow-1') }, 5_000);
  } finally {
    env.engine.proc.kill('SIGCONT');
  }
  t.equal(r.reject?.reason, R.REJECT_REASON_ENGINE_TIMEOUT);
  const st = await eventually(
    async () => {
      const q = await s.request({ orderStatus: { marketId: MARKET_ID, clientOrderId: 'slow-1' } });
      return q.orderStatus?.found ? q : undefined;
    },
    5_000,
    'the order is found',
  );
  t.equal(st!.orderStatus.order.clientOrderId, 'slow-1');
  await s.request({ cancelAll: {} });
});

t.test('a frame above the maximum closes with 1009 and a reason', async (t) => {
  const s = await logon(env.user('judy'));
  s.ws.sendBinary(Buffer.alloc(MAX_FRAME_BYTES + 1, 1));
  const info = await s.ws.closed;
  t.equal(info.code, CloseCode.MESSAGE_TOO_BIG);
  t.match(info.reason, /exceeds/);
  t.equal(
    s.all().find((m) => m.body === 'sessionClosing')?.sessionClosing.reason,
    R.REJECT_REASON_MESSAGE_TOO_LARGE,
  );
});

t.test('slow consumers lose market data first (ResyncRequired), then the connection', async (t) => {
  const user = env.user('frank');
  const maker = await logon(user, {}, env.gateway.wsUrl, 1_000_000);
  t.teardown(() => maker.close());
  // A deep book makes snapshots large.
  for (let b = 0; b < 10; b++) {
    const orders = Array.from({ length: 50 }, (_, i) => limitOrder('sell', 1_000 + b * 50 + i, 1));
    const r = await maker.request({ newOrderBatch: { orders } });
    t.equal(r.body, 'orderResponse');
  }
  const slow = await logon(env.user('grace'));
  const healthy = await logon(env.user('grace'));
  t.teardown(() => healthy.close());
  await slow.request({
    subscribe: { subscriptions: [{ channel: Channel.CHANNEL_BOOK, marketId: MARKET_ID }] },
  });
  slow.ws.socket.pause(); // stops reading: the kernel buffers fill, then the gateway's
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${env.gateway.url}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 'NaN');
  };
  const resyncs0 = await metric('gateway_slow_consumer_resyncs_total');
  const drops0 = await metric('gateway_slow_consumer_disconnects_total');
  // Book traffic until the gateway drops the slow session's market data.
  let n = 0;
  await eventually(
    async () => {
      for (let i = 0; i < 20; i++) {
        const id = await place(maker, 'buy', 100 + (n++ % 50), 1, '');
        await maker.request({ cancelOrder: { marketId: MARKET_ID, orderId: id } });
        slow.send({ bookSnapshot: { marketId: MARKET_ID } });
      }
      return (await metric('gateway_slow_consumer_resyncs_total')) > resyncs0;
    },
    60_000,
    'a ResyncRequired',
  );
  t.equal(await metric('gateway_slow_consumer_disconnects_total'), drops0, 'not disconnected yet');
  // The others are unaffected: order entry and reports still flow.
  const ok = await healthy.request({ newOrder: limitOrder('buy', 5, 1, 'still-fine') });
  t.equal(ok.orderResponse?.acks[0]?.status, OrderStatus.ORDER_STATUS_NEW);
  // Keep asking for snapshots without reading: past the hard limit the connection goes.
  await eventually(
    async () => {
      for (let i = 0; i < 20; i++) slow.send({ bookSnapshot: { marketId: MARKET_ID } });
      await new Promise((r) => setTimeout(r, 20));
      return (await metric('gateway_slow_consumer_disconnects_total')) > drops0;
    },
    60_000,
    'a slow-consumer disconnect',
  );
  slow.ws.socket.resume();
  const info = await slow.ws.closed;
  t.equal(info.code, CloseCode.SLOW_CONSUMER, `closed ${info.code} ${info.reason}`);
  const resync = slow.all().find((m) => m.body === 'resyncRequired');
  t.equal(resync?.resyncRequired.reason, R.REJECT_REASON_SLOW_CONSUMER);
  t.equal(resync?.resyncRequired.marketId, MARKET_ID);
  await maker.request({ cancelAll: {} });
  await healthy.request({ cancelAll: {} });
});

t.test('graceful gateway shutdown: SessionClosing, 1001, cancel-on-disconnect', async (t) => {
  const user = env.user('heidi');
  const w = await watch(user);
  t.teardown(() => w.close());
  const gw = await env.startGateway();
  const s = await logon(user, { cancelOnDisconnect: COD.CANCEL_ON_DISCONNECT_SESSION }, gw.wsUrl);
  const id = await place(s, 'sell', 900, 1, 'shutdown-1');
  await gw.close();
  const info = await s.ws.closed;
  t.equal(info.code, CloseCode.GOING_AWAY);
  t.ok(s.all().some((m) => m.body === 'sessionClosing'));
  const r = await eventually(() => canceled(w, id), 5_000, 'canceled on shutdown');
  t.ok(r !== undefined);
  const refused = await fetch(`${gw.url}/api/v1/time`).then(
    () => 'answered',
    () => 'refused',
  );
  t.equal(refused, 'refused', 'no longer listening');
});
