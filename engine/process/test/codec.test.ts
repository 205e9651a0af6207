// The hand-written encoders agree with the generated protobuf code, and the
// command codec keeps unsafe numbers and unknown bodies away from the engine.
import t from 'tap';
import { exchange } from '../../../proto/gen/exchange';
import { EVENT_FIELDS, Event, type EventKind } from '../../event';
import { CommandKind } from '../../types';
import {
  commandFromProto,
  decodeCommand,
  REJECT_MALFORMED_MESSAGE,
  REJECT_NUMBER_OUT_OF_RANGE,
  REJECT_UNSUPPORTED_MESSAGE,
} from '../command-codec';
import { protoEventToPlain, writeEventBody } from '../event-codec';
import { ProtoScanner, scanLinkRequest } from '../proto-reader';
import { ProtoWriter } from '../proto-writer';

t.test('ProtoWriter varints, zigzag and nested lengths decode with protobufjs', async (t) => {
  const values = [0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 32, 2 ** 35 + 7, Number.MAX_SAFE_INTEGER];
  for (const v of values) {
    const w = new ProtoWriter(8);
    w.uint(3, v); // Event.order_id (uint64)
    w.sint(15, v); // taker_fee_atoms (sint64)
    w.sint(16, -v); // maker_fee_atoms
    const ev = exchange.v1.Event.decode(w.copy());
    t.equal(ev.orderId, v, `uint64 ${v}`);
    t.equal(ev.takerFeeAtoms, v, `sint64 ${v}`);
    t.equal(ev.makerFeeAtoms, -v || 0, `sint64 -${v}`);
  }
  // A nested message longer than 127 bytes shifts its content for a 2-byte length.
  const w = new ProtoWriter(4);
  const m = w.beginLen(3); // EventBatch.events
  w.string(33, 'x'.repeat(300));
  w.endLen(m);
  w.uint(1, 9);
  const batch = exchange.v1.EventBatch.decode(w.copy());
  t.equal(batch.events[0]!.clientOrderId?.length, 300);
  t.equal(batch.firstSeq, 9);
});

t.test('every event kind encodes exactly its EVENT_FIELDS', async (t) => {
  for (const k of Object.keys(EVENT_FIELDS)) {
    const kind = Number(k) as EventKind;
    const ev = new Event();
    // Stale values in every field: only the kind's fields may be written.
    for (const f of Object.keys(ev) as (keyof Event)[]) {
      if (f === 'clientOrderId') (ev as unknown as Record<string, unknown>)[f] = 'stale';
      else (ev as unknown as Record<string, unknown>)[f] = 777;
    }
    ev.kind = kind;
    ev.seq = 42;
    let i = 1;
    for (const f of EVENT_FIELDS[kind]) {
      if (f === 'clientOrderId') ev.clientOrderId = 'coid-1';
      else if (f === 'makerFeeAtoms' || f === 'makerFeeBps')
        (ev as unknown as Record<string, number>)[f] = -i++;
      else (ev as unknown as Record<string, number>)[f] = i++;
    }
    const w = new ProtoWriter(16);
    writeEventBody(w, ev);
    const decoded = exchange.v1.Event.decode(w.copy());
    const plain = protoEventToPlain(decoded as unknown as { kind: number; seq: number });
    const want: Record<string, number | string> = { kind, seq: 42 };
    for (const f of EVENT_FIELDS[kind]) want[f] = ev[f] as number | string;
    t.same(plain, want, `kind ${kind}`);
    // Nothing else on the wire.
    const all = exchange.v1.Event.toObject(decoded, { defaults: false }) as Record<string, unknown>;
    t.equal(
      Object.keys(all).length,
      EVENT_FIELDS[kind].length + 2,
      `kind ${kind} writes only its fields`,
    );
  }
});

t.test(
  'commandFromProto: unsafe 64-bit values and unknown bodies never reach the engine',
  async (t) => {
    const huge = Number.MAX_SAFE_INTEGER + 2;
    t.equal(
      commandFromProto({ placeOrder: { accountId: 1, marketId: 1, priceTicks: huge, qtyLots: 1 } }),
      REJECT_NUMBER_OUT_OF_RANGE,
    );
    t.equal(
      commandFromProto({ cancelOrder: { accountId: 1, orderId: huge } }),
      REJECT_NUMBER_OUT_OF_RANGE,
    );
    t.equal(
      commandFromProto({ batchPlace: { orders: [{ qtyLots: 1 }, { quoteBudgetAtoms: huge }] } }),
      REJECT_NUMBER_OUT_OF_RANGE,
    );
    t.equal(
      commandFromProto({ deposit: { accountId: 1, assetId: 1, amountAtoms: 2 ** 60, refId: 1 } }),
      REJECT_NUMBER_OUT_OF_RANGE,
    );
    t.equal(commandFromProto({}), REJECT_UNSUPPORTED_MESSAGE);
    const decodedHuge = exchange.v1.Command.decode(
      exchange.v1.Command.encode({ withdrawFinalize: { refId: 1 } }).finish(),
    );
    t.same(commandFromProto(decodedHuge), { kind: CommandKind.WITHDRAW_FINALIZE, refId: 1 });
    const place = commandFromProto(
      exchange.v1.Command.decode(
        exchange.v1.Command.encode({
          placeOrder: {
            accountId: 3,
            marketId: 2,
            side: 1,
            orderType: 1,
            timeInForce: 1,
            priceTicks: 5,
            qtyLots: 7,
            clientOrderId: 'a',
          },
        }).finish(),
      ),
    );
    t.same(place, {
      kind: CommandKind.PLACE_ORDER,
      accountId: 3,
      marketId: 2,
      side: 1,
      orderType: 1,
      timeInForce: 1,
      priceTicks: 5,
      qtyLots: 7,
      quoteBudgetAtoms: 0,
      postOnly: false,
      stpMode: 0,
      clientOrderId: 'a',
    });
  },
);

t.test('scanLinkRequest finds exactly one body', async (t) => {
  const cmd = exchange.v1.Command.encode({ addAsset: { assetId: 9 } }).finish();
  const req = exchange.v1.LinkRequest.encode({
    correlationId: 5,
    command: { addAsset: { assetId: 9 } },
  }).finish();
  const r = scanLinkRequest(req)!;
  t.same([r.correlationId, r.body], [5, 3]);
  t.same(Buffer.from(req.subarray(r.start, r.end)), Buffer.from(cmd));
  const two = Buffer.concat([
    req,
    exchange.v1.LinkRequest.encode({ ping: { timeUs: 1 } }).finish(),
  ]);
  t.equal(scanLinkRequest(two), undefined, 'a command and a ping in one frame');
  t.equal(scanLinkRequest(Buffer.from([0x1a, 0x05, 0x01])), undefined, 'truncated');
  t.equal(
    scanLinkRequest(exchange.v1.LinkRequest.encode({ correlationId: 2 ** 60 }).finish())
      ?.correlationId,
    -1,
  );
  const s = new ProtoScanner(
    Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
  );
  s.next();
  t.throws(() => s.uint(), /2\^53/);
});

t.test('decodeCommand reads every command as the generated decoder does', async (t) => {
  const samples: exchange.v1.ICommand[] = [
    {
      placeOrder: {
        accountId: 4_000_000_000,
        marketId: 2,
        side: 2,
        orderType: 2,
        timeInForce: 3,
        priceTicks: 0,
        qtyLots: 0,
        quoteBudgetAtoms: 2 ** 52,
        postOnly: true,
        stpMode: 5,
        clientOrderId: 'abc-_9',
      },
    },
    { placeOrder: { accountId: 1, side: -1 as exchange.v1.Side, clientOrderId: 'é unicode' } },
    { placeOrder: {} },
    { cancelOrder: { accountId: 7, orderId: Number.MAX_SAFE_INTEGER, clientOrderId: 'x' } },
    { cancelAll: { accountId: 7, marketId: 3, reason: 7 } },
    { amendOrder: { accountId: 7, orderId: 9, newPriceTicks: 5, newQtyLots: 6 } },
    {
      batchPlace: {
        orders: [
          { accountId: 1, qtyLots: 2 },
          { accountId: 3, clientOrderId: 'q' },
        ],
      },
    },
    { batchCancel: { cancels: [{ accountId: 1, orderId: 2 }] } },
    { deposit: { accountId: 1, assetId: 2, amountAtoms: 3, refId: 4 } },
    { withdrawLock: { accountId: 1, assetId: 2, amountAtoms: 3, refId: 4 } },
    { withdrawFinalize: { refId: 4 } },
    { withdrawRelease: { refId: 4 } },
    { setFees: { accountId: 1, makerFeeBps: -5, takerFeeBps: 10 } },
    { addAsset: { assetId: 3 } },
    { addAccount: { accountId: 3, makerFeeBps: -1, takerFeeBps: 2 } },
    {
      addMarket: {
        marketId: 1,
        baseAssetId: 1,
        quoteAssetId: 2,
        baseAtomsPerLot: 10,
        quoteAtomsPerTickLot: 1,
        minQtyLots: 1,
        maxQtyLots: 9,
        maxPriceTicks: 99,
        minNotionalAtoms: 0,
        priceBandBps: 5,
        allowSelfTrade: true,
        status: 1,
      },
    },
    { setMarketStatus: { marketId: 1, status: 2 } },
  ];
  for (const c of samples) {
    const bytes = exchange.v1.Command.encode(c).finish();
    t.same(
      decodeCommand(bytes, 0, bytes.length),
      commandFromProto(exchange.v1.Command.decode(bytes)),
      JSON.stringify(c),
    );
  }
  const huge = exchange.v1.Command.encode({
    cancelOrder: { accountId: 1, orderId: 2 ** 60 },
  }).finish();
  t.equal(decodeCommand(huge, 0, huge.length), REJECT_NUMBER_OUT_OF_RANGE);
  const two = Buffer.concat([
    exchange.v1.Command.encode({ addAsset: { assetId: 1 } }).finish(),
    exchange.v1.Command.encode({ addAsset: { assetId: 2 } }).finish(),
  ]);
  t.equal(decodeCommand(two, 0, two.length), REJECT_MALFORMED_MESSAGE, 'two bodies');
  t.equal(decodeCommand(Buffer.alloc(0), 0, 0), REJECT_UNSUPPORTED_MESSAGE, 'no body');
  t.equal(
    decodeCommand(Buffer.from([0x0a, 0x09, 0x08]), 0, 3),
    REJECT_MALFORMED_MESSAGE,
    'truncated',
  );
});

t.test('the event log encoder writes the same bytes as writeEventBody, every kind', async (t) => {
  const { generateStream, feeAccountIdForSeed } = await import('../../testing/command-generator');
  const { Engine } = await import('../../engine');
  const { writeLogEventBody } = await import('../event-codec');
  let events = 0;
  let differ = 0;
  const kinds = new Set<number>();
  for (const seed of [1, 2, 3]) {
    const e = new Engine({ feeAccountId: feeAccountIdForSeed(seed) });
    for (const cmd of generateStream(seed, 3_000, (fee) => new Engine({ feeAccountId: fee }))) {
      e.submit(cmd, 1_000_000 + events);
      for (let i = 0; i < e.events.count; i++) {
        // The generator also sends ids no protobuf could carry (negative):
        // both encoders must refuse those alike.
        const encode = (write: (w: ProtoWriter) => void): Buffer | string => {
          const w = new ProtoWriter(64);
          try {
            write(w);
          } catch (err) {
            return (err as Error).message;
          }
          return w.copy();
        };
        const a = encode((w) => writeEventBody(w, e.events.at(i)));
        const b = encode((w) => writeLogEventBody(w, e.events, i));
        if (typeof a === 'string' ? a !== b : typeof b === 'string' || !a.equals(b)) differ++;
        kinds.add(e.events.at(i).kind);
        events++;
      }
      e.events.clear();
    }
  }
  t.equal(differ, 0, `${events} events, ${kinds.size} kinds: identical bytes`);
  t.ok(kinds.size >= 12, 'most kinds were seen');
});
