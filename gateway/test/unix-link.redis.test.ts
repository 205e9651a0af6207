// The gateway's link to a co-located engine over a Unix socket (ENGINE_SOCKET
// on the engine, a `socketPath` shard on the gateway), as the gateway
// benchmark runs it by default: orders, their acknowledgements, execution
// reports and book updates all cross it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { exchange } from '../../proto';
import { type ExchangeEnv, limitOrder, MARKET_ID, startExchange } from './helpers/exchange-env';
import { TestClient } from './helpers/test-client';

const v1 = exchange.v1;
const { Channel, ExecType, OrderStatus } = v1;

const dir = mkdtempSync(path.join(tmpdir(), 'gw-unix-'));
const socketPath = path.join(dir, 'engine.sock');
let env: ExchangeEnv;

t.before(async () => {
  env = await startExchange({
    users: [
      ['alice', 3001],
      ['bob', 3002],
    ],
    engineEnv: { ENGINE_SOCKET: socketPath },
    // Only the socket: the gateway has no TCP address to fall back on.
    gateway: { gateway: { shards: [{ shardId: 0, socketPath }] } },
  });
});
t.teardown(async () => {
  await env.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function session(name: string): Promise<TestClient> {
  const key = await env.addKey(env.user(name));
  const c = await TestClient.connect(env.gateway.wsUrl);
  const ack = await c.logon({ apiKeyPrefix: key.prefix, apiSecret: key.secret });
  if (ack.body !== 'logonAck') throw new Error(`logon failed: ${JSON.stringify(ack.toJSON())}`);
  return c;
}

t.test('orders, acks, reports and book updates cross the Unix socket link', async (t) => {
  t.ok(existsSync(socketPath), 'the engine listens on the socket');
  const alice = await session('alice');
  const bob = await session('bob');
  t.teardown(() => {
    alice.close();
    bob.close();
  });
  const reports = {
    subscribe: { subscriptions: [{ channel: Channel.CHANNEL_REPORTS, marketId: 0 }] },
  };
  t.equal((await alice.request(reports)).body, 'subscribe');
  const book = await bob.request({
    subscribe: { subscriptions: [{ channel: Channel.CHANNEL_BOOK, marketId: MARKET_ID }] },
  });
  t.equal(book.body, 'subscribe');

  const ask = await alice.request({ newOrder: limitOrder('sell', 100, 10, 'ask-1') });
  t.equal(ask.body, 'orderResponse');
  const askAck = ask.orderResponse!.acks[0]!;
  t.equal(askAck.status, OrderStatus.ORDER_STATUS_NEW, 'the ask rests');
  const update = await bob.waitFor(
    (m) =>
      m.body === 'bookUpdate' &&
      m.bookUpdate.updates.some((l: { priceTicks: number }) => l.priceTicks === 100),
    5_000,
    'the ask in the book',
  );
  t.same(
    update.bookUpdate.updates.map((l: { side: number; priceTicks: number; qtyLots: number }) => [
      l.side,
      l.priceTicks,
      l.qtyLots,
    ]),
    [[v1.Side.SIDE_SELL, 100, 10]],
  );

  const take = await bob.request({ newOrder: limitOrder('buy', 100, 4, 'take-1') });
  const takeAck = take.orderResponse!.acks[0]!;
  t.equal(takeAck.status, OrderStatus.ORDER_STATUS_FILLED, 'the taker fills at once');
  const fill = await alice.waitFor(
    (m) => m.body === 'executionReport' && m.executionReport.execType === ExecType.EXEC_TYPE_TRADE,
    5_000,
    "the maker's fill report",
  );
  t.equal(fill.executionReport.orderId, askAck.orderId);
  t.equal(fill.executionReport.lastQtyLots, 4);
  t.equal(fill.executionReport.remainingLots, 6);
  t.equal(fill.executionReport.orderStatus, OrderStatus.ORDER_STATUS_PARTIALLY_FILLED);

  const cancel = await alice.request({
    cancelOrder: { marketId: MARKET_ID, orderId: askAck.orderId },
  });
  t.equal(cancel.body, 'orderResponse');
  const cancelAck = cancel.orderResponse!.acks[0]!;
  t.equal(cancelAck.rejectReason ?? 0, 0);
  t.equal(cancelAck.status, OrderStatus.ORDER_STATUS_CANCELED, 'the rest is cancelled');
});
