// The floor: what no gateway can beat on this machine. One WebSocket echo
// round trip on uWebSockets.js (same raw client as the load, a 32-byte binary
// message, client in a worker thread, server in this thread) plus one Redis
// XADD round trip (a 128-byte field, like a small journal entry). Each is the
// median of sequential round trips on an otherwise idle connection.
import { Worker } from 'node:worker_threads';
import type Redis from 'ioredis';
import { loadUws } from '../../gateway/uws';
import { Histogram } from './histogram';

export interface FloorResult {
  wsEchoP50Us: number;
  wsEchoP99Us: number;
  xaddP50Us: number;
  xaddP99Us: number;
  floorUs: number;
}

/** Starts a uWS echo server on 127.0.0.1 (free port); returns the port and a stop function. */
export function startEchoServer(): Promise<{ port: number; stop: () => void }> {
  const uws = loadUws();
  return new Promise((resolve, reject) => {
    const app = uws.App().ws('/*', {
      compression: uws.DISABLED,
      maxPayloadLength: 1024,
      idleTimeout: 0,
      message: (ws, message, isBinary) => {
        ws.send(message, isBinary, false);
      },
    });
    app.listen('127.0.0.1', 0, (token) => {
      if (!token) {
        reject(new Error('uWS echo server could not listen'));
        return;
      }
      resolve({
        port: uws.us_socket_local_port(token),
        stop: () => uws.us_listen_socket_close(token),
      });
    });
  });
}

/** Median sequential echo RTT (µs) measured from a worker thread. */
export function measureEcho(port: number, samples: number): Promise<Histogram> {
  return new Promise((resolve, reject) => {
    const w = new Worker(__filename.replace(/floor\.(js|ts)$/, 'floor-worker.$1'), {
      workerData: { port, samples },
    });
    w.once('message', (m: { error?: string; histogram?: ReturnType<Histogram['toJSON']> }) => {
      void w.terminate();
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve(Histogram.from(m.histogram!));
    });
    w.once('error', reject);
  });
}

/** Sequential XADD round trips on `redis` to a scratch stream (deleted afterwards). */
export async function measureXadd(redis: Redis, samples: number): Promise<Histogram> {
  const key = `bench:floor:{${process.pid}}`;
  const payload = Buffer.alloc(128, 7);
  const h = new Histogram();
  try {
    for (let i = 0; i < samples + 100; i++) {
      const t0 = performance.now();
      await redis.xadd(key, 'MAXLEN', '~', '1000', '*', 'e', payload);
      const dt = performance.now() - t0;
      if (i >= 100) h.record(dt * 1e6); // after a warm-up
    }
  } finally {
    await redis.del(key);
  }
  return h;
}

export async function measureFloor(redis: Redis, samples = 3000): Promise<FloorResult> {
  const server = await startEchoServer();
  let ws: Histogram;
  try {
    ws = await measureEcho(server.port, samples);
  } finally {
    server.stop();
  }
  const x = await measureXadd(redis, samples);
  const us = (ns: number) => Math.round(ns / 100) / 10;
  return {
    wsEchoP50Us: us(ws.percentile(50)),
    wsEchoP99Us: us(ws.percentile(99)),
    xaddP50Us: us(x.percentile(50)),
    xaddP99Us: us(x.percentile(99)),
    floorUs: us(ws.percentile(50) + x.percentile(50)),
  };
}
