// The link client against a scripted peer: correlation ids, the in-flight
// bound, event and shutdown callbacks, and a close that fails what is waiting.
import net from 'node:net';
import t from 'tap';
import { FrameReader } from '../../../proto/frame';
import { exchange } from '../../../proto/gen/exchange';
import { LinkClient, LinkClosedError } from '../../../proto/link-client';

function frame(msg: exchange.v1.ILinkMessage): Buffer {
  const p = exchange.v1.LinkMessage.encode(msg).finish();
  const h = Buffer.alloc(4);
  h.writeUInt32LE(p.length, 0);
  return Buffer.concat([h, p]);
}

/** A peer that holds requests until release() and answers them in reverse order. */
async function peer(): Promise<{
  port: number;
  held: exchange.v1.LinkRequest[];
  maxHeld: number;
  release(): void;
  send(msg: exchange.v1.ILinkMessage): void;
  close(): Promise<void>;
}> {
  const held: exchange.v1.LinkRequest[] = [];
  let sock: net.Socket | undefined;
  const state = { maxHeld: 0 };
  const server = net.createServer((s) => {
    sock = s;
    const r = new FrameReader(1 << 20);
    s.on('data', (c: Buffer) =>
      r.push(c, (p) => {
        held.push(exchange.v1.LinkRequest.decode(p));
        state.maxHeld = Math.max(state.maxHeld, held.length);
      }),
    );
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    held,
    get maxHeld() {
      return state.maxHeld;
    },
    release() {
      for (const req of held.splice(0).reverse()) {
        sock!.write(
          frame({
            result: { correlationId: req.correlationId, seq: Number(req.correlationId) * 10 },
          }),
        );
      }
    },
    send(msg) {
      sock!.write(frame(msg));
    },
    close: () =>
      new Promise<void>((r) => {
        sock?.destroy();
        server.close(() => r());
      }),
  };
}

t.test(
  'answers by correlation id, bounded in flight, callbacks, clean failure on close',
  async (t) => {
    const p = await peer();
    t.teardown(() => p.close());
    const events: exchange.v1.EventBatch[] = [];
    let shutdown: exchange.v1.LinkShutdown | undefined;
    const c = await LinkClient.connect({
      port: p.port,
      maxInFlight: 3,
      onEvents: (b) => {
        events.push(b);
      },
      onShutdown: (s) => {
        shutdown = s;
      },
    });
    const answers = Array.from({ length: 7 }, (_, i) =>
      c.command({ addAsset: { assetId: i + 1 } }),
    );
    t.equal(c.inFlight, 3, 'three in flight');
    t.equal(c.queued, 4, 'four waiting for a slot');
    while (p.held.length < 3) await new Promise((r) => setTimeout(r, 5));
    for (let round = 0; round < 2; round++) {
      p.release();
      await new Promise((r) => setTimeout(r, 30));
    }
    const results = await Promise.all(answers.slice(0, 6));
    t.same(
      results.map((m) => Number(m.result?.seq)),
      [10, 20, 30, 40, 50, 60],
      'each promise gets its own answer, whatever the order they came in',
    );
    t.equal(p.maxHeld, 3, 'never more than maxInFlight outstanding at the peer');
    p.send({ events: { firstSeq: 1, lastSeq: 1, events: [{ kind: 15, seq: 1, assetId: 1 }] } });
    p.send({ shutdown: { reason: 202, message: 'bye' } });
    await new Promise((r) => setTimeout(r, 30));
    t.equal(events.length, 1, 'event push delivered');
    t.equal(shutdown?.reason, 202, 'shutdown delivered');
    await p.close();
    await t.rejects(
      answers[6]!,
      LinkClosedError,
      'a request still waiting fails with LinkClosedError',
    );
    await t.rejects(
      c.command({ addAsset: { assetId: 99 } }),
      LinkClosedError,
      'and so does a new one',
    );
  },
);
