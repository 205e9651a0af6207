// Private Redis and Postgres servers for fault tests: started on free ports
// with their own data directories, so a test can stop, kill -9 and restart
// them without touching the shared services on 5432 / 6379.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import postgres from 'postgres';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`${what} did not come up in ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** redis-server with AOF (appendfsync always), as production runs it: a restart loses nothing. */
export class RedisServer {
  private proc: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RedisServer> {
    const s = new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'settle-redis-')));
    await s.start();
    return s;
  }

  async start(): Promise<void> {
    this.proc = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    await waitFor('redis-server', async () => {
      const c = new Redis(this.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      c.on('error', () => {});
      try {
        await c.connect();
        return (await c.ping()) === 'PONG';
      } finally {
        c.disconnect();
      }
    });
  }

  /** SIGKILL (no shutdown save; AOF with appendfsync always keeps every write). */
  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (p === undefined || p.exitCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGKILL');
    await exited;
  }

  async restart(downMs = 0): Promise<void> {
    await this.kill();
    if (downMs > 0) await sleep(downMs);
    await this.start();
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const PG_BIN = '/usr/lib/postgresql/15/bin';

/**
 * A throwaway Postgres cluster (initdb + pg_ctl as the postgres OS user when
 * run as root). Trust auth for user root on 127.0.0.1.
 */
export class PgCluster {
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  /** Server URL (database postgres); pass it to createTestDatabase({ serverUrl }). */
  get url(): string {
    return `postgres://root@127.0.0.1:${this.port}/postgres`;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  private static asPostgres(cmd: string, args: string[]): [string, string[]] {
    if (process.getuid?.() === 0) return ['runuser', ['-u', 'postgres', '--', cmd, ...args]];
    return [cmd, args];
  }

  static async start(): Promise<PgCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'settle-pg-'));
    if (process.getuid?.() === 0) {
      const pw = await run('id', ['-u', 'postgres']);
      const gid = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(pw.stdout.trim()), Number(gid.stdout.trim()));
    }
    const c = new PgCluster(await freePort(), dir);
    const [cmd, args] = PgCluster.asPostgres(`${PG_BIN}/initdb`, [
      '-D',
      c.data,
      '-A',
      'trust',
      '-U',
      'root',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    await run(cmd, args);
    await c.start();
    return c;
  }

  async start(): Promise<void> {
    const [cmd, args] = PgCluster.asPostgres(`${PG_BIN}/pg_ctl`, [
      '-D',
      this.data,
      '-l',
      join(this.dir, 'log'),
      '-w',
      '-t',
      '30',
      'start',
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=on`,
    ]);
    await run(cmd, args);
    await waitFor('postgres', async () => {
      const sql = postgres(this.url, { max: 1, connect_timeout: 2, onnotice: () => {} });
      try {
        await sql`select 1`;
        return true;
      } finally {
        await sql.end({ timeout: 1 });
      }
    });
  }

  /** pg_ctl stop: 'fast' (clients disconnected, clean) or 'immediate' (like a crash). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    const [cmd, args] = PgCluster.asPostgres(`${PG_BIN}/pg_ctl`, [
      '-D',
      this.data,
      '-m',
      mode,
      '-w',
      'stop',
    ]);
    await run(cmd, args).catch(() => undefined);
  }

  /** SIGKILL of the postmaster (its backends die with it when it is gone). */
  async kill(): Promise<void> {
    try {
      const pid = Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // not running
    }
    await sleep(200);
    await this.stop('immediate');
  }

  async destroy(): Promise<void> {
    await this.stop('immediate');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
