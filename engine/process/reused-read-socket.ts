// An accepted connection that reads into one reused buffer.
//
// Node's `onread` option (reads land in a buffer the caller owns, no
// ArrayBuffer per read) exists in Node 20 only for sockets Node connects
// itself, not for the ones a net.Server accepts. The engine's link server
// reads every command from accepted sockets, and the ArrayBuffer of each read
// cost it about 40% of every scavenge pause (sweeping them). So the server
// accepts with pauseOnConnect (nothing read yet) and hands the accepted
// handle to a new net.Socket built with `onread`; the first socket object,
// left without a handle, is destroyed so the server stops counting it.
//
// This leans on one internal of Node (`socket._handle`, the libuv handle).
// When it is not there, or building the new socket throws, the caller keeps
// the accepted socket and its 'data' events: slower, never wrong.
import net from 'node:net';

interface Handled {
  _handle?: unknown;
}

/**
 * Moves an accepted, paused socket's connection to a socket that reads into
 * `buffer` and calls `onRead(bytes)` with each read (the bytes are valid
 * during the call only; return false to stop reading). Returns the new
 * socket, paused (resume() starts reading), or undefined when the connection
 * could not be moved (then `accepted` is untouched and still paused).
 */
export function adoptWithReusedReadBuffer(
  accepted: net.Socket,
  buffer: Buffer,
  onRead: (bytes: Buffer) => boolean,
): net.Socket | undefined {
  const a = accepted as unknown as Handled;
  const handle = a._handle;
  if (handle === null || handle === undefined || accepted.destroyed) return undefined;
  let adopted: net.Socket;
  try {
    adopted = new net.Socket({
      handle,
      readable: true,
      writable: true,
      onread: {
        buffer,
        callback: (n: number, buf: Uint8Array) => onRead((buf as Buffer).subarray(0, n)),
      },
    } as net.SocketConstructorOpts);
  } catch {
    return undefined;
  }
  a._handle = null;
  // Only the server's count of connections still refers to it.
  accepted.destroy();
  return adopted;
}
