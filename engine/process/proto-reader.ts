// A minimal protobuf field scanner over bytes, for the two places where the
// process reads its own formats without building objects: finding the raw
// Command inside a LinkRequest (so the journal records exactly the bytes that
// were validated) and walking journal entries during recovery (events are
// counted, not decoded). Every read is bounds-checked and throws
// ProtoScanError on malformed input; callers turn that into a reject or a
// recovery error naming the entry.

export class ProtoScanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoScanError';
  }
}

export class ProtoScanner {
  pos: number;
  /** Set by next(): the field number and wire type just read. */
  field = 0;
  wire = 0;

  constructor(
    public buf: Uint8Array,
    start = 0,
    public end = buf.length,
  ) {
    this.pos = start;
  }

  /** Points this scanner at other bytes (hot paths reuse one scanner instead of allocating). */
  reset(buf: Uint8Array, start: number, end: number): this {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.field = 0;
    this.wire = 0;
    return this;
  }

  /** Reads the next tag; false at the end. */
  next(): boolean {
    if (this.pos >= this.end) return false;
    const t = this.varint();
    this.field = Math.floor(t / 8);
    this.wire = t % 8;
    if (this.field === 0) throw new ProtoScanError('field number 0');
    return true;
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoScanError('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 127) * mul;
      if (b < 128) {
        if (!Number.isSafeInteger(result)) throw new ProtoScanError('varint past 2^53-1');
        return result;
      }
      mul *= 128;
    }
    throw new ProtoScanError('varint longer than 10 bytes');
  }

  /** A uint32 field as protobufjs reads it: the low 32 bits of the varint. */
  uint32(): number {
    if (this.wire !== 0) throw new ProtoScanError(`field ${this.field}: expected varint`);
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoScanError('truncated varint');
      const b = this.buf[this.pos++]!;
      if (i < 5) v += (b & 127) * mul;
      mul *= 128;
      if (b < 128) return v % 4_294_967_296;
    }
    throw new ProtoScanError('varint longer than 10 bytes');
  }

  /** An int32/enum field as protobufjs reads it. */
  int32(): number {
    return this.uint32() | 0;
  }

  /** A uint64 field: the value, or -1 when it is above 2^53-1 (the caller refuses it). */
  u64(): number {
    if (this.wire !== 0) throw new ProtoScanError(`field ${this.field}: expected varint`);
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoScanError('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 127) * mul;
      if (b < 128) return Number.isSafeInteger(result) ? result : -1;
      mul *= 128;
    }
    throw new ProtoScanError('varint longer than 10 bytes');
  }

  /** For a length-delimited field: its [start, end) and moves past it. */
  lenRange(): [number, number] {
    this.skipLen();
    return [this.lenStart, this.pos];
  }

  /** Start of the length-delimited field skipLen() just passed (its end is `pos`). */
  lenStart = 0;

  /** Moves past a length-delimited field, leaving its range in [lenStart, pos). */
  skipLen(): void {
    if (this.wire !== 2) throw new ProtoScanError(`field ${this.field}: expected length-delimited`);
    const len = this.varint();
    const start = this.pos;
    if (len > this.end - start)
      throw new ProtoScanError(`field ${this.field}: length past the end`);
    this.lenStart = start;
    this.pos = start + len;
  }

  string(): string {
    this.skipLen();
    const s = this.lenStart;
    const e = this.pos;
    const b = this.buf;
    if (e - s <= 64) {
      // Short ASCII (client order ids): no Buffer view, no UTF-8 decoder.
      let ascii = true;
      for (let i = s; i < e; i++) {
        if (b[i]! >= 128) {
          ascii = false;
          break;
        }
      }
      if (ascii && Buffer.isBuffer(b)) return b.toString('latin1', s, e);
    }
    return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('utf8');
  }

  uint(): number {
    if (this.wire !== 0) throw new ProtoScanError(`field ${this.field}: expected varint`);
    return this.varint();
  }

  skip(): void {
    switch (this.wire) {
      case 0:
        this.varint();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.skipLen();
        return;
      case 5:
        this.advance(4);
        return;
      default:
        throw new ProtoScanError(`field ${this.field}: unsupported wire type ${this.wire}`);
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw new ProtoScanError('truncated fixed field');
    this.pos += n;
  }
}

const linkScanner = new ProtoScanner(new Uint8Array(0));

/** LinkRequest scanned without decoding its body. */
export interface ScannedLinkRequest {
  /** -1 when above 2^53-1. */
  correlationId: number;
  /** The body's field number (2 hello, 3 command, 4 order_status, 5 ping, 6 dead_man_switch; 0 = none). */
  body: number;
  start: number;
  end: number;
}

/**
 * Scans a LinkRequest frame: its correlation id and the byte range of its one
 * body. Undefined when the bytes are malformed or hold more than one body.
 */
export function scanLinkRequest(
  payload: Uint8Array,
  start = 0,
  end = payload.length,
  /** Filled in and returned (a caller on the hot path passes one it reuses). */
  out: ScannedLinkRequest = { correlationId: 0, body: 0, start: 0, end: 0 },
): ScannedLinkRequest | undefined {
  const s = linkScanner.reset(payload, start, end);
  out.correlationId = 0;
  out.body = 0;
  out.start = 0;
  out.end = 0;
  try {
    while (s.next()) {
      if (s.field === 1) {
        out.correlationId = s.u64();
      } else if (s.field >= 2 && s.field <= 6) {
        if (out.body !== 0) return undefined;
        out.body = s.field;
        s.skipLen();
        out.start = s.lenStart;
        out.end = s.pos;
      } else {
        s.skip();
      }
    }
  } catch {
    return undefined;
  }
  return out;
}
