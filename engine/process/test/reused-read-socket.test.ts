// adoptWithReusedReadBuffer on real accepted connections: the adopted socket
// reads into the caller's buffer and writes back, the server stops counting
// the original, and a connection that cannot be moved is left as it was.
import net from 'node:net';
import t from 'tap';
import { adoptWithReusedReadBuffer } from '../reused-read-socket';

async function acceptOne(): Promise<{
  server: net.Server;
  client: net.Socket;
  accepted: net.Socket;
}> {
  const server = net.createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const acceptedP = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => client.once('connect', resolve));
  return { server, client, accepted: await acceptedP };
}

t.test(
  'reads land in the given buffer; writes go back; the server forgets the original',
  async (t) => {
    const { server, client, accepted } = await acceptOne();
    t.teardown(() => {
      client.destroy();
      server.close();
    });
    const buffer = Buffer.alloc(1024);
    const seen: string[] = [];
    let sameBuffer = true;
    const adopted = adoptWithReusedReadBuffer(accepted, buffer, (bytes) => {
      sameBuffer &&= bytes.buffer === buffer.buffer;
      seen.push(bytes.toString('latin1'));
      return true;
    });
    t.ok(adopted !== undefined, 'the connection moved');
    const reply = new Promise<string>((resolve) =>
      client.once('data', (b) => resolve(b.toString())),
    );
    adopted!.resume();
    adopted!.write('pong');
    t.equal(await reply, 'pong', 'the adopted socket writes');
    const text = 'x'.repeat(5000); // several reads of the 1 KB buffer
    client.write(text);
    const deadline = Date.now() + 5000;
    while (seen.join('').length < text.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    t.equal(seen.join(''), text, 'every byte, in order');
    t.ok(seen.length >= 5, `read in pieces of at most 1 KB (${seen.length} reads)`);
    t.ok(sameBuffer, 'every read was a view of the given buffer');
    const count = await new Promise<number>((resolve, reject) =>
      server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
    );
    t.equal(count, 0, 'the server no longer counts the original socket');
    const closed = new Promise<void>((resolve) => adopted!.once('close', () => resolve()));
    client.end();
    await closed;
    t.pass('the adopted socket closes when the peer does');
  },
);

t.test('a socket without its handle is left alone', async (t) => {
  const { server, client, accepted } = await acceptOne();
  t.teardown(() => {
    client.destroy();
    server.close();
  });
  accepted.destroy();
  t.equal(
    adoptWithReusedReadBuffer(accepted, Buffer.alloc(16), () => true),
    undefined,
    'nothing to move',
  );
});
