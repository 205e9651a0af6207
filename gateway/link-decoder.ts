// Hand-written decoder for the engine link's hot frames: LinkMessage bodies
// `result` (CommandResult) and `events` (EventBatch). protobufjs allocates a
// Reader per decode and a LongBits object per 64-bit field; this reads the
// frame through one module-level cursor and builds the very same message
// objects (the generated classes, fields set in wire order), so consumers
// cannot tell the two apart.
//
// Every read replicates protobufjs 7 (src/reader.js, util/longbits.js and
// the generated decode in proto/gen/exchange.js), quirks included:
// - known fields are read by field number whatever their wire type;
// - uint32 reads at most 5 bytes of value and skips 5 more unexamined (a
//   padded 6..9-byte varint swallows the start of the next field);
// - a 64-bit varint that starts within 4 bytes of the message end ends
//   after its 4th byte, continuation bit or not;
// - a string running past its message end is clamped when the frame is a
//   Buffer (BufferReader) and an error for a plain Uint8Array (Reader);
// - unknown fields are skipped like reader.skipType (groups included, with
//   its depth limit).
// Anything else (other bodies, several top-level fields, an empty frame)
// and any malformed input go to v1.LinkMessage.decode(frame): whenever this
// decoder meets an error, protobufjs decodes the whole frame again and
// returns what it returns or throws its own error. No semantic difference
// from protobufjs is known; test/link-decoder.test.ts compares the two on
// random, hand-built, truncated and corrupted frames.
import { Reader, util } from 'protobufjs/minimal';
import { exchange } from '../proto';

const v1 = exchange.v1;

const TWO_POW_32 = 4294967296;

/** Depth protobufjs passes to skipType inside CommandResult/EventBatch (1) and Event (2). */
const BODY_DEPTH = 1;
const EVENT_DEPTH = 2;

/**
 * Thrown on malformed input; one preallocated instance (no stack capture):
 * decodeLinkMessage catches it and lets protobufjs produce the real error.
 */
const MALFORMED = new Error('malformed link frame');

const EMPTY = new Uint8Array(0);

/**
 * The read position: one per module, reset by every decodeLinkMessage call.
 * Fields of one object rather than module-level `let`s, which the optimizer
 * handles worse (context slots with dead-zone checks): about 20% faster.
 */
class Cursor {
  buf: Uint8Array = EMPTY;
  pos = 0;
  /** End of the message being read (protobufjs's reader.len): bounds checks use it. */
  limit = 0;
  /** protobufjs reads a Buffer with BufferReader, whose string() differs from Reader's. */
  frameIsBuffer = false;
}
const cur = new Cursor();

/** Low and high 32 bits of the last 64-bit varint; a typed array stores them without boxing. */
const varint64 = new Uint32Array(2);

type Slice = (this: Uint8Array, start: number, end: number) => string;
const bufferProto = Buffer.prototype as unknown as { utf8Slice?: Slice; latin1Slice?: Slice };
/** What BufferReader#string calls (Buffer#toString when missing, as it does). */
const utf8Slice: Slice =
  bufferProto.utf8Slice ??
  function utf8(this: Uint8Array, start: number, end: number): string {
    return Buffer.prototype.toString.call(this, 'utf-8', start, end);
  };
/** Node's Buffer#latin1Slice (it works on a plain Uint8Array too); for ASCII text only. */
const latin1Slice: Slice =
  bufferProto.latin1Slice ??
  function latin1(this: Uint8Array, start: number, end: number): string {
    return Buffer.from(this.buffer, this.byteOffset + start, end - start).toString('latin1');
  };

/** Event.kind of a balance change (the wire enum's value, read once). */
const KIND_BALANCE = v1.EventKind.EVENT_KIND_BALANCE;

/**
 * Where a dropped event is decoded (and so checked exactly as the kept ones
 * are) without allocating one; nobody reads it.
 */
const droppedEvent = new v1.Event();

/**
 * Decodes an engine link frame into the same object v1.LinkMessage.decode(frame)
 * returns (or throws whenever it throws). The frame is not retained.
 *
 * dropResultBalances: a CommandResult comes without its BALANCE events (the
 * gateway reports orders and trades, not balances, and those were about half
 * of a fill's events and of the gateway's allocation per order). Only
 * CommandResult: an EventBatch groups its events into commands, and a
 * command of BALANCE events only must still be seen there.
 */
export function decodeLinkMessage(
  frame: Uint8Array,
  dropResultBalances = false,
): exchange.v1.LinkMessage {
  let msg: exchange.v1.LinkMessage | undefined;
  // Reader.recursionLimit < 2 would make protobufjs refuse the nested bodies.
  if (frame instanceof Uint8Array && Reader.recursionLimit >= EVENT_DEPTH) {
    dropBalances = dropResultBalances;
    try {
      msg = decodeHot(frame);
    } catch {
      msg = undefined; // malformed: protobufjs throws its own error below
    }
    cur.buf = EMPTY; // do not keep the frame (a view into a socket chunk) alive
  }
  if (msg !== undefined) return msg;
  msg = v1.LinkMessage.decode(frame);
  const result = msg.result;
  if (dropResultBalances && result !== null && result !== undefined) {
    result.events = (result.events ?? []).filter((e) => e.kind !== KIND_BALANCE);
  }
  return msg;
}

/** decodeLinkMessage's dropResultBalances, for decodeCommandResult. */
let dropBalances = false;

/** The frame's one `result` or `events` body; undefined for anything else. */
function decodeHot(frame: Uint8Array): exchange.v1.LinkMessage | undefined {
  cur.buf = frame;
  cur.pos = 0;
  cur.limit = frame.length;
  cur.frameIsBuffer = Buffer.isBuffer(frame);
  if (cur.limit === 0) return undefined;
  const field = readU32() >>> 3;
  if (field !== 1 && field !== 3) return undefined;
  // Like the generated code: a length whatever the wire type.
  const byteLen = readU32();
  const msg = new v1.LinkMessage();
  if (field === 1) msg.result = decodeCommandResult(byteLen);
  else msg.events = decodeEventBatch(byteLen);
  // More top-level fields (a second body, unknown fields): rare, leave them to protobufjs.
  return cur.pos === frame.length ? msg : undefined;
}

/** Enters a nested message of byteLen bytes; returns its end (the caller restores cur.limit). */
function enter(byteLen: number): number {
  const end = cur.pos + byteLen;
  if (end > cur.limit) throw MALFORMED;
  cur.limit = end;
  return end;
}

function decodeCommandResult(byteLen: number): exchange.v1.CommandResult {
  const parentLimit = cur.limit;
  const end = enter(byteLen);
  const m = new v1.CommandResult();
  while (cur.pos < end) {
    const tag = readU32();
    switch (tag >>> 3) {
      case 1:
        m.correlationId = readU64();
        break;
      case 2:
        m.seq = readU64();
        break;
      case 3:
        m.rejectReason = readU32() | 0;
        break;
      case 4: {
        const len = readU32();
        // The engine writes kind first: a BALANCE event starts 08 09.
        const at = cur.pos;
        if (dropBalances && len >= 2 && cur.buf[at] === 0x08 && cur.buf[at + 1] === KIND_BALANCE) {
          // A later kind field would win: only what decodes as a balance is dropped.
          if (decodeEvent(len, droppedEvent).kind === KIND_BALANCE) break;
          cur.pos = at;
        }
        const e = decodeEvent(len);
        // The constructor's own empty array; the generated code swaps in a
        // fresh one before the first push, which nobody can observe.
        if (!dropBalances || e.kind !== KIND_BALANCE) m.events.push(e);
        break;
      }
      case 5:
        m.engineTimeUs = readU64();
        break;
      default:
        skipField(tag & 7, BODY_DEPTH);
    }
  }
  if (cur.pos !== end) throw MALFORMED;
  cur.limit = parentLimit;
  return m;
}

function decodeEventBatch(byteLen: number): exchange.v1.EventBatch {
  const parentLimit = cur.limit;
  const end = enter(byteLen);
  const m = new v1.EventBatch();
  while (cur.pos < end) {
    const tag = readU32();
    switch (tag >>> 3) {
      case 1:
        m.firstSeq = readU64();
        break;
      case 2:
        m.lastSeq = readU64();
        break;
      case 3:
        m.events.push(decodeEvent(readU32()));
        break;
      case 4:
        if ((tag & 7) === 2) {
          // Packed, as the engine writes it; the generated code accepts both.
          const packedEnd = enter(readU32());
          const times = m.commandTimeUs;
          while (cur.pos < packedEnd) times.push(readU64());
          if (cur.pos !== packedEnd) throw MALFORMED;
          cur.limit = end;
        } else m.commandTimeUs.push(readU64());
        break;
      default:
        skipField(tag & 7, BODY_DEPTH);
    }
  }
  if (cur.pos !== end) throw MALFORMED;
  cur.limit = parentLimit;
  return m;
}

function decodeEvent(byteLen: number, into?: exchange.v1.Event): exchange.v1.Event {
  const parentLimit = cur.limit;
  const end = enter(byteLen);
  const e = into ?? new v1.Event();
  while (cur.pos < end) {
    const tag = readTag();
    switch (tag >>> 3) {
      case 1:
        e.kind = readU32() | 0;
        break;
      case 2:
        e.seq = readU64();
        break;
      case 3:
        e.orderId = readU64();
        break;
      case 4:
        e.accountId = readU32();
        break;
      case 5:
        e.marketId = readU32();
        break;
      case 6:
        e.side = readU32() | 0;
        break;
      case 7:
        e.priceTicks = readU64();
        break;
      case 8:
        e.qtyLots = readU64();
        break;
      case 9:
        e.remainingLots = readU64();
        break;
      case 10:
        e.quoteAtoms = readU64();
        break;
      case 11:
        e.tradeId = readU64();
        break;
      case 12:
        e.makerOrderId = readU64();
        break;
      case 13:
        e.makerAccountId = readU32();
        break;
      case 14:
        e.makerRemainingLots = readU64();
        break;
      case 15:
        e.takerFeeAtoms = readS64();
        break;
      case 16:
        e.makerFeeAtoms = readS64();
        break;
      case 17:
        e.commandKind = readU32();
        break;
      case 18:
        e.rejectReason = readU32() | 0;
        break;
      case 19:
        e.cancelReason = readU32() | 0;
        break;
      case 20:
        e.orderType = readU32() | 0;
        break;
      case 21:
        e.timeInForce = readU32() | 0;
        break;
      case 22:
        e.stpMode = readU32() | 0;
        break;
      case 23:
        e.flags = readU32();
        break;
      case 24:
        e.assetId = readU32();
        break;
      case 25:
        e.availableAtoms = readU64();
        break;
      case 26:
        e.lockedAtoms = readU64();
        break;
      case 27:
        e.amountAtoms = readU64();
        break;
      case 28:
        e.refId = readU64();
        break;
      case 29:
        e.orderCount = readU32();
        break;
      case 30:
        e.makerFeeBps = readS32();
        break;
      case 31:
        e.takerFeeBps = readS32();
        break;
      case 32:
        e.status = readU32() | 0;
        break;
      case 33:
        e.clientOrderId = readString();
        break;
      case 34:
        e.timeoutMs = readU32();
        break;
      case 35:
        e.deadlineUs = readU64();
        break;
      default:
        skipField(tag & 7, EVENT_DEPTH);
    }
  }
  if (cur.pos !== end) throw MALFORMED;
  cur.limit = parentLimit;
  return e;
}

/**
 * readU32() for a tag: one byte for fields 1..15, two for 16..2047 (Event
 * has both), read here rather than through readU32Long.
 */
function readTag(): number {
  const b = cur.buf;
  const p = cur.pos;
  if (p + 1 < cur.limit) {
    const first = b[p]!;
    if (first < 128) {
      cur.pos = p + 1;
      return first;
    }
    const second = b[p + 1]!;
    if (second < 128) {
      cur.pos = p + 2;
      return (first & 127) | (second << 7);
    }
  }
  return readU32();
}

/**
 * reader.uint32(): the low 32 bits of a varint (int32 is `| 0` of it, bool
 * `!== 0`). One-byte values (tags of fields 1..15, enums, small ids) take a
 * path small enough for the optimizer to inline.
 */
function readU32(): number {
  const p = cur.pos;
  if (p < cur.limit) {
    const byte = cur.buf[p]!;
    if (byte < 128) {
      cur.pos = p + 1;
      return byte;
    }
  }
  return readU32Long();
}

function readU32Long(): number {
  let p = cur.pos;
  if (cur.limit - p < 5) return readU32NearEnd();
  const b = cur.buf;
  let byte = b[p++]!;
  let value = byte & 127;
  if (byte < 128) {
    cur.pos = p;
    return value;
  }
  byte = b[p++]!;
  value |= (byte & 127) << 7;
  if (byte < 128) {
    cur.pos = p;
    return value;
  }
  byte = b[p++]!;
  value |= (byte & 127) << 14;
  if (byte < 128) {
    cur.pos = p;
    return value;
  }
  byte = b[p++]!;
  value |= (byte & 127) << 21;
  if (byte < 128) {
    cur.pos = p;
    return value;
  }
  byte = b[p++]!;
  value = (value | ((byte & 15) << 28)) >>> 0;
  if (byte < 128) {
    cur.pos = p;
    return value;
  }
  // A longer varint (a negative int32): protobufjs skips five more bytes
  // without looking at them.
  p += 5;
  if (p > cur.limit) throw MALFORMED;
  cur.pos = p;
  return value;
}

/** protobufjs's readVarint32NearEnd: fewer than 5 bytes left, at most 4 read, each checked. */
function readU32NearEnd(): number {
  let value = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (cur.pos >= cur.limit) throw MALFORMED;
    const byte = cur.buf[cur.pos++]!;
    value = (value | ((byte & 127) << shift)) >>> 0;
    if (byte < 128) return value;
  }
  throw MALFORMED;
}

/** reader.sint32(). */
function readS32(): number {
  const value = readU32();
  return ((value >>> 1) ^ -(value & 1)) | 0;
}

/** reader.uint64() with Long unset: LongBits#toNumber(true), without the LongBits. */
function readU64(): number {
  const p = cur.pos;
  if (p < cur.limit) {
    const byte = cur.buf[p]!;
    if (byte < 128) {
      cur.pos = p + 1;
      return byte;
    }
  }
  return readU64Long();
}

function readU64Long(): number {
  let p = cur.pos;
  if (cur.limit - p > 4) {
    // Up to 4 bytes (below 2^28) need no high half: the common ids and quantities.
    const b = cur.buf;
    let byte = b[p++]!;
    let value = byte & 127;
    if (byte < 128) {
      cur.pos = p;
      return value;
    }
    byte = b[p++]!;
    value |= (byte & 127) << 7;
    if (byte < 128) {
      cur.pos = p;
      return value;
    }
    byte = b[p++]!;
    value |= (byte & 127) << 14;
    if (byte < 128) {
      cur.pos = p;
      return value;
    }
    byte = b[p++]!;
    value |= (byte & 127) << 21;
    if (byte < 128) {
      cur.pos = p;
      return value;
    }
  }
  readVarint64();
  // As toNumber(true): one rounding, so values above 2^53 match too.
  return varint64[0]! + varint64[1]! * TWO_POW_32;
}

/** reader.sint64(): zigzag decode of the two halves, then LongBits#toNumber(false). */
function readS64(): number {
  readVarint64();
  const lo = varint64[0]!;
  const hi = varint64[1]!;
  const mask = -(lo & 1);
  const zzLo = (((lo >>> 1) | (hi << 31)) ^ mask) >>> 0;
  const zzHi = ((hi >>> 1) ^ mask) >>> 0;
  if (zzHi >>> 31) {
    // Negative: negate the two's complement, as toNumber(false) does.
    const negLo = (~zzLo + 1) >>> 0;
    let negHi = ~zzHi >>> 0;
    if (!negLo) negHi = (negHi + 1) >>> 0;
    return -(negLo + negHi * TWO_POW_32);
  }
  return zzLo + zzHi * TWO_POW_32;
}

/** protobufjs's readLongVarint: leaves the halves in varint64. */
function readVarint64(): void {
  const b = cur.buf;
  let p = cur.pos;
  let lo = 0;
  let hi = 0;
  let byte = 128; // "continue" until a byte says otherwise
  if (cur.limit - p > 4) {
    // Fast route: the first five bytes are in bounds.
    for (let shift = 0; shift < 28 && byte >= 128; shift += 7) {
      byte = b[p++]!;
      lo = (lo | ((byte & 127) << shift)) >>> 0;
    }
    if (byte >= 128) {
      byte = b[p++]!;
      lo = (lo | ((byte & 127) << 28)) >>> 0;
      hi = (byte & 127) >> 4;
    }
    // 6th..10th bytes, checked; a 10th with its continuation bit is an error.
    for (let shift = 3; shift < 32 && byte >= 128; shift += 7) {
      if (p >= cur.limit) throw MALFORMED;
      byte = b[p++]!;
      hi = (hi | ((byte & 127) << shift)) >>> 0;
    }
    if (byte >= 128) throw MALFORMED;
  } else {
    // Near the end: three checked bytes, then a 4th taken as the last
    // whatever its continuation bit. protobufjs reads that one unchecked;
    // past the end, the enclosing message's end check throws: we throw now.
    for (let shift = 0; shift < 21 && byte >= 128; shift += 7) {
      if (p >= cur.limit) throw MALFORMED;
      byte = b[p++]!;
      lo = (lo | ((byte & 127) << shift)) >>> 0;
    }
    if (byte >= 128) {
      if (p >= cur.limit) throw MALFORMED;
      lo = (lo | ((b[p++]! & 127) << 21)) >>> 0;
    }
  }
  cur.pos = p;
  varint64[0] = lo;
  varint64[1] = hi;
}

/**
 * reader.string(). BufferReader clamps a length past the message end to the
 * end; Reader (plain Uint8Array) throws, as its bytes() does.
 */
function readString(): string {
  const byteLen = readU32();
  const start = cur.pos;
  let end = start + byteLen;
  if (end > cur.limit) {
    if (!cur.frameIsBuffer) throw MALFORMED;
    end = cur.limit;
  }
  cur.pos = end;
  if (start === end) return '';
  // A Buffer frame: BufferReader's decoder (utf8Slice), quick for ASCII too.
  if (cur.frameIsBuffer) return utf8Slice.call(cur.buf, start, end);
  // A plain Uint8Array: Reader's util.utf8.read over the field's own bytes
  // (past a truncated sequence it reads undefined, i.e. 0 bits, not the next
  // field); ASCII text comes out the same from latin1Slice, cheaper.
  const b = cur.buf;
  for (let i = start; i < end; i++)
    if (b[i]! >= 128) return util.utf8.read(b.subarray(start, end), 0, end - start);
  return latin1Slice.call(b, start, end);
}

/** reader.skipType(wireType, depth). */
function skipField(wireType: number, depth: number): void {
  if (depth > Reader.recursionLimit) throw MALFORMED;
  switch (wireType) {
    case 0:
      do {
        if (cur.pos >= cur.limit) throw MALFORMED;
      } while (cur.buf[cur.pos++]! & 128);
      return;
    case 1:
      skipBytes(8);
      return;
    case 2:
      skipBytes(readU32());
      return;
    case 3:
      // A group: skip until an end-group tag of any field number.
      for (let inner = readU32() & 7; inner !== 4; inner = readU32() & 7)
        skipField(inner, depth + 1);
      return;
    case 5:
      skipBytes(4);
      return;
    default:
      throw MALFORMED;
  }
}

function skipBytes(byteLen: number): void {
  if (cur.pos + byteLen > cur.limit) throw MALFORMED;
  cur.pos += byteLen;
}
