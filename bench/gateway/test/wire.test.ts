import t from 'tap';
import { exchange } from '../../../proto';
import {
  newOrderBody,
  newOrderMessageLength,
  type Scan,
  scanServerMessage,
  writeNewOrderMessage,
} from '../wire';

const v1 = exchange.v1;

t.test('hand-written ClientMessage{new_order} decodes with the generated code', async (t) => {
  const order = {
    marketId: 1,
    side: v1.Side.SIDE_SELL,
    orderType: 1,
    timeInForce: 1,
    priceTicks: 6_000_000,
    qtyLots: 3,
  };
  const body = newOrderBody(order);
  for (const id of [1, 127, 128, 16_383, 16_384, 2 ** 40 + 7]) {
    const len = newOrderMessageLength(id, body.length);
    const buf = Buffer.alloc(len + 10);
    t.equal(writeNewOrderMessage(buf, 5, id, body), 5 + len);
    const m = v1.ClientMessage.decode(buf.subarray(5, 5 + len));
    t.equal(m.requestId, id);
    t.same((m.newOrder as exchange.v1.NewOrder).toJSON(), v1.NewOrder.create(order).toJSON());
  }
});

t.test('scanServerMessage finds request id, body, reason and gateway stamps', async (t) => {
  const scan: Scan = { requestId: 0, body: 0, reason: 0, recvUs: 0, sendUs: 0 };
  const enc = (m: exchange.v1.IServerMessage) => v1.ServerMessage.encode(m).finish();
  scanServerMessage(
    enc({
      requestId: 123_456_789,
      recvTimeUs: 1_700_000_000_000_000,
      sendTimeUs: 1_700_000_000_000_250,
      rateLimit: { ordersUsed: 3, ordersLimit: 100 },
      orderResponse: {
        acks: [
          { orderId: 9, rejectReason: v1.RejectReason.REJECT_REASON_INSUFFICIENT_FUNDS },
          { orderId: 10 },
        ],
        engineSeq: 77,
      },
    }),
    scan,
  );
  t.same(scan, {
    requestId: 123_456_789,
    body: 12,
    reason: 11,
    recvUs: 1_700_000_000_000_000,
    sendUs: 1_700_000_000_000_250,
  });
  scanServerMessage(
    enc({ requestId: 5, orderResponse: { acks: [{ orderId: 1, status: 1 }] } }),
    scan,
  );
  t.same([scan.requestId, scan.body, scan.reason], [5, 12, 0]);
  scanServerMessage(
    enc({
      requestId: 6,
      reject: { reason: v1.RejectReason.REJECT_REASON_RATE_LIMITED, message: 'x' },
    }),
    scan,
  );
  t.same([scan.requestId, scan.body, scan.reason], [6, 11, 110]);
  scanServerMessage(enc({ executionReport: { reportSeq: 4096, orderId: 3 } }), scan);
  t.same([scan.requestId, scan.body], [0, 13]);
  scanServerMessage(Buffer.from([0xff, 0xff]), scan); // garbage: no throw
  t.pass('garbage scanned without throwing');
});
