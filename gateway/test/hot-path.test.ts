// The gateway's allocation-free order path against the general one it
// shortcuts: the hand-encoded OrderResponse, the single-order ack, the
// engine link's pending ring (far more requests in flight than its first
// size, answered out of order, timed out), and the reused market-data storage.
import { createServer, type Server, type Socket } from 'node:net';
import t from 'tap';
import { rootLogger } from '../../common/logger';
import { EventKind } from '../../engine/event';
import { Rng } from '../../engine/testing/command-generator';
import { CommandKind } from '../../engine/types';
import { encodeFrame, exchange, FrameReader } from '../../proto';
import { EngineLink } from '../engine-link';
import type { GatewayError } from '../errors';
import { TRADE_RING_SIZE } from '../limits';
import { bookTopic, MarketData } from '../market-data';
import { placeAck, placeAcks } from '../order-acks';
import { OrderResponseWriter } from '../order-response-writer';

const v1 = exchange.v1;

function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.float();
}

t.test('hand-encoded OrderResponse decodes exactly as the protobufjs one', async (t) => {
  const w = new OrderResponseWriter();
  const seed = 0x5eed;
  const r = rng(seed);
  const big = (): number =>
    [0, 1, 127, 128, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER][Math.floor(r() * 7)]! ||
    Math.floor(r() * 1e9);
  const cids = ['', 'c-1', 'x'.repeat(36), 'ünï', 'a'.repeat(200)];
  let equal = 0;
  for (let i = 0; i < 2000; i++) {
    const ack = {
      orderId: big(),
      clientOrderId: cids[i % cids.length]!,
      rejectReason: i % 3 === 0 ? Math.floor(r() * 40) : 0,
      status: Math.floor(r() * 8),
    };
    const rid = big();
    const recvUs = big();
    const sendUs = big();
    const used = Math.floor(r() * 5000);
    const limit = Math.floor(r() * 100_000);
    const seq = big();
    const ours = v1.ServerMessage.decode(w.encode(rid, recvUs, sendUs, used, limit, ack, seq));
    const theirs = v1.ServerMessage.decode(
      v1.ServerMessage.encode({
        requestId: rid,
        recvTimeUs: recvUs,
        sendTimeUs: sendUs,
        rateLimit: { ordersUsed: used, ordersLimit: limit, windowMs: 10_000, retryAfterMs: 0 },
        orderResponse: { acks: [ack], engineSeq: seq },
      }).finish(),
    );
    const a = v1.ServerMessage.toObject(ours, { defaults: true });
    const b = v1.ServerMessage.toObject(theirs, { defaults: true });
    if (JSON.stringify(a) !== JSON.stringify(b) || ours.body !== 'orderResponse') {
      t.same(a, b, `seed ${seed} case ${i}`);
      t.equal(ours.body, 'orderResponse', `seed ${seed} case ${i}`);
      break;
    }
    equal++;
  }
  t.equal(equal, 2000, 'every random reply decodes as the protobufjs one');
});

function ev(p: Record<string, unknown>): exchange.v1.Event {
  return v1.Event.fromObject(p);
}

t.test('placeAck is placeAcks(result, 1) without the arrays', async (t) => {
  const cases: exchange.v1.ICommandResult[] = [
    { seq: 1, events: [] },
    { seq: 0, rejectReason: 7, events: [] },
    {
      seq: 2,
      events: [
        ev({
          kind: EventKind.ORDER_REJECTED,
          commandKind: CommandKind.PLACE_ORDER,
          rejectReason: 12,
          clientOrderId: 'r',
        }),
      ],
    },
    {
      seq: 3,
      events: [
        ev({ kind: EventKind.ORDER_ACCEPTED, orderId: 5, qtyLots: 10, clientOrderId: 'a' }),
        ev({ kind: EventKind.TRADE, orderId: 5, remainingLots: 4, makerOrderId: 2 }),
        ev({ kind: EventKind.BOOK_LEVEL }),
      ],
    },
    {
      seq: 4,
      events: [
        ev({ kind: EventKind.ORDER_ACCEPTED, orderId: 6, qtyLots: 3 }),
        ev({ kind: EventKind.TRADE, orderId: 6, remainingLots: 0 }),
      ],
    },
    {
      seq: 5,
      events: [
        ev({ kind: EventKind.ORDER_ACCEPTED, orderId: 7, qtyLots: 3, timeInForce: 2 }),
        ev({ kind: EventKind.ORDER_EXPIRED, orderId: 7 }),
        // A second item start (never in a single place; placeAcks stops the first item there).
        ev({ kind: EventKind.ORDER_ACCEPTED, orderId: 8, qtyLots: 1 }),
        ev({ kind: EventKind.ORDER_CANCELED, orderId: 7 }),
      ],
    },
    { seq: 6, events: [ev({ kind: EventKind.BALANCE })] },
  ];
  for (const c of cases) {
    t.same(placeAck(c, 'cid'), placeAcks(c, 1, ['cid'])[0], `seq ${c.seq}`);
  }
});

/** A stand-in engine: answers hello, records requests, answers when told. */
class FakeEngine {
  readonly server: Server;
  socket: Socket | undefined;
  readonly requests: exchange.v1.LinkRequest[] = [];

  constructor() {
    this.server = createServer((s) => {
      this.socket = s;
      const reader = new FrameReader(1 << 20);
      s.on('data', (chunk: Buffer) => {
        reader.push(chunk, (frame) => {
          const req = v1.LinkRequest.decode(frame);
          if (req.hello) {
            s.write(
              encodeFrame(v1.LinkMessage.encode({ helloAck: { shardId: 0, lastSeq: 0 } }).finish()),
            );
            return;
          }
          this.requests.push(req);
        });
      });
    });
  }

  answer(req: exchange.v1.LinkRequest): void {
    this.socket!.write(
      encodeFrame(
        v1.LinkMessage.encode({
          result: { correlationId: req.correlationId, seq: Number(req.correlationId) },
        }).finish(),
      ),
    );
  }
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 2));
  }
}

t.test('engine link: 3,000 requests in flight, answered in reverse, then a timeout', async (t) => {
  const engine = new FakeEngine();
  await new Promise<void>((r) => engine.server.listen(0, '127.0.0.1', r));
  const port = (engine.server.address() as { port: number }).port;
  const link = new EngineLink({
    endpoint: { shardId: 0, host: '127.0.0.1', port },
    clientName: 'test',
    timeoutMs: 1500,
    reconnectMs: 50,
    log: rootLogger('silent'),
    onMessage: () => undefined,
    onUp: () => undefined,
    onDown: () => undefined,
  });
  link.start();
  t.teardown(() => {
    link.close();
    engine.server.close();
  });
  await until(() => link.isUp);
  const n = 3000;
  const got = new Map<number, number>();
  t.equal(link.unavailable(), undefined);
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      // Hot form: the Command body written by the caller.
      const w = link.beginCommand();
      const m = w.beginLen(2); // cancel_order
      w.uint(1, 9);
      w.uint(2, i + 1);
      w.endLen(m);
      link.sendCommand((err, msg) => {
        if (err === undefined) got.set(i, msg!.result!.seq as number);
      });
    } else {
      link.request({ command: { cancelOrder: { accountId: 9, orderId: i + 1 } } }, (err, msg) => {
        if (err === undefined) got.set(i, msg!.result!.seq as number);
      });
    }
  }
  t.equal(link.inFlight, n);
  await until(() => engine.requests.length === n);
  // Both forms arrive as the same LinkRequests, in send order.
  let inOrder = 0;
  for (let i = 0; i < n; i++)
    if (engine.requests[i]!.command?.cancelOrder?.orderId === i + 1) inOrder++;
  t.equal(inOrder, n, 'requests of both forms arrive in send order');
  for (let i = n - 1; i >= 0; i--) engine.answer(engine.requests[i]!);
  await until(() => got.size === n);
  t.equal(link.inFlight, 0);
  const ids = engine.requests.map((r) => Number(r.correlationId));
  let matched = 0;
  for (let i = 0; i < n; i++) if (got.get(i) === ids[i]) matched++;
  t.equal(matched, n, 'every callback got the answer to its own request');
  // An answer to an unknown id is ignored; an unanswered request times out.
  engine.answer(engine.requests[0]!);
  let timedOut: GatewayError | undefined;
  link.request({ command: { cancelOrder: { accountId: 9, orderId: 1 } } }, (err) => {
    timedOut = err;
  });
  await until(() => timedOut !== undefined, 4000);
  t.equal(timedOut?.code, 'E_ENGINE_TIMEOUT');
  t.equal(link.inFlight, 0);
});

t.test('market data: a chunk touching many levels keeps the last write per level', async (t) => {
  const sent: Uint8Array[] = [];
  const md = new MarketData(
    (_topic, bytes) => sent.push(bytes),
    () => 1,
  );
  const events: exchange.v1.Event[] = [];
  for (let round = 0; round < 3; round++) {
    for (let p = 1; p <= 40; p++) {
      events.push(
        ev({
          kind: EventKind.BOOK_LEVEL,
          marketId: 1,
          side: p % 2 === 0 ? 1 : 2,
          priceTicks: p % 2 === 0 ? 1000 - p : 1000 + p,
          qtyLots: round * 100 + p,
          orderCount: round + 1,
        }),
      );
    }
  }
  md.applyCommand({ seq: 1, timeUs: 1, events }, true);
  md.applyDone(1, true);
  const updates = v1.ServerMessage.decode(sent[0]!).bookUpdate?.updates ?? [];
  t.equal(updates.length, 40, 'one update per level');
  for (const u of updates) {
    const p = u.side === 1 ? 1000 - Number(u.priceTicks) : Number(u.priceTicks) - 1000;
    t.equal(Number(u.qtyLots), 200 + p);
    t.equal(u.orderCount, 3);
  }
  // The next chunk starts empty.
  md.applyCommand(
    {
      seq: 2,
      timeUs: 2,
      events: [ev({ kind: EventKind.BOOK_LEVEL, marketId: 1, side: 1, priceTicks: 5, qtyLots: 1 })],
    },
    true,
  );
  md.applyDone(2, true);
  const second = sent.map((b) => v1.ServerMessage.decode(b)).filter((m) => m.bookUpdate)[1]!;
  t.equal(second.bookUpdate?.updates?.length, 1);
});

t.test('trade ring: overwrites in place, hands out copies', async (t) => {
  const md = new MarketData(
    () => undefined,
    () => 0,
  );
  const total = TRADE_RING_SIZE + 250;
  for (let i = 1; i <= total; i++) {
    md.applyCommand(
      {
        seq: i,
        timeUs: i * 10,
        events: [ev({ kind: EventKind.TRADE, marketId: 1, tradeId: i, priceTicks: i, qtyLots: 1 })],
      },
      true,
    );
  }
  const ring = md.trades(1)!;
  const newest = ring.newest(3);
  t.same(
    newest.map((x) => x.tradeId),
    [total, total - 1, total - 2],
  );
  t.equal(ring.newest(10 * TRADE_RING_SIZE).length, TRADE_RING_SIZE);
  t.equal(ring.newest(TRADE_RING_SIZE).at(-1)!.tradeId, total - TRADE_RING_SIZE + 1);
  md.applyCommand(
    {
      seq: total + 1,
      timeUs: 0,
      events: [ev({ kind: EventKind.TRADE, marketId: 1, tradeId: 99_999, qtyLots: 1 })],
    },
    true,
  );
  t.equal(newest[0]!.tradeId, total, 'a copy handed out earlier does not change');
});

t.test('market data: subscriber counts are asked once per subscription change', async (t) => {
  const subs = new Map<string, number>();
  const asked: string[] = [];
  const sent: string[] = [];
  const md = new MarketData(
    (topic) => sent.push(topic),
    (topic) => {
      asked.push(topic);
      return subs.get(topic) ?? 0;
    },
  );
  let seq = 0;
  const fill = (): void => {
    seq++;
    md.applyCommand(
      {
        seq,
        timeUs: seq,
        events: [
          ev({ kind: EventKind.TRADE, marketId: 1, tradeId: seq, priceTicks: 100, qtyLots: 1 }),
          ev({
            kind: EventKind.BOOK_LEVEL,
            marketId: 1,
            side: 1,
            priceTicks: 100 - seq,
            qtyLots: seq,
            orderCount: 1,
          }),
        ],
      },
      true,
    );
    md.applyDone(seq, true);
  };
  for (let i = 0; i < 50; i++) fill();
  t.equal(asked.length, 3, 'nobody follows: three topics asked once, not per command');
  t.same(sent, []);

  // A subscription is seen at the next command after it is announced.
  subs.set(bookTopic(1), 1);
  fill();
  t.same(sent, [], 'not announced yet: the cached count stands');
  md.subscriptionsChanged();
  fill();
  t.equal(asked.length, 6);
  t.equal(sent.filter((x) => x === bookTopic(1)).length, 1);
  for (let i = 0; i < 20; i++) fill();
  t.equal(asked.length, 6, 'asked again only after a change');
  t.equal(sent.filter((x) => x === bookTopic(1)).length, 21);
  t.equal(sent.filter((x) => x !== bookTopic(1)).length, 0, 'trades and BBO still have nobody');

  // Unsubscribed: publishing stops after the change is announced.
  subs.delete(bookTopic(1));
  md.subscriptionsChanged();
  fill();
  t.equal(sent.length, 21);
});
