// The byte level of engine snapshots: a fixed header (magic, format version,
// body length, CRC-32 of the body, lastSeq) and a little-endian body written
// and read through bounds-checked cursors. The section layout is the
// engine's (engine.ts); everything here fails with SnapshotError, never hangs:
// every read is bounds-checked, so a corrupt count stops at the end of the input.
import { crc32 } from 'node:zlib';
import { SnapshotError } from './snapshot-error';

/** "MENG" little-endian. */
export const SNAPSHOT_MAGIC = 0x474e454d;
/** 2 adds armed dead-man's switches; version 1 snapshots (none armed) still restore. */
export const SNAPSHOT_VERSION = 2;
/** The oldest format version this build restores. */
export const SNAPSHOT_MIN_VERSION = 1;
/** magic u32, version u16, flags u16, body length f64, crc32 u32, reserved u32, lastSeq f64. */
export const SNAPSHOT_HEADER_BYTES = 32;

export interface SnapshotHeader {
  version: number;
  bodyBytes: number;
  lastSeq: number;
}

export function corrupt(message: string): SnapshotError {
  return new SnapshotError('E_SNAPSHOT_CORRUPT', `corrupt engine snapshot: ${message}`);
}

export class SnapshotWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = SNAPSHOT_HEADER_BYTES;

  constructor(estimatedBytes: number) {
    this.buf = new Uint8Array(Math.max(1024, estimatedBytes + SNAPSHOT_HEADER_BYTES));
    this.view = new DataView(this.buf.buffer);
  }

  /** Make room for `n` more bytes (call once before a run of small writes). */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
    this.view = new DataView(bigger.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.pos++] = v;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }
  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
  }
  f64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
  /** An ASCII string of at most 255 characters: length byte, then the bytes. */
  ascii(s: string): void {
    const n = s.length;
    this.reserve(1 + n);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = n;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Seal: header written in front of the body; returns exactly the used bytes. */
  finish(lastSeq: number): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    const body = out.subarray(SNAPSHOT_HEADER_BYTES);
    const v = this.view;
    v.setUint32(0, SNAPSHOT_MAGIC, true);
    v.setUint16(4, SNAPSHOT_VERSION, true);
    v.setUint16(6, 0, true);
    v.setFloat64(8, body.length, true);
    v.setUint32(16, crc32(body), true);
    v.setUint32(20, 0, true);
    v.setFloat64(24, lastSeq, true);
    return out;
  }
}

/** Checks magic, version, length and checksum; returns the header. */
export function readSnapshotHeader(bytes: Uint8Array): SnapshotHeader {
  if (!(bytes instanceof Uint8Array)) throw corrupt('not a Uint8Array');
  if (bytes.length < SNAPSHOT_HEADER_BYTES)
    throw corrupt(`${bytes.length} bytes, header truncated`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0, true) !== SNAPSHOT_MAGIC) throw corrupt('bad magic');
  const version = v.getUint16(4, true);
  if (version < SNAPSHOT_MIN_VERSION || version > SNAPSHOT_VERSION) {
    throw new SnapshotError(
      'E_SNAPSHOT_VERSION',
      `engine snapshot format version ${version}; this build reads ${SNAPSHOT_MIN_VERSION}..${SNAPSHOT_VERSION}`,
    );
  }
  if (v.getUint16(6, true) !== 0 || v.getUint32(20, true) !== 0) throw corrupt('bad header flags');
  const bodyBytes = v.getFloat64(8, true);
  if (bodyBytes !== bytes.length - SNAPSHOT_HEADER_BYTES) {
    throw corrupt(
      `body of ${bytes.length - SNAPSHOT_HEADER_BYTES} bytes, header says ${bodyBytes}`,
    );
  }
  const lastSeq = v.getFloat64(24, true);
  if (!Number.isSafeInteger(lastSeq) || lastSeq < 0) throw corrupt('bad lastSeq');
  if (crc32(bytes.subarray(SNAPSHOT_HEADER_BYTES)) !== v.getUint32(16, true)) {
    throw corrupt('checksum mismatch');
  }
  return { version, bodyBytes, lastSeq };
}

export class SnapshotReader {
  private readonly view: DataView;
  private readonly latin1: Buffer;
  private pos = SNAPSHOT_HEADER_BYTES;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private need(n: number): number {
    const p = this.pos;
    if (p + n > this.bytes.length) throw corrupt(`truncated at byte ${p}`);
    this.pos = p + n;
    return p;
  }

  u8(): number {
    return this.bytes[this.need(1)]!;
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  i32(): number {
    return this.view.getInt32(this.need(4), true);
  }
  f64(): number {
    return this.view.getFloat64(this.need(8), true);
  }
  /** A safe integer within [min, max], else corrupt. */
  int(min: number, max: number, what: string): number {
    const v = this.f64();
    if (!Number.isSafeInteger(v) || v < min || v > max) throw corrupt(`${what} ${v}`);
    return v + 0;
  }
  /** A u32 within [min, max], else corrupt. */
  small(min: number, max: number, what: string): number {
    const v = this.u32();
    if (v < min || v > max) throw corrupt(`${what} ${v}`);
    return v;
  }
  /** A count whose records take at least `minRecordBytes` each: bounded by what is left. */
  count(minRecordBytes: number, what: string): number {
    const n = this.u32();
    if (n * minRecordBytes > this.remaining) throw corrupt(`${what} count ${n} exceeds the input`);
    return n;
  }
  /** A string written by SnapshotWriter.ascii (decoded flat, byte per character). */
  ascii(): string {
    const n = this.u8();
    if (n === 0) return '';
    const p = this.need(n);
    return this.latin1.toString('latin1', p, p + n);
  }
  end(): void {
    if (this.pos !== this.bytes.length) throw corrupt(`${this.remaining} trailing bytes`);
  }
}
