// gateway/link-decoder.ts against protobufjs: decodeLinkMessage(frame) must
// return what v1.LinkMessage.decode(frame) returns (same classes, own fields
// in the same order, oneof, toJSON) and throw whenever it throws, for Buffer
// frames (what the link hands over), plain Uint8Arrays and views into a
// larger buffer. Randomized with fixed seeds (LINK_DECODER_SEED=n picks
// another); every failure names its seed and case.
import { join, resolve } from 'node:path';
import protobuf from 'protobufjs';
import t, { type Test } from 'tap';
import { Rng } from '../../engine/testing/command-generator';
import { exchange } from '../../proto';
import { decodeLinkMessage } from '../link-decoder';

const v1 = exchange.v1;
type LinkMessage = exchange.v1.LinkMessage;

const SEED = Number(process.env.LINK_DECODER_SEED ?? 20_241_125) >>> 0;

// protobufjs's own decode is the reference; decodeLinkMessage's calls to it
// (its fallback for other bodies and malformed frames) are counted.
const originalDecode = v1.LinkMessage.decode;
const reference = (frame: Uint8Array): LinkMessage => originalDecode.call(v1.LinkMessage, frame);
let fallbacks = 0;
v1.LinkMessage.decode = function countingDecode(this: unknown, frame, length) {
  fallbacks++;
  return originalDecode.call(this, frame, length);
} as typeof v1.LinkMessage.decode;
t.teardown(() => {
  v1.LinkMessage.decode = originalDecode;
});

// The schema, by reflection: the generators cover every field the .proto
// files declare, so a field added to Event without a decoder case fails here.
const root = resolve(__dirname, '..', '..');
const reflected = new protobuf.Root();
reflected.resolvePath = (_origin, target) =>
  target.startsWith('/') ? target : join(root, 'proto', target);
reflected.loadSync(join(root, 'proto', 'exchange', 'v1', 'link.proto'));
reflected.resolveAll();
const EventType = reflected.lookupType('exchange.v1.Event');
const CommandResultType = reflected.lookupType('exchange.v1.CommandResult');
const EventBatchType = reflected.lookupType('exchange.v1.EventBatch');
const LinkMessageType = reflected.lookupType('exchange.v1.LinkMessage');

/** A seeded PRNG (the project's Rng) so a failure can be reproduced from its seed. */
function prng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.float();
}
type Rnd = () => number;
const int = (rnd: Rnd, n: number): number => Math.floor(rnd() * n);
const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[int(rnd, xs.length)]!;
const u32 = (rnd: Rnd): number => int(rnd, 4294967296);

// --- comparison ---------------------------------------------------------

const CLASS_NAMES = new Map<unknown, string>([
  [v1.LinkMessage.prototype, 'LinkMessage'],
  [v1.CommandResult.prototype, 'CommandResult'],
  [v1.EventBatch.prototype, 'EventBatch'],
  [v1.Event.prototype, 'Event'],
  [v1.OrderStatusResult.prototype, 'OrderStatusResult'],
  [v1.LinkPong.prototype, 'LinkPong'],
  [v1.LinkHelloAck.prototype, 'LinkHelloAck'],
  [v1.LinkReject.prototype, 'LinkReject'],
  [v1.LinkShutdown.prototype, 'LinkShutdown'],
  [v1.DeadManSwitchResult.prototype, 'DeadManSwitchResult'],
  [Array.prototype, 'Array'],
]);

/** Class, own keys in order and values (-0 and types told apart), recursively. */
function shape(x: unknown): string {
  if (typeof x === 'number') return Object.is(x, -0) ? '-0' : `${x}`;
  if (typeof x === 'string') return JSON.stringify(x);
  if (x === null || typeof x !== 'object') return `${typeof x}:${String(x)}`;
  const cls = CLASS_NAMES.get(Object.getPrototypeOf(x)) ?? 'unexpected class';
  const o = x as Record<string, unknown>;
  return `${cls}{${Object.keys(o)
    .map((k) => `${k}:${shape(o[k])}`)
    .join(',')}}`;
}

function describe(m: LinkMessage): string {
  return `${shape(m)} body=${m.body} json=${JSON.stringify(m.toJSON())}`;
}

function outcome(decode: (frame: Uint8Array) => LinkMessage, frame: Uint8Array): string {
  try {
    return describe(decode(frame));
  } catch (err) {
    return err instanceof Error ? 'throws' : 'throws a non-Error';
  }
}

/** The frame as a Buffer, a plain Uint8Array, and a view into a larger buffer. */
function forms(bytes: ArrayLike<number>): [string, Uint8Array][] {
  const view = Buffer.alloc(bytes.length + 19, 0xff);
  view.set(bytes as ArrayLike<number>, 3);
  return [
    ['Buffer', Buffer.from(bytes as ArrayLike<number>)],
    ['Uint8Array', Uint8Array.from(bytes as ArrayLike<number>)],
    ['view', view.subarray(3, 3 + bytes.length)],
  ];
}

const hex = (b: ArrayLike<number>): string => Buffer.from(b as ArrayLike<number>).toString('hex');

// --- wire-level writer ----------------------------------------------------

class Wire {
  readonly out: number[] = [];

  /** The 64-bit value hi:lo as a varint, padded with redundant bytes to minBytes. */
  varint64(lo: number, hi: number, minBytes = 0): this {
    let v = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    let n = 1;
    while (v >= 128n || n < minBytes) {
      this.out.push(Number(v & 127n) | 128);
      v >>= 7n;
      n++;
    }
    this.out.push(Number(v));
    return this;
  }

  uint(n: number): this {
    return this.varint64(n >>> 0, Math.floor(n / 4294967296));
  }

  tag(field: number, wireType: number): this {
    return this.uint(field * 8 + wireType);
  }

  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.out.push(bytes[i]!);
    return this;
  }

  ld(field: number, payload: ArrayLike<number>): this {
    return this.tag(field, 2).uint(payload.length).raw(payload);
  }
}

const w = (): Wire => new Wire();

/** protobufjs's own UTF-8 encoder (it writes lone surrogates as 3 bytes, as Buffer does not). */
function utf8(s: string): Uint8Array {
  const out = new Uint8Array(protobuf.util.utf8.length(s));
  protobuf.util.utf8.write(s, out, 0);
  return out;
}

// --- random values ----------------------------------------------------------

const STRINGS = [
  '',
  'a',
  'cli-000001',
  'c0ffee00-1234-4abc-8def-0123456789ab',
  'é',
  'naïve-ö',
  '日本語',
  '😀 ok',
  'x'.repeat(300),
  '\u0000',
  '\ud800 lone',
  'tail\udfff',
];

function randomString(rnd: Rnd): string {
  if (rnd() < 0.5) return pick(rnd, STRINGS);
  let s = '';
  const n = int(rnd, 40);
  for (let i = 0; i < n; i++) s += String.fromCharCode(32 + int(rnd, 95));
  return s;
}

function randomStringBytes(rnd: Rnd): Uint8Array {
  if (rnd() < 0.15) {
    // Not UTF-8 at all: Buffer and protobufjs's utf8.read replace differently.
    const b = new Uint8Array(int(rnd, 12));
    for (let i = 0; i < b.length; i++) b[i] = rnd() < 0.6 ? 128 + int(rnd, 128) : int(rnd, 128);
    return b;
  }
  return utf8(randomString(rnd));
}

const U64_NUMBERS = [
  0,
  1,
  127,
  128,
  16_383,
  16_384,
  2 ** 28 - 1,
  2 ** 28,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 35 + 3,
  1_732_000_000_000_000,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 60 + 2 ** 40,
  2 ** 63,
  2 ** 64 - 2048,
  -1,
];

function u64Number(rnd: Rnd): number {
  return rnd() < 0.5 ? pick(rnd, U64_NUMBERS) : Math.floor(rnd() * 2 ** int(rnd, 65));
}

function s64Number(rnd: Rnd): number {
  if (rnd() < 0.1) return -(2 ** 63);
  const v = Math.min(u64Number(rnd), 2 ** 63 - 1024);
  return rnd() < 0.5 ? -v : v;
}

const I32_NUMBERS = [0, 1, 2, 3, 8, 9, 20, 99, -1, -2, -(2 ** 31), 2 ** 31 - 1];
const U32_NUMBERS = [0, 1, 127, 128, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];

/** Halves of a 64-bit pattern: small, boundaries, around 2^53, negative, anything. */
function random64(rnd: Rnd): [number, number] {
  const r = rnd();
  if (r < 0.3) return [int(rnd, 300), 0];
  if (r < 0.45)
    return pick(rnd, [
      [0x7fffffff, 0],
      [0x80000000, 0],
      [0xffffffff, 0],
      [0, 1],
      [1, 1],
      [0xffffffff, 0x1fffff],
      [0, 0x200000],
      [1, 0x200000],
      [3, 0x200000],
      [0xffffffff, 0xffffffff],
      [0xfffffffe, 0xffffffff],
      [0, 0x80000000],
      [1, 0x80000000],
      [0xffffffff, 0x7fffffff],
    ] as [number, number][]);
  if (r < 0.6) return [u32(rnd), int(rnd, 1 << 21)];
  if (r < 0.75) return [u32(rnd), 0];
  if (r < 0.85) return [u32(rnd), 0xffffffff];
  return [u32(rnd), u32(rnd)];
}

/** A varint value as the encoder of this field type would write it (and now and then not). */
function varintFor(field: protobuf.Field, rnd: Rnd): [number, number] {
  const type = field.resolvedType instanceof protobuf.Enum ? 'int32' : field.type;
  if (rnd() < 0.1 || type.endsWith('64')) return random64(rnd);
  const v = pick(rnd, type === 'uint32' ? U32_NUMBERS : I32_NUMBERS);
  if (type === 'sint32') return [((v << 1) ^ (v >> 31)) >>> 0, 0];
  if (type === 'bool') return [v === 0 ? 0 : 1, 0];
  // int32/enum: negatives sign-extended to ten bytes, as protobufjs writes them.
  return [v >>> 0, v < 0 ? 0xffffffff : 0];
}

const VARINT_TYPES = new Set(['uint64', 'int64', 'sint64', 'uint32', 'int32', 'sint32', 'bool']);

function isVarintField(field: protobuf.Field): boolean {
  return field.resolvedType instanceof protobuf.Enum || VARINT_TYPES.has(field.type);
}

function writeVarint(out: Wire, field: protobuf.Field, rnd: Rnd): void {
  const [lo, hi] = varintFor(field, rnd);
  // Now and then padded with redundant bytes (up to the 10 a varint may have).
  out.varint64(lo, hi, rnd() < 0.05 ? 1 + int(rnd, 10) : 0);
}

/** Field numbers no message here uses (0 included: protobufjs skips it too). */
const UNKNOWN_FIELDS = [0, 36, 99, 100, 150, 199, 1000, 536_870_911];

function unknownField(rnd: Rnd, depth = 0): number[] {
  const out = w();
  const field = pick(rnd, UNKNOWN_FIELDS);
  switch (int(rnd, depth > 2 ? 3 : 5)) {
    case 0:
      out.tag(field, 0).varint64(...random64(rnd));
      break;
    case 1:
      out.tag(field, 5).raw([int(rnd, 256), 0x80, 0xff, 1]);
      break;
    case 2:
      out.ld(field, randomStringBytes(rnd));
      break;
    case 3:
      out.tag(field, 1).raw([0xff, 0x80, 0, 1, 2, 3, 0xfe, 0x7f]);
      break;
    default: {
      // A group, maybe nested; its end tag may carry any field number.
      out.tag(field, 3);
      for (let i = int(rnd, 3); i > 0; i--) out.raw(unknownField(rnd, depth + 1));
      out.tag(pick(rnd, [field, 7, 0]), 4);
    }
  }
  return out.out;
}

/** A message of `type` at the wire level: random fields, order, duplicates, unknown fields. */
function genMessage(type: protobuf.Type, rnd: Rnd): number[] {
  const density = rnd();
  const entries: number[][] = [];
  for (const field of type.fieldsArray) {
    const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    let count = rnd() < density ? 1 : 0;
    if (field.repeated) count = rnd() < 0.3 ? 0 : 1 + int(rnd, nested ? 10 : 5);
    if (field.repeated && isVarintField(field) && rnd() < 0.6) {
      const packed = w();
      for (let i = 0; i < count; i++) writeVarint(packed, field, rnd);
      entries.push(w().ld(field.id, packed.out).out);
      continue;
    }
    for (let i = 0; i < count; i++) {
      const out = w();
      if (nested) out.ld(field.id, genMessage(nested, rnd));
      else if (isVarintField(field)) writeVarint(out.tag(field.id, 0), field, rnd);
      else if (field.type === 'string' || field.type === 'bytes')
        out.ld(field.id, randomStringBytes(rnd));
      else throw new Error(`the generator does not know ${type.name}.${field.name}: ${field.type}`);
      entries.push(out.out);
    }
  }
  if (entries.length > 0 && rnd() < 0.1) entries.push(pick(rnd, entries)); // a field twice
  if (rnd() < 0.1) entries.push(unknownField(rnd));
  if (rnd() < 0.25) {
    for (let i = entries.length - 1; i > 0; i--) {
      const j = int(rnd, i + 1);
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
  }
  return entries.flat();
}

const OTHER_BODIES = LinkMessageType.fieldsArray.filter((f) => f.id !== 1 && f.id !== 3);

/** A LinkMessage frame at the wire level: mostly the hot bodies, sometimes anything else. */
function genFrame(rnd: Rnd): number[] {
  const r = rnd();
  if (r < 0.45) return w().ld(1, genMessage(CommandResultType, rnd)).out;
  if (r < 0.9) return w().ld(3, genMessage(EventBatchType, rnd)).out;
  const body = (): number[] => {
    const field = pick(rnd, OTHER_BODIES);
    return w().ld(field.id, genMessage(field.resolvedType as protobuf.Type, rnd)).out;
  };
  if (r < 0.95) return body();
  if (r < 0.97) return [...genFrame(rnd), ...genFrame(rnd)]; // two bodies
  if (r < 0.99) return [...genFrame(rnd), ...unknownField(rnd)];
  return [];
}

/** A LinkMessage as an object, for v1.LinkMessage.encode (canonical encodings). */
function genObject(rnd: Rnd): exchange.v1.ILinkMessage {
  const events = (): Record<string, unknown>[] =>
    Array.from({ length: rnd() < 0.2 ? 0 : rnd() < 0.02 ? 200 : 1 + int(rnd, 12) }, () =>
      genEventObject(rnd),
    );
  const some = (o: Record<string, unknown>): Record<string, unknown> => {
    for (const k of Object.keys(o)) if (rnd() < 0.3) delete o[k];
    return o;
  };
  if (rnd() < 0.5)
    return {
      result: some({
        correlationId: u64Number(rnd),
        seq: u64Number(rnd),
        rejectReason: pick(rnd, I32_NUMBERS),
        events: events(),
        engineTimeUs: u64Number(rnd),
      }),
    } as exchange.v1.ILinkMessage;
  return {
    events: some({
      firstSeq: u64Number(rnd),
      lastSeq: u64Number(rnd),
      events: events(),
      commandTimeUs: Array.from({ length: int(rnd, 5) }, () => u64Number(rnd)),
    }),
  } as exchange.v1.ILinkMessage;
}

function genEventObject(rnd: Rnd): Record<string, unknown> {
  const density = rnd();
  const e: Record<string, unknown> = {};
  for (const field of EventType.fieldsArray) {
    if (rnd() >= density) continue;
    const type = field.resolvedType instanceof protobuf.Enum ? 'int32' : field.type;
    switch (type) {
      case 'uint64':
        e[field.name] = u64Number(rnd);
        break;
      case 'sint64':
        e[field.name] = s64Number(rnd);
        break;
      case 'uint32':
        e[field.name] = rnd() < 0.5 ? pick(rnd, U32_NUMBERS) : u32(rnd);
        break;
      case 'int32':
      case 'sint32':
        e[field.name] = rnd() < 0.7 ? pick(rnd, I32_NUMBERS) : u32(rnd) | 0;
        break;
      case 'string':
        e[field.name] = randomString(rnd);
        break;
      default:
        throw new Error(`the generator does not know Event.${field.name}: ${field.type}`);
    }
  }
  return e;
}

// --- tests ------------------------------------------------------------------

/** Decodes with both; true when identical (else reports the difference). */
function same(t: Test, frame: Uint8Array, label: string): boolean {
  const mine = outcome(decodeLinkMessage, frame);
  const theirs = outcome(reference, frame);
  if (mine === theirs) return true;
  t.equal(mine, theirs, `${label}: ${hex(frame)}`);
  return false;
}

/** The first Event of a decoded CommandResult frame. */
const eventOf = (m: LinkMessage | undefined): exchange.v1.Event =>
  (m!.result as exchange.v1.CommandResult).events[0] as exchange.v1.Event;

/** One Event inside a CommandResult inside a LinkMessage. */
const inResult = (event: ArrayLike<number>): number[] => w().ld(1, w().ld(4, event).out).out;
const inBatch = (batch: ArrayLike<number>): number[] => w().ld(3, batch).out;

/** decodeLinkMessage(frame), or undefined if it throws. */
function attempt(frame: Uint8Array): LinkMessage | undefined {
  try {
    return decodeLinkMessage(frame);
  } catch {
    return undefined;
  }
}

/** Checks every form of the frame against protobufjs; returns the Buffer form's decode. */
function decodeBoth(t: Test, bytes: ArrayLike<number>, label: string): LinkMessage | undefined {
  let out: LinkMessage | undefined;
  for (const [form, frame] of forms(bytes)) {
    same(t, frame, `${label} (${form})`);
    if (form === 'Buffer') out = attempt(frame);
  }
  return out;
}

t.test('canonical encodings decode to identical objects without falling back', (t) => {
  const rnd = prng(SEED);
  const mine: LinkMessage[] = [];
  const theirs: LinkMessage[] = [];
  let failures = 0;
  fallbacks = 0;
  for (let i = 0; i < 3000 && failures < 5; i++) {
    const bytes = v1.LinkMessage.encode(genObject(rnd)).finish();
    for (const [form, frame] of forms(bytes)) {
      const a = decodeLinkMessage(frame);
      const b = reference(frame);
      const label = `seed ${SEED} case ${i} (${form})`;
      if (describe(a) !== describe(b)) {
        failures++;
        t.same(a, b, label);
        t.equal(describe(a), describe(b), `${label}: ${hex(frame)}`);
      }
      mine.push(a);
      theirs.push(b);
    }
  }
  t.equal(failures, 0, `seed ${SEED}: every frame decodes identically`);
  t.same(mine, theirs, `seed ${SEED}: t.same over all ${mine.length} decodes`);
  t.equal(fallbacks, 0, 'none fell back to protobufjs');
  // What the decoder promises beyond deep equality, spelled out once.
  const sample = mine.find((m) => (m.result?.events?.length ?? 0) > 0)!;
  t.equal(Object.getPrototypeOf(sample), v1.LinkMessage.prototype);
  t.equal(Object.getPrototypeOf(sample.result), v1.CommandResult.prototype);
  t.equal(Object.getPrototypeOf(eventOf(sample)), v1.Event.prototype);
  t.equal(sample.body, 'result');
  t.notOk(Object.hasOwn(sample, 'events'), 'no own property for an absent body');
  t.end();
});

t.test(
  'random wire-level frames (any order, duplicates, unknown fields) decode identically',
  (t) => {
    const rnd = prng(SEED + 1);
    let failures = 0;
    let hot = 0;
    for (let i = 0; i < 4000 && failures < 5; i++) {
      const bytes = genFrame(rnd);
      if (bytes[0] === 0x0a || bytes[0] === 0x1a) hot++;
      for (const [form, frame] of forms(bytes))
        if (!same(t, frame, `seed ${SEED + 1} case ${i} (${form})`)) failures++;
    }
    t.equal(failures, 0, `seed ${SEED + 1}: every frame decodes identically`);
    t.ok(hot > 3000, 'mostly result and events bodies');
    t.end();
  },
);

t.test('command_time_us packed, unpacked and mixed', (t) => {
  const times = [0, 1, 1_732_000_000_000_123, 2 ** 53 + 2];
  const packed = w();
  for (const v of times) packed.uint(v);
  const unpacked = w();
  for (const v of times) unpacked.tag(4, 0).uint(v);
  fallbacks = 0;
  const a = decodeBoth(t, inBatch(w().tag(1, 0).uint(5).ld(4, packed.out).out), 'packed');
  const b = decodeBoth(t, inBatch(w().tag(1, 0).uint(5).raw(unpacked.out).out), 'unpacked');
  t.same(a!.events!.commandTimeUs, times);
  t.same(b!.events!.commandTimeUs, times);
  const mixed = w().tag(4, 0).uint(7).ld(4, packed.out).tag(4, 0).uint(8).ld(4, []);
  const c = decodeBoth(t, inBatch(mixed.out), 'mixed');
  t.same(c!.events!.commandTimeUs, [7, ...times, 8]);
  t.equal(fallbacks, 0, 'handled without protobufjs');
  t.end();
});

t.test('unknown fields of every wire type are skipped', (t) => {
  const unknowns = [
    w().tag(200, 0).varint64(0xffffffff, 0xffffffff).out,
    w().tag(200, 1).raw([1, 2, 3, 4, 5, 6, 7, 8]).out,
    w().ld(200, [0xff, 0x80, 0]).out,
    w().tag(200, 3).tag(1, 0).uint(5).ld(2, [1]).tag(3, 3).tag(4, 4).tag(200, 4).out,
    w().tag(200, 5).raw([9, 9, 9, 9]).out,
    w().tag(0, 0).uint(1).out, // field number 0
  ];
  const event = w().tag(1, 0).uint(3).tag(2, 0).uint(42).out;
  fallbacks = 0;
  for (const [i, unknown] of unknowns.entries()) {
    const e = decodeBoth(t, inResult([...unknown, ...event, ...unknown]), `in Event, ${i}`);
    t.same(Object.keys(eventOf(e)), ['kind', 'seq'], `in Event, ${i}`);
    decodeBoth(t, w().ld(1, [...unknown, ...w().ld(4, event).out]).out, `in CommandResult, ${i}`);
    decodeBoth(
      t,
      inBatch([...unknown, ...w().ld(3, event).out, ...unknown]),
      `in EventBatch, ${i}`,
    );
  }
  t.equal(fallbacks, 0, 'handled without protobufjs');
  // Wire types 4 (a stray end group), 6 and 7 do not exist: both throw.
  for (const wireType of [4, 6, 7]) {
    const bytes = inResult(w().tag(200, wireType).uint(0).out);
    for (const [form, frame] of forms(bytes)) {
      t.throws(() => reference(frame), `protobufjs: wire type ${wireType} (${form})`);
      t.throws(() => decodeLinkMessage(frame), `wire type ${wireType} (${form})`);
    }
  }
  t.end();
});

t.test('nested groups: the same depth limit as reader.skipType', (t) => {
  const groups = (levels: number): number[] => {
    const out = w();
    for (let i = 0; i < levels; i++) out.tag(200, 3);
    out.tag(200, 0).uint(1); // a varint at the innermost level
    for (let i = 0; i < levels; i++) out.tag(200, 4);
    return out.out;
  };
  for (const [where, wrap] of [
    ['CommandResult', (b: number[]) => w().ld(1, b).out],
    ['Event', (b: number[]) => inResult(b)],
  ] as const) {
    let thrown = 0;
    let handled = 0;
    for (let levels = 95; levels <= 102; levels++) {
      const bytes = wrap(groups(levels));
      decodeBoth(t, bytes, `${levels} groups in ${where}`);
      if (outcome(reference, Buffer.from(bytes)) === 'throws') thrown++;
      else {
        // Up to the limit the groups are skipped here, not left to protobufjs.
        fallbacks = 0;
        decodeLinkMessage(Buffer.from(bytes));
        if (fallbacks === 0) handled++;
      }
    }
    t.ok(thrown > 0 && thrown < 8, `the limit lies within the levels tried in ${where}`);
    t.equal(handled, 8 - thrown, `every depth protobufjs accepts is handled (${where})`);
  }
  t.end();
});

t.test('reader quirks are reproduced, not fixed', (t) => {
  fallbacks = 0;
  // A 64-bit varint starting 4 bytes before its message's end ends after the
  // 4th byte even when that byte says "continue".
  const nearEnd = decodeBoth(t, inResult([0x10, 0x81, 0x82, 0x83, 0x84]), 'near-end uint64');
  t.equal(eventOf(nearEnd).seq, 1 + (2 << 7) + (3 << 14) + (4 << 21));
  // uint32 ignores bytes 6..10 of a varint, whatever they hold.
  const longU32 = [0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80, 0xff, 0xff, 0xff, 0x08, 0x07];
  t.equal(eventOf(decodeBoth(t, inResult(longU32), 'long uint32')).accountId, 2 ** 32 - 1);
  // ...even when the varint is shorter: a 7-byte (padded) kind swallows the
  // 3 bytes after it, here seq, and decoding goes on from field 4.
  const padded = [0x08, 0x83, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x10, 0x05, 0x18, 0x20, 0x09];
  const derailed = eventOf(decodeBoth(t, inResult(padded), 'padded uint32'));
  t.same([Object.keys(derailed), derailed.kind, derailed.accountId], [['kind', 'accountId'], 3, 9]);
  // The largest uint64 rounds as LongBits#toNumber rounds.
  const maxU64 = w().tag(7, 0).varint64(0xffffffff, 0xffffffff).out;
  t.equal(eventOf(decodeBoth(t, inResult(maxU64), 'max uint64')).priceTicks, 2 ** 64);
  const minS64 = w().tag(15, 0).varint64(0xffffffff, 0xffffffff).out; // zigzag: -2^63
  t.equal(eventOf(decodeBoth(t, inResult(minS64), 'min sint64')).takerFeeAtoms, -(2 ** 63));
  // Known fields are read by number, whatever their wire type says.
  const wrongWireType = [0x12, 0x05, 0x08, 0x03];
  t.equal(eventOf(decodeBoth(t, inResult(wrongWireType), 'wrong wire type')).seq, 5);
  // A field seen twice: the last value, the first one's key position.
  const twice = [0x10, 0x01, 0x08, 0x03, 0x10, 0x02];
  const e = eventOf(decodeBoth(t, inResult(twice), 'twice'));
  t.same([Object.keys(e), e.seq], [['seq', 'kind'], 2]);
  t.equal(fallbacks, 0, 'handled without protobufjs');
  // A 64-bit varint that would take a byte past the end fails.
  for (const [form, frame] of forms([...inResult([0x10, 0x81, 0x82, 0x83]), 0x00])) {
    t.throws(() => reference(frame), `protobufjs: uint64 past the end (${form})`);
    t.throws(() => decodeLinkMessage(frame), `uint64 past the end (${form})`);
  }
  t.end();
});

t.test('strings: Buffer and Uint8Array frames each decode as protobufjs decodes them', (t) => {
  const str = (bytes: number[]): number[] => inResult(w().ld(33, bytes).out);
  for (const s of STRINGS) decodeBoth(t, str([...utf8(s)]), JSON.stringify(s));
  for (const bad of [[0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80, 0x41]])
    decodeBoth(t, str(bad), `invalid UTF-8 ${hex(bad)}`);
  // A lone surrogate: Buffer (WHATWG) and protobufjs's utf8.read disagree,
  // and each frame type gets its reader's answer.
  const lone = str([0xed, 0xa0, 0x80]);
  t.equal(eventOf(decodeLinkMessage(Buffer.from(lone))).clientOrderId, '\ufffd'.repeat(3));
  t.equal(eventOf(decodeLinkMessage(Uint8Array.from(lone))).clientOrderId, '\ud800');
  // A length past the Event's end: BufferReader clamps, Reader throws.
  const past = inResult([0x8a, 0x02, 10, 0x61, 0x62, 0x63]);
  decodeBoth(t, past, 'string past the end');
  fallbacks = 0;
  t.equal(eventOf(decodeLinkMessage(Buffer.from(past))).clientOrderId, 'abc');
  t.equal(fallbacks, 0, 'clamped here, not left to protobufjs');
  t.throws(() => decodeLinkMessage(Uint8Array.from(past)));
  t.end();
});

t.test('other bodies and odd frames are protobufjs decodes', (t) => {
  const rnd = prng(SEED + 2);
  for (const field of OTHER_BODIES) {
    const bytes = w().ld(field.id, genMessage(field.resolvedType as protobuf.Type, rnd)).out;
    decodeBoth(t, bytes, field.name);
    fallbacks = 0;
    attempt(Buffer.from(bytes)); // may throw: a padded 6..9-byte uint32 derails protobufjs
    t.equal(fallbacks, 1, `${field.name}: protobufjs decoded it`);
  }
  const result = w().ld(1, w().tag(1, 0).uint(9).out).out;
  decodeBoth(t, [], 'empty frame');
  decodeBoth(t, [...result, ...result], 'result twice');
  decodeBoth(t, [...result, ...inBatch([])], 'result and events');
  decodeBoth(t, [...result, ...w().tag(150, 0).uint(1).out], 'an unknown top-level field');
  t.end();
});

t.test('mutated frames: both throw, or both decode the same', (t) => {
  const rnd = prng(SEED + 3);
  const stats = { cases: 0, decoded: 0, failures: 0 };
  const check = (bytes: ArrayLike<number>, label: string): void => {
    for (const [form, frame] of forms(bytes)) {
      stats.cases++;
      const mine = outcome(decodeLinkMessage, frame);
      if (mine !== 'throws') stats.decoded++;
      if (stats.failures < 5 && mine !== outcome(reference, frame)) {
        stats.failures++;
        t.equal(
          mine,
          outcome(reference, frame),
          `seed ${SEED + 3} ${label} (${form}): ${hex(frame)}`,
        );
      }
    }
  };
  for (let i = 0; i < 400; i++) {
    const base =
      i % 2 === 0
        ? [...v1.LinkMessage.encode(genObject(rnd)).finish()]
        : genFrame(rnd).slice(0, 2000);
    if (base.length > 600) continue;
    for (let len = 0; len < base.length; len++)
      check(base.slice(0, len), `case ${i} cut at ${len}`);
    for (let m = 0; m < 60 && base.length > 0; m++) {
      const bytes = base.slice();
      for (let k = 1 + int(rnd, 3); k > 0; k--) {
        const at = int(rnd, bytes.length);
        switch (int(rnd, 6)) {
          case 0:
            bytes[at] = int(rnd, 256);
            break;
          case 1:
            bytes[at]! ^= 1 << int(rnd, 8);
            break;
          case 2:
            bytes[at] = (bytes[at]! + 255) & 255; // shortens a length now and then
            break;
          case 3:
            bytes.splice(at, 1);
            break;
          case 4:
            bytes.splice(at, 0, int(rnd, 256));
            break;
          default:
            bytes[at] = pick(rnd, [0x80, 0xff, 0x00, 0x7f]);
        }
      }
      check(bytes, `case ${i} mutation ${m}`);
    }
  }
  t.equal(stats.failures, 0, `seed ${SEED + 3}: ${stats.cases} mutated frames agree`);
  t.ok(stats.decoded > stats.cases / 20, `not all of them throw (${stats.decoded} decode)`);
  t.end();
});

t.test(
  'dropResultBalances: a CommandResult without its BALANCE events, nothing else changed',
  (t) => {
    const rnd = prng(SEED + 7);
    const BALANCE = 9;
    const withoutBalances = (m: LinkMessage): LinkMessage => {
      const r = m.result;
      if (r !== null && r !== undefined)
        r.events = (r.events ?? []).filter((e) => e.kind !== BALANCE);
      return m;
    };
    let failures = 0;
    let dropped = 0;
    let kept = 0;
    fallbacks = 0;
    for (let i = 0; i < 3000 && failures < 5; i++) {
      const o = genObject(rnd);
      // A third of the events become balances, written as the engine writes them (kind first).
      const events = (o.result?.events ?? o.events?.events ?? []) as Record<string, unknown>[];
      for (const e of events) if (rnd() < 0.35) e.kind = BALANCE;
      const bytes = v1.LinkMessage.encode(o).finish();
      for (const [form, frame] of forms(bytes)) {
        const mine = describe(decodeLinkMessage(frame, true));
        const theirs = describe(withoutBalances(reference(frame)));
        if (mine !== theirs) {
          failures++;
          t.equal(mine, theirs, `seed ${SEED + 7} case ${i} (${form}): ${hex(frame)}`);
        }
      }
      const n = o.result?.events?.length ?? 0;
      const b = (o.result?.events ?? []).filter((e) => e.kind === BALANCE).length;
      dropped += b;
      kept += n - b;
      // An EventBatch keeps them: its events are grouped into commands by seq.
      if (o.events !== undefined && o.events !== null) {
        const batch = decodeLinkMessage(bytes, true).events!;
        t.equal((batch.events ?? []).length, o.events.events?.length ?? 0);
      }
    }
    t.equal(
      failures,
      0,
      `seed ${SEED + 7}: every frame decodes as protobufjs's, balances filtered`,
    );
    t.equal(fallbacks, 0, 'none fell back to protobufjs');
    t.ok(
      dropped > 1000 && kept > 1000,
      `both kinds were exercised (${dropped} dropped, ${kept} kept)`,
    );

    // Mutated frames: the drop path checks a dropped event as strictly as a kept one.
    const mutRnd = prng(SEED + 8);
    let agree = 0;
    let cases = 0;
    for (let i = 0; i < 3000; i++) {
      const o = genObject(mutRnd);
      for (const e of (o.result?.events ?? []) as Record<string, unknown>[]) e.kind = BALANCE;
      const bytes = Uint8Array.from(v1.LinkMessage.encode(o).finish());
      if (bytes.length === 0) continue;
      const at = int(mutRnd, bytes.length);
      if (mutRnd() < 0.5) bytes[at] = int(mutRnd, 256);
      const frame = mutRnd() < 0.5 ? bytes.subarray(0, at) : bytes;
      let mine: string;
      let theirs: string;
      try {
        mine = describe(decodeLinkMessage(frame, true));
      } catch {
        mine = 'throws';
      }
      try {
        theirs = describe(withoutBalances(reference(frame)));
      } catch {
        theirs = 'throws';
      }
      cases++;
      if (mine === theirs) agree++;
      else if (cases - agree <= 3) t.equal(mine, theirs, `mutated case ${i}: ${hex(frame)}`);
    }
    t.equal(
      agree,
      cases,
      `all ${cases} mutated or truncated frames: same outcome as protobufjs, filtered`,
    );
    t.end();
  },
);
