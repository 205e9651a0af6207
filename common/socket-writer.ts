// Writes to a connected socket with one write(2) on its descriptor, without
// Node's stream machinery, whenever nothing is queued in the stream; what the
// kernel does not take at once (a full send buffer) goes through
// socket.write as a copy, and so does every write after it until the stream
// has drained, so bytes never reorder.
//
// Why: on the hot links (gateway -> engine, engine -> gateway, engine ->
// Redis) socket.write cost more than the system call it wraps. Each call
// allocated a write request, its callback state and, corked, the writev
// arrays: about a third of the engine's garbage per order, and so of its
// scavenges. Here the caller's bytes are written or copied before write()
// returns, so the caller reuses its buffer instead of allocating one.
//
// The descriptor is read from the socket's handle at every call: once the
// socket is destroyed the handle is gone and writes fall back to the stream
// (which reports the error), so a closed descriptor number, perhaps reused
// by another file, is never written to.
import fs from 'node:fs';
import type net from 'node:net';

interface HandleWithFd {
  fd?: number;
}

export class SocketWriter {
  /** write(2) calls that took every byte. */
  directWrites = 0;
  /** Writes that went (wholly or partly) through socket.write. */
  streamWrites = 0;

  constructor(readonly socket: net.Socket) {}

  /**
   * Writes buf[start, end). When it returns, the bytes are written or copied:
   * the caller may reuse `buf` at once.
   */
  write(buf: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    const s = this.socket;
    let done = 0;
    if (s.writableLength === 0 && !s.destroyed && !s.connecting) {
      const fd = (s as unknown as { _handle: HandleWithFd | null })._handle?.fd;
      if (typeof fd === 'number' && fd >= 0) {
        try {
          done = fs.writeSync(fd, buf, start, end - start);
        } catch {
          // EAGAIN (send buffer full) or a broken connection: the stream
          // write below queues the bytes or surfaces the error the usual way.
          done = 0;
        }
        if (done === end - start) {
          this.directWrites++;
          return;
        }
      }
    }
    this.streamWrites++;
    s.write(Buffer.from(buf.subarray(start + done, end)));
  }
}
