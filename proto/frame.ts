// Length-prefixed frames for the engine link: [u32 LE length][payload].
// FrameReader reassembles frames from arbitrary stream chunks without copying
// in the common case (whole frames inside one chunk) and refuses oversized
// lengths before buffering them, so a bad peer cannot grow memory.

export const FRAME_HEADER_BYTES = 4;

export class FrameTooLargeError extends Error {
  readonly code = 'E_FRAME_TOO_LARGE';
  constructor(
    readonly length: number,
    readonly maxBytes: number,
  ) {
    super(`frame of ${length} bytes exceeds the maximum of ${maxBytes}`);
    this.name = 'FrameTooLargeError';
  }
}

/** Writes one frame into a fresh buffer. */
export function encodeFrame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

export class FrameReader {
  private pending: Buffer | undefined;

  constructor(private readonly maxFrameBytes: number) {}

  /**
   * Feeds a chunk; calls onFrame for each complete frame (the payload view is
   * only valid during the call). Returns a FrameTooLargeError instead of
   * throwing; the caller should close the stream then.
   */
  push(chunk: Buffer, onFrame: (payload: Buffer) => void): FrameTooLargeError | undefined {
    let buf = chunk;
    if (this.pending !== undefined) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let off = 0;
    while (buf.length - off >= FRAME_HEADER_BYTES) {
      const len = buf.readUInt32LE(off);
      if (len > this.maxFrameBytes) return new FrameTooLargeError(len, this.maxFrameBytes);
      if (buf.length - off - FRAME_HEADER_BYTES < len) break;
      const start = off + FRAME_HEADER_BYTES;
      onFrame(buf.subarray(start, start + len));
      off = start + len;
    }
    if (off < buf.length) this.pending = Buffer.from(buf.subarray(off));
    return undefined;
  }

  /**
   * As push(), but each frame is handed over as (buf, start, end) instead of
   * a subarray: no object per frame (the engine's hot path).
   */
  pushRanges(
    chunk: Buffer,
    onFrame: (buf: Buffer, start: number, end: number) => void,
  ): FrameTooLargeError | undefined {
    let buf = chunk;
    if (this.pending !== undefined) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let off = 0;
    while (buf.length - off >= FRAME_HEADER_BYTES) {
      const len = buf.readUInt32LE(off);
      if (len > this.maxFrameBytes) return new FrameTooLargeError(len, this.maxFrameBytes);
      if (buf.length - off - FRAME_HEADER_BYTES < len) break;
      const start = off + FRAME_HEADER_BYTES;
      onFrame(buf, start, start + len);
      off = start + len;
    }
    if (off < buf.length) this.pending = Buffer.from(buf.subarray(off));
    return undefined;
  }

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.pending === undefined ? 0 : this.pending.length;
  }
}
