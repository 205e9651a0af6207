// The exchange's process topology with none of its logic, for bench:gateway's
// second reference. Two processes, started like the engine and the gateway
// (same Node flags):
//
// - a relay gateway (uWS): answers logons at once and forwards each order,
//   as a fixed-size record, over a TCP link to
// - a relay journal: appends what each read of the link brought to a Redis
//   stream with one XADD (pipelined) and, when Redis confirms, writes those
//   records back; the relay gateway then acknowledges each order.
//
// So an order takes the same six hops as through the exchange (load
// generator -> gateway -> engine -> Redis -> engine -> gateway -> load
// generator), with the same batching of link writes (one per event-loop turn)
// and appends (one per read), and none of the decoding beyond the
// ClientMessage, checks, matching, reports, market data or journal fence.
// What the exchange adds to an order's latency is its latency minus this.
import net from 'node:net';
import { SocketWriter } from '../../common/socket-writer';
import { RespConnection, type RespListener } from '../../engine/process/resp-connection';
import { nowUs } from '../../gateway/clock';
import { loadUws, type WebSocket } from '../../gateway/uws';
import { exchange } from '../../proto';

/** One forwarded order: u32 connection slot, f64 request id, f64 gateway receive time (µs). */
export const RELAY_RECORD_BYTES = 20;

/** Entries the relay stream keeps (XADD MAXLEN ~): it only has to exist, not grow. */
const STREAM_MAX_ENTRIES = '100000';

const EMPTY: Buffer = Buffer.alloc(0);

/**
 * Whole records of `pending` + `chunk` as one buffer, and the partial record
 * left over (a read may end inside one).
 */
export function splitRecords(pending: Buffer, chunk: Buffer): { whole: Buffer; rest: Buffer } {
  const buf = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
  const n = buf.length - (buf.length % RELAY_RECORD_BYTES);
  return {
    whole: buf.subarray(0, n),
    rest: n === buf.length ? EMPTY : Buffer.from(buf.subarray(n)),
  };
}

export interface RelayJournal {
  readonly port: number;
  /** XADDs Redis has confirmed. */
  readonly appended: () => number;
  close(): Promise<void>;
}

/** Listens on host:port (0 = any free port) for one relay gateway at a time. */
export async function startRelayJournal(opts: {
  host: string;
  port: number;
  redisUrl: string;
  streamKey: string;
  onFailure: (why: string) => void;
}): Promise<RelayJournal> {
  const conn = await RespConnection.connect(opts.redisUrl, 'bench-relay-journal', 5_000);
  // Appends in flight, oldest first: the records each one carries.
  const inFlight: (Buffer | undefined)[] = [];
  let head = 0;
  let appended = 0;
  let peer: SocketWriter | undefined;
  let closing = false;
  const listener: RespListener = {
    onReply(err) {
      if (err !== null) {
        opts.onFailure(`XADD failed: ${err}`);
        return;
      }
      const records = inFlight[head];
      inFlight[head++] = undefined;
      if (head > 1024 && head * 2 > inFlight.length) {
        inFlight.splice(0, head);
        head = 0;
      }
      appended++;
      if (records !== undefined) peer?.write(records, 0, records.length);
    },
    onClose(reason) {
      if (!closing) opts.onFailure(`Redis connection: ${reason}`);
    },
  };
  conn.listener = listener;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    // Confirmations go back to the one gateway: a second one is refused.
    if (peer !== undefined) {
      s.destroy();
      return;
    }
    sockets.add(s);
    s.setNoDelay(true);
    const writer = new SocketWriter(s);
    peer = writer;
    let pending: Buffer = EMPTY;
    s.on('data', (chunk: Buffer) => {
      const { whole, rest } = splitRecords(pending, chunk);
      pending = rest;
      if (whole.length === 0) return;
      const records = Buffer.from(whole);
      inFlight.push(records);
      conn.send(
        RespConnection.encode([
          'XADD',
          opts.streamKey,
          'MAXLEN',
          '~',
          STREAM_MAX_ENTRIES,
          '*',
          'e',
          records,
        ]),
      );
    });
    s.on('error', () => s.destroy());
    s.on('close', () => {
      sockets.delete(s);
      if (peer === writer) peer = undefined;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    appended: () => appended,
    close: async () => {
      closing = true;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      conn.close('relay journal closing');
    },
  };
}

export interface RelayGateway {
  readonly port: number;
  close(): void;
}

interface SlotData {
  slot: number;
}

/** uWS on host:port (0 = any free port), linked to the relay journal at journalHost:journalPort. */
export async function startRelayGateway(opts: {
  host: string;
  port: number;
  journalHost: string;
  journalPort: number;
  onFailure: (why: string) => void;
}): Promise<RelayGateway> {
  const uws = loadUws();
  const v1 = exchange.v1;
  const link = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host: opts.journalHost, port: opts.journalPort }, () => resolve(s));
    s.once('error', reject);
  });
  link.setNoDelay(true);
  const writer = new SocketWriter(link);
  let closing = false;
  link.on('error', (err) => {
    if (!closing) opts.onFailure(`link to the relay journal: ${err.message}`);
  });
  link.on('close', () => {
    if (!closing) opts.onFailure('the relay journal closed the link');
  });

  // Records gathered in one event-loop turn go out in one write, as the
  // gateway's link writes do.
  const out = Buffer.allocUnsafe(64 * 1024);
  let outPos = 0;
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    const n = outPos;
    outPos = 0;
    if (n > 0) writer.write(out, 0, n);
  };

  const sockets: (WebSocket<SlotData> | undefined)[] = [];
  let orderId = 1;
  let pending: Buffer = EMPTY;
  link.on('data', (chunk: Buffer) => {
    const { whole, rest } = splitRecords(pending, chunk);
    pending = rest;
    for (let p = 0; p < whole.length; p += RELAY_RECORD_BYTES) {
      const ws = sockets[whole.readUInt32LE(p)];
      if (ws === undefined) continue;
      const bytes = v1.ServerMessage.encode({
        requestId: whole.readDoubleLE(p + 4),
        recvTimeUs: whole.readDoubleLE(p + 12),
        sendTimeUs: nowUs(),
        orderResponse: { acks: [{ orderId: orderId++, status: v1.OrderStatus.ORDER_STATUS_NEW }] },
      }).finish();
      ws.cork(() => ws.send(bytes, true, false));
    }
  });

  const app = uws.App().ws<SlotData>('/*', {
    compression: uws.DISABLED,
    maxPayloadLength: 64 * 1024,
    idleTimeout: 0,
    open: (ws) => {
      ws.getUserData().slot = sockets.length;
      sockets.push(ws);
    },
    close: (ws) => {
      sockets[ws.getUserData().slot] = undefined;
    },
    message: (ws, message) => {
      const recvUs = nowUs();
      let msg: exchange.v1.ClientMessage;
      try {
        msg = v1.ClientMessage.decode(new Uint8Array(message));
      } catch (err) {
        const reject = {
          reason: v1.RejectReason.REJECT_REASON_MALFORMED_MESSAGE,
          message: `undecodable ClientMessage: ${(err as Error).message}`,
        };
        ws.send(v1.ServerMessage.encode({ reject }).finish(), true, false);
        return;
      }
      const requestId = Number(msg.requestId ?? 0);
      if (msg.body === 'newOrder') {
        if (outPos + RELAY_RECORD_BYTES > out.length) flush();
        out.writeUInt32LE(ws.getUserData().slot, outPos);
        out.writeDoubleLE(requestId, outPos + 4);
        out.writeDoubleLE(recvUs, outPos + 12);
        outPos += RELAY_RECORD_BYTES;
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
        return;
      }
      const reply: exchange.v1.IServerMessage =
        msg.body === 'logon'
          ? {
              requestId,
              logonAck: { sessionId: 'relay', accountId: 1, heartbeatIntervalMs: 30_000 },
            }
          : {
              requestId,
              reject: { reason: v1.RejectReason.REJECT_REASON_UNSUPPORTED_MESSAGE },
            };
      ws.send(v1.ServerMessage.encode(reply).finish(), true, false);
    },
  });
  const token = await new Promise<unknown>((resolve, reject) => {
    app.listen(opts.host, opts.port, (t) => {
      if (t) resolve(t);
      else reject(new Error(`relay gateway could not listen on ${opts.host}:${opts.port}`));
    });
  });
  return {
    port: uws.us_socket_local_port(token as never),
    close: () => {
      closing = true;
      uws.us_listen_socket_close(token as never);
      for (const ws of sockets) ws?.close();
      link.destroy();
    },
  };
}

/** As a child process of the benchmark: RELAY_ROLE=journal|gateway, ports and Redis from the environment. */
async function main(env: NodeJS.ProcessEnv): Promise<void> {
  const fail = (why: string): void => {
    process.stderr.write(`relay ${env.RELAY_ROLE}: ${why}\n`);
    process.exit(1);
  };
  const port = Number(env.RELAY_PORT ?? 0);
  if (env.RELAY_ROLE === 'journal') {
    const j = await startRelayJournal({
      host: '127.0.0.1',
      port,
      redisUrl: env.RELAY_REDIS_URL ?? 'redis://127.0.0.1:6379',
      streamKey: env.RELAY_STREAM_KEY ?? 'bench-relay{0}',
      onFailure: fail,
    });
    process.once('SIGTERM', () => void j.close().then(() => process.exit(0)));
  } else if (env.RELAY_ROLE === 'gateway') {
    const g = await startRelayGateway({
      host: '127.0.0.1',
      port,
      journalHost: '127.0.0.1',
      journalPort: Number(env.RELAY_JOURNAL_PORT ?? 0),
      onFailure: fail,
    });
    process.once('SIGTERM', () => {
      g.close();
      process.exit(0);
    });
  } else {
    fail(`RELAY_ROLE must be journal or gateway, not '${env.RELAY_ROLE ?? ''}'`);
  }
}

if (require.main === module) {
  main(process.env).catch((err: unknown) => {
    process.stderr.write(`relay: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
