// Test, chaos and bench harness: private redis-server instances on free ports
// (their own --dir, optionally AOF with fsync always), engine processes
// started from dist with `node`, and a one-time build of what they need.
// Never touches the shared Redis on 6379.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import Redis from 'ioredis';
import { hotPathNodeArgs } from './node-args';

export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above harness');
    dir = up;
  }
  return dir;
}

export const ENGINE_MAIN = join(repoRoot(), 'dist', 'engine', 'process', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'test' || name === 'node_modules') continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (name.endsWith('.ts') || name.endsWith('.js')) newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Compiles the engine process (and what it imports) into dist/ unless dist is
 * newer than every source; serialized across test files with a lock directory.
 */
export function buildEngineOnce(): void {
  const root = repoRoot();
  const sources = Math.max(
    newestMtime(join(root, 'engine')),
    newestMtime(join(root, 'proto')),
    newestMtime(join(root, 'common')),
    newestMtime(join(root, 'scripts')),
  );
  const fresh = () => existsSync(ENGINE_MAIN) && statSync(ENGINE_MAIN).mtimeMs >= sources;
  if (fresh()) return;
  mkdirSync(join(root, 'dist'), { recursive: true });
  const lock = join(root, 'dist', '.engine-process-build.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      sleepSync(200);
    }
  }
  try {
    if (fresh()) return;
    execFileSync(
      join(root, 'node_modules', '.bin', 'tsc'),
      [
        '--outDir',
        'dist',
        '--rootDir',
        '.',
        '--target',
        'ES2022',
        '--module',
        'commonjs',
        '--moduleResolution',
        'node',
        '--strict',
        '--esModuleInterop',
        '--resolveJsonModule',
        '--skipLibCheck',
        '--sourceMap',
        '--types',
        'node',
        'engine/process/main.ts',
        'engine/process/snapshot-worker.ts',
        'proto/index.ts',
        'scripts/chaos-engine.ts',
      ],
      { cwd: root, stdio: 'inherit' },
    );
    execFileSync(process.execPath, ['scripts/build-proto.mjs', '--copy'], {
      cwd: root,
      stdio: 'inherit',
    });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address() as net.AddressInfo;
      s.close(() => resolve(a.port));
    });
  });
}

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** Its Unix socket (always opened, in `dir`). */
  readonly socketPath: string;
  /** A client for test assertions (lazy; closed by stop()). */
  client(): Redis;
  /** SIGKILL (or another signal) without cleanup. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and dir (AOF restores the data when durable). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(opts: { durable?: boolean } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'engine-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--daemonize',
    'no',
    '--unixsocket',
    join(dir, 'redis.sock'),
    '--unixsocketperm',
    '700',
  ];
  if (opts.durable) args.push('--appendonly', 'yes', '--appendfsync', 'always');
  else args.push('--appendonly', 'no');
  let proc: ChildProcess | undefined;
  let client: Redis | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const launch = async () => {
    proc = spawn('redis-server', args, { stdio: 'ignore' });
    const probe = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => {});
    for (let i = 0; i < 100; i++) {
      try {
        if (probe.status !== 'ready') await probe.connect();
        if ((await probe.ping()) === 'PONG') {
          // AOF loading answers LOADING errors: ping succeeds only when ready.
          probe.disconnect();
          return;
        }
      } catch {
        probe.disconnect();
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`redis-server on ${port} did not start`);
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const p = proc;
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') {
      p.kill(signal);
      return;
    }
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill(signal);
    });
  };
  await launch();
  return {
    port,
    url,
    dir,
    socketPath: join(dir, 'redis.sock'),
    client() {
      if (client === undefined) {
        client = new Redis(url, { maxRetriesPerRequest: 1 });
        client.on('error', () => {});
      }
      return client;
    },
    kill,
    restart: launch,
    async stop() {
      client?.disconnect();
      client = undefined;
      await kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface EngineHandle {
  readonly proc: ChildProcess;
  readonly port: number;
  /** Every JSON log line so far. */
  readonly lines: Record<string, unknown>[];
  readonly ready: Record<string, unknown>;
  readonly exited: Promise<number | null>;
  waitForLog(
    pred: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `node dist/engine/process/main.js` with the given environment and
 * resolves once it logs "engine ready"; rejects with its log if it exits
 * first. Unless env sets ENGINE_PORT, the engine binds port 0 and the handle
 * takes the port from its ready line: a port picked free beforehand can be
 * taken by a parallel test before the engine binds it (EADDRINUSE).
 */
export async function startEngine(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<EngineHandle> {
  const proc = spawn(process.execPath, [...hotPathNodeArgs(), ENGINE_MAIN], {
    env: { ...process.env, LOG_LEVEL: 'info', ENGINE_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return attachEngine(proc, Number(env.ENGINE_PORT ?? 0), timeoutMs);
}

export function attachEngine(
  proc: ChildProcess,
  port: number,
  timeoutMs: number,
): Promise<EngineHandle> {
  const lines: Record<string, unknown>[] = [];
  const listeners = new Set<() => void>();
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push({ msg: line });
    }
    for (const l of listeners) l();
  });
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code, signal) => {
      for (const l of listeners) l();
      resolve(code ?? (signal ? -1 : null));
    }),
  );
  const waitForLog = (pred: (line: Record<string, unknown>) => boolean, ms = timeoutMs) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const hit = lines.find(pred);
        if (hit !== undefined) {
          done();
          resolve(hit);
        } else if (proc.exitCode !== null || proc.signalCode !== null) {
          done();
          reject(
            new Error(
              `engine exited (${proc.exitCode ?? proc.signalCode}):\n${lines.map((l) => JSON.stringify(l)).join('\n')}\n${stderr}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `timed out waiting for an engine log line:\n${lines.map((l) => JSON.stringify(l)).join('\n')}\n${stderr}`,
          ),
        );
      }, ms);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  return waitForLog((l) => l.msg === 'engine ready').then((ready) => ({
    proc,
    // 0 = the engine chose: its ready line says which.
    port: port === 0 ? Number(ready.port) : port,
    lines,
    ready,
    exited,
    waitForLog,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  }));
}
