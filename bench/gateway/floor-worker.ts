// Worker side of the floor measurement: sequential echo round trips.
import { parentPort, workerData } from 'node:worker_threads';
import { Histogram } from './histogram';
import { RawWs } from './raw-ws';

async function run(port: number, samples: number): Promise<void> {
  const ws = await RawWs.connect('127.0.0.1', port, '/echo');
  const h = new Histogram();
  const msg = Buffer.alloc(32, 1);
  let t0 = 0;
  let i = 0;
  const warmup = 200;
  await new Promise<void>((resolve, reject) => {
    ws.onClose = (reason) => reject(new Error(`echo connection closed: ${reason}`));
    const next = (): void => {
      t0 = performance.now();
      ws.send(msg);
      ws.flush();
    };
    ws.onMessage = () => {
      const dt = performance.now() - t0;
      if (i >= warmup) h.record(dt * 1e6);
      i++;
      if (i >= samples + warmup) resolve();
      else next();
    };
    next();
  });
  ws.onClose = () => {};
  ws.close();
  const data = h.toJSON();
  parentPort!.postMessage({ histogram: data }, [data.counts.buffer as ArrayBuffer]);
}

if (parentPort !== null) {
  const d = workerData as { port: number; samples: number };
  run(d.port, d.samples).catch((err: Error) => parentPort!.postMessage({ error: err.message }));
}
