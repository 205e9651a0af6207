// The link server over real TCP, with a recording handler in place of the
// sequencer: accepted links read into the server's one reused buffer (the
// adopted socket of reused-read-socket.ts), frames come out whole and in
// order however the bytes are split across reads (including frames longer
// than one read), several links at once do not mix their bytes, replies are
// written back, backpressure pauses and resumes reading, and the server
// stops counting a closed link.
import net from 'node:net';
import pino from 'pino';
import t, { type Test } from 'tap';
import type { SocketWriter } from '../../../common/socket-writer';
import { encodeFrame, exchange, FrameReader } from '../../../proto';
import { Rng } from '../../testing/command-generator';
import { writePong } from '../link-messages';
import {
  beginLinkTurn,
  endLinkTurn,
  type Link,
  type LinkHandler,
  LinkServer,
} from '../link-server';
import { ProtoWriter } from '../proto-writer';

const v1 = exchange.v1;
const log = pino({ level: 'silent' });

/** Records every command's bytes; answers pings with a pong. */
class Recorder implements LinkHandler {
  readonly commands = new Map<Link, Buffer[]>();
  closed = 0;
  private readonly w = new ProtoWriter(256);
  onHello(): void {}
  onCommand(link: Link, _corr: number, buf: Uint8Array, start: number, end: number): void {
    let list = this.commands.get(link);
    if (list === undefined) {
      list = [];
      this.commands.set(link, list);
    }
    // Valid during the call only: keep a copy.
    list.push(Buffer.from(buf.subarray(start, end)));
  }
  onOrderStatus(): void {}
  onPing(link: Link, _corr: number, ping: exchange.v1.ILinkPing): void {
    this.w.reset();
    writePong(this.w, Number(ping.timeUs ?? 0), 1);
    link.write(this.w.buf, 0, this.w.pos);
  }
  onDeadManSwitch(): void {}
  onLinkClosed(): void {
    this.closed++;
  }
}

async function connect(port: number): Promise<net.Socket> {
  const s = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  s.setNoDelay(true);
  return s;
}

/** A LinkRequest{correlation_id, command} frame whose command is `size` recognisable bytes. */
function commandFrame(
  corr: number,
  marker: number,
  size: number,
): { frame: Buffer; command: Buffer } {
  // Any bytes do for the recorder; a recognisable pattern per command.
  const command = Buffer.alloc(size);
  for (let i = 0; i < size; i++) command[i] = (marker + i * 31) & 0xff;
  const frame = encodeFrame(
    v1.LinkRequest.encode({ correlationId: corr, command: undefined }).finish(),
  );
  // LinkRequest.command is field 3 (length-delimited): append it raw.
  const tag = Buffer.from([0x1a]);
  const len: number[] = [];
  for (let n = size; ; ) {
    if (n < 128) {
      len.push(n);
      break;
    }
    len.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  const body = Buffer.concat([frame.subarray(4), tag, Buffer.from(len), command]);
  return { frame: encodeFrame(body), command };
}

t.test('commands split anyhow across reads arrive whole, in order, per link', async (t) => {
  const rec = new Recorder();
  const server = new LinkServer(rec, log);
  const port = await server.listen({ host: '127.0.0.1', port: 0, socketPath: undefined });
  t.teardown(() => server.shutdownAll(0, 'test done'));
  const rng = new Rng(26_11_2026);
  const clients = await Promise.all([connect(port), connect(port), connect(port)]);
  t.teardown(() => {
    for (const c of clients) c.destroy();
  });
  const sent: Buffer[][] = clients.map(() => []);
  for (let i = 0; i < 600; i++) {
    const k = rng.int(0, clients.length - 1);
    // Mostly small; some near the frame limit, so frames span reads.
    const size = rng.chance(0.03) ? rng.int(30_000, 65_000) : rng.int(1, 300);
    const { frame, command } = commandFrame(i + 1, i, size);
    sent[k]!.push(command);
    // Written in random pieces.
    for (let p = 0; p < frame.length; ) {
      const n = Math.min(frame.length - p, rng.int(1, 70_000));
      clients[k]!.write(frame.subarray(p, p + n));
      p += n;
    }
  }
  const total = sent.reduce((n, s) => n + s.length, 0);
  const deadline = Date.now() + 10_000;
  const received = (): number => [...rec.commands.values()].reduce((n, s) => n + s.length, 0);
  while (received() < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  t.equal(received(), total, 'every command arrived');
  t.equal(server.adoptedLinks, 3, 'every link reads into the shared buffer');
  // Links were accepted in connect order; match them by their first command.
  const got = [...rec.commands.values()];
  for (const list of sent) {
    if (list.length === 0) continue;
    const mine = got.find((g) => g[0]!.equals(list[0]!));
    t.ok(mine !== undefined, 'a link received this client’s first command');
    t.same(
      mine!.map((b) => b.toString('hex')),
      list.map((b) => b.toString('hex')),
      'its commands, whole and in order',
    );
  }
});

t.test('answers go back; paused reading resumes; a closed link is forgotten', async (t) => {
  const rec = new Recorder();
  const server = new LinkServer(rec, log);
  const port = await server.listen({ host: '127.0.0.1', port: 0, socketPath: undefined });
  t.teardown(() => server.shutdownAll(0, 'test done'));
  const c = await connect(port);
  const reader = new FrameReader(1 << 20);
  const pongs: number[] = [];
  c.on('data', (chunk: Buffer) =>
    reader.push(chunk, (payload) => {
      const m = v1.LinkMessage.decode(payload);
      if (m.pong) pongs.push(Number(m.pong.timeUs));
    }),
  );
  const ping = (n: number): void => {
    c.write(encodeFrame(v1.LinkRequest.encode({ correlationId: n, ping: { timeUs: n } }).finish()));
  };
  for (let i = 1; i <= 50; i++) ping(i);
  const wait = async (n: number): Promise<void> => {
    const deadline = Date.now() + 5_000;
    while (pongs.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  };
  await wait(50);
  t.same(
    pongs,
    Array.from({ length: 50 }, (_, i) => i + 1),
    'fifty pongs, in order',
  );

  server.pauseReading();
  for (let i = 51; i <= 60; i++) ping(i);
  await new Promise((r) => setTimeout(r, 100));
  t.equal(pongs.length, 50, 'nothing read while paused');
  server.resumeReading();
  await wait(60);
  t.equal(pongs.length, 60, 'read again once resumed');

  t.equal(server.links.size, 1);
  c.destroy();
  const deadline = Date.now() + 5_000;
  while (server.links.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  t.equal(server.links.size, 0, 'the closed link is gone');
  t.equal(rec.closed, 1, 'the handler heard it once');
});

/** A server with one connected client; `writes()` counts the link's socket writes. */
async function oneLink(t: Test): Promise<{ c: net.Socket; link: Link; writes: () => number }> {
  const server = new LinkServer(new Recorder(), log);
  const port = await server.listen({ host: '127.0.0.1', port: 0, socketPath: undefined });
  t.teardown(() => server.shutdownAll(0, 'test done'));
  const c = await connect(port);
  t.teardown(() => c.destroy());
  const deadline = Date.now() + 5_000;
  while (server.links.size === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const link = [...server.links][0]!;
  const writer = (link as unknown as { writer: SocketWriter }).writer;
  return { c, link, writes: () => writer.directWrites + writer.streamWrites };
}

t.test(
  'writes in a link turn go out in one write when it ends; outside one, on nextTick',
  async (t) => {
    const { c, link, writes } = await oneLink(t);
    const got: Buffer[] = [];
    c.on('data', (chunk: Buffer) => got.push(chunk));
    const deadline = Date.now() + 5_000;

    beginLinkTurn();
    beginLinkTurn(); // turns nest: only the outermost end flushes
    link.write(Buffer.from('ab'));
    link.write(Buffer.from('cd'));
    endLinkTurn();
    t.equal(writes(), 0, 'nothing written before the outermost turn ends');
    endLinkTurn();
    t.equal(writes(), 1, 'both in one write when it ends');

    link.write(Buffer.from('ef'));
    link.write(Buffer.from('gh'));
    t.equal(writes(), 1, 'outside a turn nothing is written synchronously');
    await new Promise((r) => process.nextTick(r));
    t.equal(writes(), 2, 'and both go in one write on nextTick');

    while (Buffer.concat(got).length < 8 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    t.equal(Buffer.concat(got).toString(), 'abcdefgh', 'every byte, in order');
    t.throws(() => endLinkTurn(), /endLinkTurn without beginLinkTurn/);
  },
);

t.test('the pongs to the pings of one read go out in fewer writes than pings', async (t) => {
  const { c, writes } = await oneLink(t);
  const reader = new FrameReader(1 << 20);
  let pongs = 0;
  c.on('data', (chunk: Buffer) =>
    reader.push(chunk, (payload) => {
      if (v1.LinkMessage.decode(payload).pong) pongs++;
    }),
  );
  const pings = Array.from({ length: 20 }, (_, i) =>
    encodeFrame(v1.LinkRequest.encode({ correlationId: i + 1, ping: { timeUs: i } }).finish()),
  );
  c.write(Buffer.concat(pings)); // one write: on loopback, one read or very few
  const deadline = Date.now() + 5_000;
  while (pongs < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  t.equal(pongs, 20);
  t.ok(writes() < 20, `a write per read, not per pong (${writes()} writes)`);
});
