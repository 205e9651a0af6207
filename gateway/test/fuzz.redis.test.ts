// Bad input over real WebSocket connections to a gateway in its own process
// (real engine, Redis and Postgres behind it): more than 100,000 random,
// truncated, mutated, empty, text and oversized frames, frames before logon
// and order-entry garbage after it, plus raw WebSocket protocol violations.
//
// Checked: the gateway never crashes; every frame that reaches it gets an
// answer (a Reject with a reason, or the reply its request asks for) or the
// connection is closed with a close code and reason (1009 oversized, 1008
// too many bad frames, 4003 refused logon); protocol violations, invalid
// UTF-8 and frames above uWS's 1 MiB are dropped by uWS itself without a
// close frame. Memory: after two full GCs, the gateway's V8 heap grows by at
// most HEAP_BOUND and its RSS by at most RSS_BOUND over the run (measured
// after a warm-up, so JIT code and pools are already in place).
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { exchange } from '../../proto';
import { MAX_BAD_FRAMES_PER_CONNECTION, MAX_FRAME_BYTES } from '../limits';
import { CloseCode } from '../protocol';
import {
  type ExchangeEnv,
  limitOrder,
  MARKET_ID,
  startExchange,
  type TestKey,
} from './helpers/exchange-env';
import { WsClient } from './helpers/ws-client';

const v1 = exchange.v1;

/** Frames to send in the measured run (the warm-up adds WARMUP_FRAMES). */
const FRAMES = 100_000;
const WARMUP_FRAMES = Math.min(6_000, FRAMES);
/** Memory bounds stated in the README: growth of the gateway process over FRAMES frames. */
const HEAP_BOUND = 16 * 1024 * 1024;
const RSS_BOUND = 96 * 1024 * 1024;
const WORKERS = 4;
const BATCH = 40;
/** Frames per connection before the worker reconnects (below the bad-frame limit). */
const PER_CONNECTION = Math.floor(MAX_BAD_FRAMES_PER_CONNECTION * 0.8);

const RESPONSE_BODIES = new Set([
  'reject',
  'pong',
  'logonAck',
  'orderResponse',
  'orderStatus',
  'subscribe',
  'bookSnapshot',
  'replayReports',
  'deadManSwitch',
]);

/** mulberry32: a small seeded PRNG so a failure can be reproduced from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

type Frame =
  | { kind: 'binary'; bytes: Uint8Array }
  | { kind: 'text'; text: string }
  | { kind: 'oversized'; bytes: Uint8Array }
  | { kind: 'protocol'; raw: Buffer };

function templates(key: TestKey): Uint8Array[] {
  const msgs: exchange.v1.IClientMessage[] = [
    { requestId: 1, ping: { clientTimeUs: 123 } },
    {
      requestId: 2,
      logon: { apiKeyPrefix: key.prefix, apiSecret: 'not-the-secret', heartbeatIntervalMs: 5_000 },
    },
    {
      requestId: 3,
      logon: {
        apiKeyPrefix: key.prefix,
        timestampUs: Date.now() * 1000,
        nonce: Buffer.alloc(16, 7),
        signature: Buffer.alloc(64, 1),
      },
    },
    { requestId: 4, newOrder: limitOrder('buy', 10, 1, 'fz') },
    {
      requestId: 5,
      newOrderBatch: { orders: [limitOrder('sell', 9_000, 1), limitOrder('buy', 1, 2, 'x')] },
    },
    { requestId: 6, cancelOrder: { marketId: MARKET_ID, orderId: 77 } },
    {
      requestId: 7,
      cancelOrderBatch: {
        cancels: [
          { marketId: MARKET_ID, clientOrderId: 'fz' },
          { marketId: 2, orderId: 5 },
        ],
      },
    },
    { requestId: 8, cancelAll: { marketId: MARKET_ID } },
    {
      requestId: 9,
      amendOrder: { marketId: MARKET_ID, orderId: 3, newQtyLots: 2, newPriceTicks: 11 },
    },
    { requestId: 10, orderStatus: { marketId: MARKET_ID, clientOrderId: 'fz' } },
    { requestId: 11, replayReports: { afterReportSeq: 4096 } },
    {
      requestId: 12,
      subscribe: {
        subscriptions: [
          { channel: v1.Channel.CHANNEL_BOOK, marketId: MARKET_ID, depth: 5 },
          { channel: v1.Channel.CHANNEL_REPORTS },
        ],
      },
    },
    {
      requestId: 13,
      unsubscribe: { subscriptions: [{ channel: v1.Channel.CHANNEL_TRADES, marketId: MARKET_ID }] },
    },
    { requestId: 14, bookSnapshot: { marketId: MARKET_ID, depth: 3 } },
    { requestId: 15, deadManSwitch: { timeoutMs: 600_000, marketId: MARKET_ID } },
  ];
  return msgs.map((m) => v1.ClientMessage.encode(m).finish());
}

function makeFrame(rnd: () => number, tpl: Uint8Array[]): Frame {
  const r = rnd();
  const pick = (): Uint8Array => tpl[Math.floor(rnd() * tpl.length)]!;
  const randomBytes = (n: number): Uint8Array => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
    return b;
  };
  if (r < 0.22) return { kind: 'binary', bytes: randomBytes(Math.floor(rnd() * 200)) };
  if (r < 0.42) {
    const m = pick();
    return { kind: 'binary', bytes: m.subarray(0, Math.floor(rnd() * m.length)) };
  }
  if (r < 0.75) {
    const m = Uint8Array.from(pick());
    const edits = 1 + Math.floor(rnd() * 4);
    let out = m;
    for (let e = 0; e < edits; e++) {
      const op = rnd();
      const at = Math.floor(rnd() * Math.max(1, out.length));
      if (op < 0.4 && out.length > 0) out[at] = out[at]! ^ (1 << Math.floor(rnd() * 8));
      else if (op < 0.7 && out.length > 0) out[at] = Math.floor(rnd() * 256);
      else if (op < 0.85)
        out = Uint8Array.from([
          ...out.subarray(0, at),
          ...randomBytes(1 + Math.floor(rnd() * 9)),
          ...out.subarray(at),
        ]);
      else
        out = Uint8Array.from([
          ...out.subarray(0, at),
          ...out.subarray(at + 1 + Math.floor(rnd() * 4)),
        ]);
    }
    return { kind: 'binary', bytes: out };
  }
  if (r < 0.88) return { kind: 'binary', bytes: pick() };
  if (r < 0.9) return { kind: 'binary', bytes: new Uint8Array(0) };
  if (r < 0.97) {
    const words = ['{"op":"order"}', 'ping', '\u00e9\u4e2d', 'SELECT 1', String(rnd())];
    return {
      kind: 'text',
      text: words[Math.floor(rnd() * words.length)]!.repeat(1 + Math.floor(rnd() * 5)),
    };
  }
  if (r < 0.985)
    return {
      kind: 'oversized',
      bytes: randomBytes(MAX_FRAME_BYTES + 1 + Math.floor(rnd() * 20_000)),
    };
  const raws = [
    Buffer.from([0x83, 0x80, 1, 2, 3, 4]), // reserved opcode
    Buffer.from([0x82, 0x01, 0x41]), // unmasked client frame
    Buffer.from([0xc2, 0x80, 1, 2, 3, 4]), // RSV1 without an extension
    Buffer.from([0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]), // 2^63-byte length
    Buffer.from([0x09, 0x80, 1, 2, 3, 4]), // fragmented ping
    WsClient.frame(Buffer.from([0xff, 0xfe, 0xfd]), 1), // invalid UTF-8 text
    Buffer.from([0x80, 0x80, 1, 2, 3, 4]), // continuation without a start
  ];
  return { kind: 'protocol', raw: raws[Math.floor(rnd() * raws.length)]! };
}

interface Tally {
  frames: number;
  /** Connections left stalled by a raw protocol violation (closed by the client). */
  stalled: number;
  answered: number;
  closes: Map<string, number>;
  violations: string[];
  connections: number;
}

function decodeBodies(ws: WsClient, from: number): string[] {
  const out: string[] = [];
  for (let i = from; i < ws.messages.length; i++) {
    const m = ws.messages[i]!;
    if (!m.binary) {
      out.push('text!');
      continue;
    }
    out.push(v1.ServerMessage.decode(m.data).body ?? 'none');
  }
  return out;
}

async function worker(
  url: string,
  seed: number,
  frames: number,
  key: TestKey,
  logon: boolean,
  tally: Tally,
): Promise<void> {
  const rnd = prng(seed);
  const tpl = templates(key);
  let sent = 0;
  let sentinel = seed * 1_000_000;
  while (sent < frames) {
    const ws = await WsClient.connect(url);
    tally.connections++;
    if (logon) {
      ws.sendBinary(
        v1.ClientMessage.encode({
          requestId: 1,
          logon: { apiKeyPrefix: key.prefix, apiSecret: key.secret },
        }).finish(),
      );
      await ws.waitUntil(() => ws.messages.length > 0, 5_000, 'logon answer');
    }
    let onThis = 0;
    while (!ws.isClosed && sent < frames && onThis < PER_CONNECTION) {
      const start = ws.messages.length;
      let expected = 0;
      let terminal: Frame | undefined;
      for (let i = 0; i < BATCH && sent < frames; i++) {
        const f = makeFrame(rnd, tpl);
        sent++;
        onThis++;
        if (f.kind === 'binary') {
          ws.sendBinary(f.bytes);
          expected++;
        } else if (f.kind === 'text') {
          ws.sendText(f.text);
          expected++;
        } else {
          terminal = f;
          if (f.kind === 'oversized') ws.sendBinary(f.bytes);
          else ws.sendRaw(f.raw);
          break;
        }
      }
      if (terminal === undefined)
        ws.sendBinary(
          v1.ClientMessage.encode({ requestId: 0, ping: { clientTimeUs: ++sentinel } }).finish(),
        );
      const want = sentinel;
      if (terminal?.kind === 'protocol') {
        // uWS drops most violations at once; an unmasked frame instead stalls the
        // parser (it waits for a mask). Either way this connection is done: the
        // gateway's logon/idle timeout would close a stalled one (checked below).
        await ws
          .waitUntil(() => ws.isClosed, 300, 'uWS to drop the connection')
          .catch(() => {
            tally.stalled++;
            ws.destroy();
          });
        tally.frames += expected + 1;
        tally.answered += decodeBodies(ws, start).filter((b) => RESPONSE_BODIES.has(b)).length;
        break;
      }
      try {
        await ws.waitUntil(
          () => {
            if (terminal !== undefined) return ws.isClosed;
            const bodies = decodeBodies(ws, start);
            const answers = bodies.filter((b) => RESPONSE_BODIES.has(b)).length;
            const pong = ws.messages
              .slice(start)
              .some((m) => m.binary && v1.ServerMessage.decode(m.data).pong?.clientTimeUs === want);
            return pong && answers >= expected + 1;
          },
          10_000,
          'answers to a batch',
        );
      } catch (err) {
        if (!ws.isClosed) {
          tally.violations.push(
            `seed ${seed}: ${(err as Error).message}; got ${decodeBodies(ws, start).join(',')}`,
          );
          ws.destroy();
          break;
        }
      }
      const bodies = decodeBodies(ws, start);
      if (bodies.includes('text!'))
        tally.violations.push(`seed ${seed}: the gateway sent a text frame`);
      tally.answered += bodies.filter((b) => RESPONSE_BODIES.has(b)).length;
      tally.frames += expected + (terminal === undefined ? 0 : 1);
      if (ws.isClosed) {
        const info = ws.closeInfo!;
        const key2 = `${info.code}`;
        tally.closes.set(key2, (tally.closes.get(key2) ?? 0) + 1);
        if (info.code === 1006 || info.reason === '') {
          tally.violations.push(`seed ${seed}: closed without a code and reason (${info.code})`);
        }
      }
    }
    ws.close();
    ws.destroy();
  }
}

interface Child {
  proc: ChildProcess;
  port: number;
  memory(): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<number | null>;
}

async function startChild(env: ExchangeEnv): Promise<Child> {
  const options = {
    waitForEngineMs: 15_000,
    config: {
      databaseUrl: env.db.url,
      redisUrl: env.redis.url,
      gatewayHost: '127.0.0.1',
      gatewayPort: 0,
    },
    gateway: {
      gatewayId: 'gw-fuzz',
      shards: [{ shardId: 0, host: '127.0.0.1', port: env.engine.port }],
      engineTimeoutMs: 3_000,
    },
  };
  const loaders = process.execArgv.filter(
    (a) => a.startsWith('--import') || a.startsWith('--require') || a === '--enable-source-maps',
  );
  const proc = spawn(
    process.execPath,
    [...loaders, '--expose-gc', join(__dirname, 'helpers', 'gateway-child.ts')],
    {
      env: { ...process.env, GATEWAY_CHILD_OPTIONS: JSON.stringify(options) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => {
    try {
      lines.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      // not ours
    }
    for (const w of waiters.splice(0)) w();
  });
  const next = async (key: string): Promise<Record<string, unknown>> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const i = lines.findIndex((l) => key in l);
      if (i >= 0) return lines.splice(i, 1)[0]!;
      if (proc.exitCode !== null) throw new Error(`gateway child exited ${proc.exitCode}`);
      if (Date.now() > deadline) throw new Error(`gateway child: no ${key} line`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  };
  const port = (await next('port')).port as number;
  return {
    proc,
    port,
    async memory() {
      proc.kill('SIGUSR2');
      return (await next('memory')).memory as NodeJS.MemoryUsage;
    },
    stop() {
      return new Promise((resolve) => {
        if (proc.exitCode !== null) {
          resolve(proc.exitCode);
          return;
        }
        proc.once('exit', (code) => resolve(code));
        proc.kill('SIGTERM');
      });
    },
  };
}

t.test(
  `fuzz: ${FRAMES} bad frames never crash the gateway, each is answered or closes the connection`,
  async (t) => {
    const env = await startExchange({ users: [['fuzzer', 5001]] });
    t.teardown(() => env.stop());
    const key = await env.addKey(env.user('fuzzer'), {
      maxSessions: 1000,
      ordersPer10s: 1_000_000,
    });
    const child = await startChild(env);
    t.teardown(() => child.stop());
    const url = `ws://127.0.0.1:${child.port}/ws`;
    const run = async (frames: number, seedBase: number): Promise<Tally> => {
      const tally: Tally = {
        frames: 0,
        stalled: 0,
        answered: 0,
        closes: new Map(),
        violations: [],
        connections: 0,
      };
      const per = Math.ceil(frames / WORKERS);
      await Promise.all(
        Array.from({ length: WORKERS }, (_, i) =>
          worker(url, seedBase + i, per, key, i % 2 === 1, tally),
        ),
      );
      return tally;
    };

    // A connection stalled by an unmasked frame (uWS waits for a mask that never
    // comes) is still closed by the gateway: the logon timeout (4001) ends it.
    const stalled = await WsClient.connect(url);
    stalled.sendRaw(Buffer.from([0x82, 0x01, 0x41]));

    await run(WARMUP_FRAMES, 1);
    const before = await child.memory();
    const started = Date.now();
    const tally = await run(FRAMES, 101);
    const seconds = (Date.now() - started) / 1000;
    const after = await child.memory();

    t.equal(child.proc.exitCode, null, 'the gateway is still running');
    t.ok(
      tally.frames >= FRAMES * 0.99,
      `${tally.frames} frames sent over ${tally.connections} connections in ${seconds.toFixed(1)} s`,
    );
    t.same(
      tally.violations.slice(0, 30),
      [],
      'every frame answered or the connection closed with a code and reason',
    );
    t.comment(`${tally.answered} answers`);
    t.comment(`close codes: ${JSON.stringify(Object.fromEntries(tally.closes))}`);
    t.ok(
      (tally.closes.get(String(CloseCode.MESSAGE_TOO_BIG)) ?? 0) > 0,
      'oversized frames closed with 1009',
    );
    const heapGrowth = after.heapUsed - before.heapUsed;
    const rssGrowth = after.rss - before.rss;
    t.comment(
      `gateway heap ${(before.heapUsed / 2 ** 20).toFixed(1)} -> ${(after.heapUsed / 2 ** 20).toFixed(1)} MiB, ` +
        `rss ${(before.rss / 2 ** 20).toFixed(1)} -> ${(after.rss / 2 ** 20).toFixed(1)} MiB`,
    );
    t.ok(
      heapGrowth <= HEAP_BOUND,
      `heap growth ${(heapGrowth / 2 ** 20).toFixed(1)} MiB <= ${HEAP_BOUND / 2 ** 20} MiB`,
    );
    t.ok(
      rssGrowth <= RSS_BOUND,
      `rss growth ${(rssGrowth / 2 ** 20).toFixed(1)} MiB <= ${RSS_BOUND / 2 ** 20} MiB`,
    );

    // Past MAX_BAD_FRAMES_PER_CONNECTION bad frames a connection is closed (1008).
    const noisy = await WsClient.connect(url);
    for (let i = 0; i <= MAX_BAD_FRAMES_PER_CONNECTION; i++) noisy.sendBinary(new Uint8Array(0));
    const noisyClose = await noisy.closed;
    t.equal(
      noisyClose.code,
      CloseCode.POLICY_VIOLATION,
      `too many bad frames: ${noisyClose.reason}`,
    );
    t.equal(
      noisy.messages.length,
      MAX_BAD_FRAMES_PER_CONNECTION + 1,
      'each bad frame rejected, then SessionClosing',
    );

    const stalledClose = await Promise.race([
      stalled.closed,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000)),
    ]);
    t.equal(
      stalledClose?.code,
      CloseCode.LOGON_TIMEOUT,
      'a stalled connection is closed by the logon timeout',
    );
    t.comment(`${tally.stalled} connections stalled by unmasked frames (closed by the client)`);

    // Still serving: health, and a normal session trades.
    const health = await fetch(`http://127.0.0.1:${child.port}/api/v1/health`);
    t.equal(health.status, 200);
    const ws = await WsClient.connect(url);
    ws.sendBinary(
      v1.ClientMessage.encode({
        requestId: 1,
        logon: { apiKeyPrefix: key.prefix, apiSecret: key.secret },
      }).finish(),
    );
    ws.sendBinary(
      v1.ClientMessage.encode({
        requestId: 2,
        newOrder: limitOrder('buy', 3, 1, 'after-fuzz'),
      }).finish(),
    );
    await ws.waitUntil(() => ws.messages.length >= 2, 5_000, 'answers');
    const bodies = ws.messages.map((m) => v1.ServerMessage.decode(m.data).body);
    t.same(bodies.slice(0, 2), ['logonAck', 'orderResponse']);
    ws.close();
    t.equal(await child.stop(), 0, 'graceful exit on SIGTERM');
  },
);
