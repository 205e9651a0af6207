// SocketWriter over a real loopback TCP connection: bytes arrive whole and in
// order whether write(2) takes them at once or the stream has to queue them
// (a reader that stops reading fills the kernel's buffers), the caller may
// reuse its buffer as soon as write() returns, and a destroyed socket is
// never written to directly.
import net from 'node:net';
import t from 'tap';
import { Rng } from '../../engine/testing/command-generator';
import { SocketWriter } from '../socket-writer';

interface Pair {
  client: net.Socket;
  server: net.Socket;
  close(): void;
}

async function pair(): Promise<Pair> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((resolve) => srv.once('connection', resolve));
  const client = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => client.once('connect', resolve));
  const server = await accepted;
  return {
    client,
    server,
    close: () => {
      client.destroy();
      server.destroy();
      srv.close();
    },
  };
}

/** Collects `n` bytes from `s`. */
function collect(s: net.Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (b: Buffer): void => {
      parts.push(b);
      got += b.length;
      if (got >= n) {
        s.off('data', onData);
        resolve(Buffer.concat(parts));
      }
    };
    s.on('data', onData);
    s.once('error', reject);
  });
}

t.test('small writes go straight to the kernel, in order, from one reused buffer', async (t) => {
  const p = await pair();
  t.teardown(p.close);
  const w = new SocketWriter(p.client);
  const scratch = Buffer.alloc(64);
  const expected: number[] = [];
  const n = 2_000;
  const received = collect(p.server, n * 8);
  for (let i = 0; i < n; i++) {
    // The same bytes are overwritten at once: what was sent must not change.
    scratch.writeDoubleLE(i, 8);
    w.write(scratch, 8, 16);
    for (const b of scratch.subarray(8, 16)) expected.push(b);
  }
  t.same([...(await received)], expected);
  t.equal(w.directWrites, n, 'every write was one direct write(2)');
  t.equal(w.streamWrites, 0);
});

t.test('a reader that stops reading: the rest is queued in order and arrives whole', async (t) => {
  const p = await pair();
  t.teardown(p.close);
  p.server.pause();
  const w = new SocketWriter(p.client);
  const rng = new Rng(20261126);
  const chunk = Buffer.alloc(256 * 1024);
  const expected: Buffer[] = [];
  let total = 0;
  // ~16 MB: far past the loopback socket buffers, so write(2) comes up short.
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < chunk.length; j += 4) chunk.writeUInt32LE(rng.int(0, 0x7fffffff), j);
    const len = rng.int(1, chunk.length);
    w.write(chunk, 0, len);
    expected.push(Buffer.from(chunk.subarray(0, len)));
    total += len;
  }
  t.ok(w.streamWrites > 0, 'some writes had to be queued by the stream');
  t.ok(w.directWrites > 0, 'the first ones went straight to the kernel');
  const received = collect(p.server, total);
  p.server.resume();
  const got = await received;
  t.equal(got.length, total);
  t.ok(got.equals(Buffer.concat(expected)), 'every byte, in order');
});

t.test('a destroyed socket is not written to directly', async (t) => {
  const p = await pair();
  t.teardown(p.close);
  const w = new SocketWriter(p.client);
  p.client.on('error', () => undefined);
  p.client.destroy();
  w.write(Buffer.from('late'), 0, 4);
  t.equal(w.directWrites, 0);
  t.equal(w.streamWrites, 1, 'handed to the stream, which drops it (destroyed)');
});

t.test('an empty range writes nothing', async (t) => {
  const p = await pair();
  t.teardown(p.close);
  const w = new SocketWriter(p.client);
  w.write(Buffer.from('abc'), 2, 2);
  t.equal(w.directWrites + w.streamWrites, 0);
});
