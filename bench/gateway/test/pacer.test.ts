// The pacer's own WebSocket framing (it writes orders to the sockets itself):
// one masked binary frame per order that a server unmasks into the same
// ClientMessage the generated code encodes, for every connection's key.
import t from 'tap';
import { exchange } from '../../../proto';
import { newSharedSlots, SLOTS, writeOrderFrame } from '../pacer';
import { newOrderBody } from '../wire';

const v1 = exchange.v1;

/** What a server does with a client frame: check the header, unmask the payload. */
function unmask(frame: Buffer, len: number): { fin: boolean; opcode: number; payload: Buffer } {
  const b0 = frame[0]!;
  const b1 = frame[1]!;
  if ((b1 & 0x80) === 0) throw new Error('client frames must be masked');
  const n = b1 & 0x7f;
  if (n >= 126 || 6 + n !== len) throw new Error(`length ${n} does not match ${len}`);
  const mask = frame.subarray(2, 6);
  const payload = Buffer.alloc(n);
  for (let i = 0; i < n; i++) payload[i] = frame[6 + i]! ^ mask[i & 3]!;
  return { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload };
}

t.test('each connection frames with its own key; the payload is the ClientMessage', async (t) => {
  const order = {
    marketId: 1,
    side: v1.Side.SIDE_BUY,
    orderType: v1.OrderType.ORDER_TYPE_LIMIT,
    timeInForce: v1.TimeInForce.TIME_IN_FORCE_GTC,
    priceTicks: 6_000_000,
    qtyLots: 1,
  };
  const body = newOrderBody(order);
  const masks = Uint8Array.from([1, 2, 3, 4, 0xff, 0x00, 0xa5, 0x5a, 0, 0, 0, 0]);
  const frame = Buffer.alloc(256);
  for (let conn = 0; conn < 3; conn++) {
    for (const id of [1000, 1001, 16_383, 16_384, 2 ** 31 - 1]) {
      const len = writeOrderFrame(frame, id, body, masks, conn);
      t.same([...frame.subarray(2, 6)], [...masks.subarray(conn * 4, conn * 4 + 4)], 'its key');
      const f = unmask(frame, len);
      t.equal(f.fin, true);
      t.equal(f.opcode, 2, 'binary');
      const m = v1.ClientMessage.decode(f.payload);
      t.equal(m.requestId, id);
      t.same((m.newOrder as exchange.v1.NewOrder).toJSON(), v1.NewOrder.create(order).toJSON());
    }
  }
});

t.test('an order too long for a 7-bit length is refused, not mis-framed', async (t) => {
  const big = Buffer.alloc(200, 1);
  t.throws(() => writeOrderFrame(Buffer.alloc(512), 1, big, new Uint8Array(4), 0), /longer header/);
});

t.test('shared slots start empty: no request in flight anywhere', async (t) => {
  const s = newSharedSlots(2);
  const starts = new Float64Array(s.starts);
  t.equal(starts.length, 2 * SLOTS);
  t.equal(starts.filter((x) => !Number.isNaN(x)).length, 0, 'every slot NaN (not in flight)');
  t.equal(
    new Int32Array(s.sent).reduce((a, b) => a + b, 0),
    0,
  );
});
