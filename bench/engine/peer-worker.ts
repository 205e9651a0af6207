// The peer (nodejs-order-book) runs in a worker thread of the benchmark
// process: its own V8 isolate, so neither library's heap, garbage and JIT
// state leaks into the other's timed sections. Measured here: our sections run
// ~10% slower right after a peer section in the same isolate than after one
// in a worker, while the peer's own rate is the same either way.
//
// The worker generates the scenario itself from the same generator and
// options (the generators are deterministic) and proves it has the same
// stream by its fingerprint; it then answers warm-up and section requests,
// each verified against the model inside the worker as before.
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { type PeerSection, timePeerSection, VerificationError, warmUpPeer } from './harness';
import type { PeerRun } from './peer';
import {
  type DeepQueueOptions,
  generateDeepQueue,
  generateRequote,
  type RequoteOptions,
  type Scenario,
} from './streams';

export type PeerStream =
  | { kind: 'requote'; options: RequoteOptions }
  | { kind: 'deep'; options: DeepQueueOptions };

type Request =
  | { op: 'warmup'; maxSeconds: number }
  | { op: 'section'; laps: number; maxSeconds: number };

type Reply =
  | { op: 'ready'; fingerprint: string }
  | { op: 'warmup'; run: PeerRun }
  | { op: 'section'; section: PeerSection }
  | { op: 'error'; message: string };

export function generate(stream: PeerStream): Scenario {
  return stream.kind === 'requote'
    ? generateRequote(stream.options)
    : generateDeepQueue(stream.options);
}

/** Lengths, the model's final expectation and a hash of every peer op's kind and id. */
export function fingerprint(sc: Scenario): string {
  let h = 0x811c9dc5;
  for (const op of sc.peer) {
    h = Math.imul(h ^ op.kind, 0x01000193);
    const id = op.id;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
    const l = op.limit;
    if (l !== null) h = Math.imul(h ^ (l.price ?? 0) ^ ((l.size ?? 0) << 7), 0x01000193);
  }
  return `${sc.commands.length}/${sc.peer.length}/${JSON.stringify(sc.expect.final)}/${(h >>> 0).toString(16)}`;
}

/** The main thread's handle on the peer worker. */
export class PeerHost {
  private constructor(private readonly worker: Worker) {}

  /** Starts the worker and checks it generated the same stream as `sc`. */
  static async start(stream: PeerStream, sc: Scenario): Promise<PeerHost> {
    const worker = new Worker(__filename, { workerData: stream });
    const host = new PeerHost(worker);
    const ready = await host.next();
    if (ready.op !== 'ready') throw new VerificationError(`peer worker: unexpected ${ready.op}`);
    const ours = fingerprint(sc);
    if (ready.fingerprint !== ours) {
      await worker.terminate();
      throw new VerificationError(
        `peer worker generated a different stream: ${ready.fingerprint} != ${ours}`,
      );
    }
    return host;
  }

  async warmUp(maxSeconds: number): Promise<PeerRun> {
    this.worker.postMessage({ op: 'warmup', maxSeconds } satisfies Request);
    const r = await this.next();
    if (r.op !== 'warmup') throw new VerificationError(`peer worker: unexpected ${r.op}`);
    return r.run;
  }

  async section(laps: number, maxSeconds: number): Promise<PeerSection> {
    this.worker.postMessage({ op: 'section', laps, maxSeconds } satisfies Request);
    const r = await this.next();
    if (r.op !== 'section') throw new VerificationError(`peer worker: unexpected ${r.op}`);
    return r.section;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private next(): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: Reply): void => {
        this.worker.off('error', onError);
        if (m.op === 'error') reject(new VerificationError(m.message));
        else resolve(m);
      };
      const onError = (err: Error): void => {
        this.worker.off('message', onMessage);
        reject(err);
      };
      this.worker.once('message', onMessage);
      this.worker.once('error', onError);
    });
  }
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object') {
  const port = parentPort;
  const sc = generate(workerData as PeerStream);
  port.on('message', (req: Request) => {
    try {
      if (req.op === 'warmup') {
        port.postMessage({ op: 'warmup', run: warmUpPeer(sc, req.maxSeconds) } satisfies Reply);
      } else {
        const section = timePeerSection(sc, req.laps, req.maxSeconds);
        port.postMessage({ op: 'section', section } satisfies Reply);
      }
    } catch (err) {
      port.postMessage({
        op: 'error',
        message: err instanceof Error ? err.message : String(err),
      } satisfies Reply);
    }
  });
  port.postMessage({ op: 'ready', fingerprint: fingerprint(sc) } satisfies Reply);
}
