// A small protobuf encoder over one reusable, growing Buffer: the hot path
// (journal entries, replies, event pushes) writes fields straight from the
// engine's event log without building message objects. Only what the
// engine link and journal need: varints up to 2^53, zigzag, strings, bytes and
// nested messages (length reserved as one byte and shifted when longer).
import { AssertionFailure, assert } from '../../common/errors';

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const TWO_32 = 4_294_967_296;
const TWO_52 = 4_503_599_627_370_496;

export function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

export class ProtoWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  reset(): void {
    this.pos = 0;
  }

  /** A copy of the bytes written since `start` (or all of them). */
  copy(start = 0, end = this.pos): Buffer {
    const out = Buffer.allocUnsafe(end - start);
    this.buf.copy(out, 0, start, end);
    return out;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** A non-negative safe integer as a varint (no tag). */
  varint(n: number): void {
    if (this.pos + 10 > this.buf.length) this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    if (n < 128 && n >= 0) {
      b[p] = n;
      this.pos = p + 1;
      return;
    }
    if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER && Math.floor(n) === n)) {
      throw new AssertionFailure(`varint of ${n}`);
    }
    while (n >= TWO_32) {
      b[p++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    while (n > 127) {
      b[p++] = (n & 127) | 128;
      n >>>= 7;
    }
    b[p++] = n;
    this.pos = p;
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** uint32/uint64/enum/bool field (field numbers below 2048); proto3 omits zero. */
  uint(field: number, n: number): void {
    if (n === 0) return;
    if (this.pos + 12 > this.buf.length) this.ensure(12);
    const b = this.buf;
    let p = this.pos;
    if (field < 16) {
      b[p++] = field << 3;
    } else {
      b[p++] = ((field << 3) & 127) | 128;
      b[p++] = field >>> 4;
    }
    if (n > 0 && n < 268_435_456) {
      // Up to 4 bytes with 32-bit shifts.
      while (n > 127) {
        b[p++] = (n & 127) | 128;
        n >>>= 7;
      }
      b[p++] = n;
      this.pos = p;
      return;
    }
    this.pos = p;
    this.varint(n);
  }

  bool(field: number, b: boolean): void {
    if (b) this.uint(field, 1);
  }

  /** sint32/sint64 field (zigzag); exact for every safe integer. */
  sint(field: number, n: number): void {
    if (n === 0) return;
    this.tag(field, WIRE_VARINT);
    assert(Number.isSafeInteger(n), `sint of ${n}`);
    if (n > 0 && n < TWO_52) {
      this.varint(n * 2);
    } else if (n < 0 && n > -TWO_52) {
      this.varint(-n * 2 - 1);
    } else {
      this.bigVarint(n > 0 ? BigInt(n) * 2n : BigInt(-n) * 2n - 1n);
    }
  }

  string(field: number, s: string): void {
    const n = s.length;
    if (n === 0) return;
    this.tag(field, WIRE_LEN);
    if (n < 128) {
      // Short strings (client order ids): ASCII written byte by byte.
      this.ensure(1 + n * 3);
      const b = this.buf;
      const start = this.pos + 1;
      let p = start;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 128) {
          p = -1;
          break;
        }
        b[p++] = c;
      }
      if (p >= 0) {
        b[this.pos] = n;
        this.pos = p;
        return;
      }
    }
    const len = Buffer.byteLength(s, 'utf8');
    this.varint(len);
    this.ensure(len);
    this.buf.write(s, this.pos, len, 'utf8');
    this.pos += len;
  }

  /** A length-delimited field holding src[start, end) (written even when empty). */
  bytes(field: number, src: Uint8Array, start = 0, end = src.length): void {
    this.tag(field, WIRE_LEN);
    this.varint(end - start);
    this.raw(src, start, end);
  }

  raw(src: Uint8Array, start = 0, end = src.length): void {
    const len = end - start;
    this.ensure(len);
    // Short runs by hand: Buffer.copy's argument checks cost more than the bytes.
    if (len < 256) {
      const b = this.buf;
      let p = this.pos;
      for (let i = start; i < end; i++) b[p++] = src[i]!;
    } else if (src instanceof Buffer) {
      src.copy(this.buf, this.pos, start, end); // no subarray object
    } else {
      this.buf.set(src.subarray(start, end), this.pos);
    }
    this.pos += len;
  }

  /** Opens a nested message field; returns the mark endLen() needs. */
  beginLen(field: number): number {
    this.tag(field, WIRE_LEN);
    this.ensure(1);
    const mark = this.pos;
    this.pos++;
    return mark;
  }

  /**
   * Closes the nested message opened at `mark`, writing its length; returns
   * how many bytes its content moved forward (0 unless it is 128 bytes or more).
   */
  endLen(mark: number): number {
    const len = this.pos - mark - 1;
    if (len < 128) {
      this.buf[mark] = len;
      return 0;
    }
    const extra = varintSize(len) - 1;
    this.ensure(extra);
    this.buf.copyWithin(mark + 1 + extra, mark + 1, this.pos);
    this.pos += extra;
    const save = this.pos;
    this.pos = mark;
    this.varint(len);
    this.pos = save;
    return extra;
  }

  /** Reserves a u32 little-endian frame length; endFrame() fills it in. */
  beginFrame(): number {
    this.ensure(4);
    const mark = this.pos;
    this.pos += 4;
    return mark;
  }

  endFrame(mark: number): void {
    this.buf.writeUInt32LE(this.pos - mark - 4, mark);
  }

  private bigVarint(n: bigint): void {
    this.ensure(10);
    while (n > 127n) {
      this.buf[this.pos++] = Number(n & 127n) | 128;
      n >>= 7n;
    }
    this.buf[this.pos++] = Number(n);
  }
}
