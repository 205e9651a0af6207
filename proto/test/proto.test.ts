import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import protobuf from 'protobufjs';
import t from 'tap';
import { EVENT_FIELDS } from '../../engine/event';
import { REJECT_REASON_NAMES } from '../../engine/reject-reason';
import { DecodeErrorCode, type Decoder, decodeSafe, exchange, isSafeUint } from '../index';

const root = resolve(__dirname, '..', '..');
const protoDir = join(root, 'proto', 'exchange', 'v1');

// Reflection over the .proto sources (the full protobufjs build) tells the
// test which messages and fields exist; the static generated code does the
// encoding and decoding under test.
const reflected = new protobuf.Root();
reflected.resolvePath = (_origin, target) =>
  target.startsWith('/') ? target : join(root, 'proto', target);
reflected.loadSync(
  ['common', 'engine', 'client', 'link', 'journal'].map((f) => join(protoDir, `${f}.proto`)),
);
reflected.resolveAll();
const ns = reflected.lookup('exchange.v1') as protobuf.Namespace;
const messageTypes = ns.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
const enums = ns.nestedArray.filter((n): n is protobuf.Enum => n instanceof protobuf.Enum);

type Static = {
  encode(m: unknown): { finish(): Uint8Array };
  decode(b: Uint8Array): unknown;
  toObject(m: unknown, o?: protobuf.IConversionOptions): Record<string, unknown>;
  fromObject(o: unknown): unknown;
};
const gen = exchange.v1 as unknown as Record<string, Static>;

function sample(type: protobuf.Type, depth: number, seed: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const oneofChosen = new Set<string>();
  for (const field of type.fieldsArray) {
    if (field.partOf !== null) {
      // Set one member of each oneof, rotating with the seed.
      const members = field.partOf.fieldsArray;
      if (oneofChosen.has(field.partOf.name)) continue;
      if (members[seed % members.length] !== field) continue;
      oneofChosen.add(field.partOf.name);
    }
    const v = value(field, depth, seed);
    if (v !== undefined) out[field.name] = field.repeated ? [v, v] : v;
  }
  return out;
}

function value(field: protobuf.Field, depth: number, seed: number): unknown {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Enum) {
    const values = Object.values(rt.values);
    return values[(seed + 1) % values.length];
  }
  if (rt instanceof protobuf.Type) return depth > 3 ? undefined : sample(rt, depth + 1, seed + 1);
  switch (field.type) {
    case 'string':
      return `s-${seed}-é`;
    case 'bytes':
      return Buffer.from([1, 2, 3, seed & 255]);
    case 'bool':
      return true;
    case 'uint64':
    case 'fixed64':
      return Number.MAX_SAFE_INTEGER - seed; // largest value the protocol allows
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return -(Number.MAX_SAFE_INTEGER - seed);
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return -2147483648 + seed;
    case 'uint32':
    case 'fixed32':
      return 4294967295 - seed;
    case 'double':
    case 'float':
      return 0.5;
    default:
      throw new Error(`no sample for ${field.type}`);
  }
}

t.test('every message round-trips through the generated code', async (t) => {
  t.ok(messageTypes.length >= 60, `found ${messageTypes.length} message types`);
  for (const type of messageTypes) {
    const cls = gen[type.name];
    t.ok(cls, `generated class for ${type.name}`);
    if (!cls) continue;
    for (const seed of [0, 1, 2, 3, 4]) {
      const obj = sample(type, 0, seed);
      const msg = cls.fromObject(obj);
      const bytes = cls.encode(msg).finish();
      const back = cls.toObject(cls.decode(bytes), {
        enums: Number,
        bytes: Array,
        defaults: false,
      });
      const want = cls.toObject(msg, { enums: Number, bytes: Array, defaults: false });
      t.same(back, want, `${type.name} seed ${seed}`);
    }
  }
});

t.test('64-bit fields decode to plain numbers, not Long', async (t) => {
  const ev = exchange.v1.Event.decode(
    exchange.v1.Event.encode({ orderId: Number.MAX_SAFE_INTEGER, makerFeeAtoms: -123 }).finish(),
  );
  t.equal(typeof ev.orderId, 'number');
  t.equal(ev.orderId, Number.MAX_SAFE_INTEGER);
  t.equal(ev.makerFeeAtoms, -123);
  t.ok(isSafeUint(ev.orderId));
  // 2^64-1 on the wire decodes to a number past 2^53: consumers must refuse it.
  const huge = Buffer.from([0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  const decoded = exchange.v1.Event.decode(huge);
  t.equal(typeof decoded.orderId, 'number');
  t.notOk(isSafeUint(decoded.orderId), 'a value past 2^53-1 is flagged');
});

t.test(
  'truncated, oversized and random bytes give a decode error value, never a throw',
  async (t) => {
    const full = exchange.v1.ClientMessage.encode({
      requestId: 42,
      newOrderBatch: {
        orders: [
          { marketId: 1, side: 1, orderType: 1, priceTicks: 100, qtyLots: 5, clientOrderId: 'abc' },
        ],
      },
    }).finish();
    let errors = 0;
    for (let cut = 0; cut < full.length; cut++) {
      const r = decodeSafe(exchange.v1.ClientMessage, full.subarray(0, cut), 1 << 16);
      if (!r.ok) {
        errors++;
        t.equal(r.code, DecodeErrorCode.MALFORMED);
      }
    }
    t.ok(errors > 0, `truncations rejected: ${errors}/${full.length}`);
    const big = decodeSafe(exchange.v1.ClientMessage, new Uint8Array(70_000), 65_536);
    t.equal(big.ok, false);
    if (!big.ok) t.equal(big.code, DecodeErrorCode.TOO_LARGE);

    // Random and mutated inputs: every call returns (a value or an error).
    let state = 0x9e3779b9;
    const rnd = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296;
    };
    const types: Decoder<unknown>[] = [
      exchange.v1.ClientMessage,
      exchange.v1.ServerMessage,
      exchange.v1.LinkRequest,
      exchange.v1.LinkMessage,
      exchange.v1.JournalEntry,
    ];
    let ok = 0;
    let bad = 0;
    for (let i = 0; i < 20_000; i++) {
      let bytes: Uint8Array;
      if (i % 2 === 0) {
        bytes = new Uint8Array(Math.floor(rnd() * 64));
        for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rnd() * 256);
      } else {
        bytes = Uint8Array.from(full);
        for (let k = 0; k < 3; k++)
          bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      }
      const r = decodeSafe(types[i % types.length]!, bytes, 1 << 16);
      if (r.ok) ok++;
      else bad++;
    }
    t.equal(ok + bad, 20_000, `random inputs: ${ok} decoded, ${bad} rejected`);
    t.ok(bad > 0);
  },
);

t.test('enums start at UNKNOWN = 0 and agree with the engine', async (t) => {
  for (const e of enums) {
    const zero = Object.entries(e.values).find(([, v]) => v === 0);
    t.ok(zero?.[0].endsWith('_UNKNOWN'), `${e.name} has <NAME>_UNKNOWN = 0`);
  }
  const reject = reflected.lookupEnum('exchange.v1.RejectReason');
  for (const [num, name] of Object.entries(REJECT_REASON_NAMES)) {
    if (Number(num) === 0) continue;
    t.equal(
      reject.values[`REJECT_REASON_${name.toUpperCase()}`],
      Number(num),
      `RejectReason ${name}`,
    );
  }
  const kinds = reflected.lookupEnum('exchange.v1.EventKind');
  const protoEvent = reflected.lookupType('exchange.v1.Event');
  for (const kind of Object.keys(EVENT_FIELDS)) {
    t.ok(Object.values(kinds.values).includes(Number(kind)), `EventKind ${kind} in proto`);
    for (const f of EVENT_FIELDS[Number(kind) as keyof typeof EVENT_FIELDS]) {
      // Event.reason is a reject reason or a cancel reason depending on kind.
      const names = f === 'reason' ? ['rejectReason', 'cancelReason'] : [f];
      for (const n of names) t.ok(protoEvent.fields[n], `Event.${n} in proto`);
    }
  }
});

t.test('the committed generated code is what the .proto files generate', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'proto-gen-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync(process.execPath, [join(root, 'scripts', 'build-proto.mjs'), '--out', dir], {
    stdio: 'pipe',
  });
  for (const f of ['exchange.js', 'exchange.d.ts']) {
    const fresh = readFileSync(join(dir, f), 'utf8');
    const committed = readFileSync(join(root, 'proto', 'gen', f), 'utf8');
    t.ok(fresh === committed, `proto/gen/${f} is up to date (run npm run build and commit)`);
  }
});
