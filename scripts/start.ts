// `npm start`: the whole exchange on one machine, for a demo or development.
//
//   1. checks that Postgres and Redis answer (and says how to start them if not),
//   2. applies pending migrations (creating the database if it does not exist),
//   3. starts the engine process (child) and waits until its link answers,
//   4. seeds the demo data idempotently (assets BTC/USDT/ETH, markets
//      BTC-USDT and ETH-USDT, fee tiers, fee/treasury accounts, a funded demo
//      account and, the first time only, its API key) and re-sends everything
//      Postgres defines to the engine (harmless when it already knows it),
//   5. starts the other services (settlement when it exists: see SERVICES),
//      then the gateway, and prints where to connect,
//   6. on Ctrl-C stops them in reverse order (SIGTERM, then SIGKILL after a grace).
//
// Children run in their own process groups so a terminal Ctrl-C reaches only
// this process, which stops them in order (gateway first, engine last).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Redis from 'ioredis';
import postgres from 'postgres';
import { type Config, loadConfig } from '../common/config';
import { hotPathNodeArgs } from '../engine/process/node-args';
import { describeDatabase } from '../sql/migrate-cli';
import {
  type AdminContext,
  AdminError,
  applyMigrations,
  connectEngine,
  ensureDemoTrader,
  feeAccountIdFromEnv,
  openContext,
  seedReferenceData,
  syncEngine,
} from './admin';

const START_POSTGRES = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
const START_REDIS =
  'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';
const DIST = path.resolve(__dirname, '..');

/** A child process of `npm start`. */
export interface ServiceDef {
  name: string;
  /** Compiled entry, relative to dist/. */
  entry: string;
  /** Skip quietly when the entry does not exist (a service still being written). */
  optional?: boolean;
  /** Latency-critical (engine, gateway): started with hotPathNodeArgs() (engine/process/node-args.ts). */
  hotPath?: boolean;
  /** Resolves when the service is ready (default: right after spawning). */
  ready?: (config: Config, child: ChildProcess) => Promise<void>;
}

/**
 * Services started after the engine and the demo seed, in order (stopped in
 * reverse, the engine last). HOOK: the settlement workers
 * (settlement/main.ts -> dist/settlement/main.js) start here as soon as that
 * file exists; give it a `ready` check if it has one.
 */
export const SERVICES: ServiceDef[] = [
  { name: 'settlement', entry: 'settlement/main.js', optional: true },
  {
    name: 'gateway',
    entry: 'gateway/main.js',
    hotPath: true,
    ready: (config, child) => waitForPort(config.gatewayHost, config.gatewayPort, child, 30_000),
  },
];

const ENGINE: ServiceDef = { name: 'engine', entry: 'engine/process/main.js', hotPath: true };

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

// ---------------------------------------------------------------------------
// preflight

/** Checks Postgres and Redis; returns one problem description per service down. */
export async function checkServices(config: Config): Promise<string[]> {
  const problems: string[] = [];
  const pg = postgres(config.databaseUrl, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await pg`select 1`;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '3D000') {
      // The server answers but the database is missing: create it.
      await createDatabase(config.databaseUrl).catch((e: Error) =>
        problems.push(
          `Postgres: cannot create database ${describeDatabase(config.databaseUrl)}: ${e.message}`,
        ),
      );
    } else {
      problems.push(
        `Postgres does not answer at ${describeDatabase(config.databaseUrl)} (${code ?? (err as Error).message}).\n` +
          `  start it with: ${START_POSTGRES}\n  or point DATABASE_URL at a running server`,
      );
    }
  } finally {
    await pg.end({ timeout: 1 }).catch(() => undefined);
  }
  const u = new URL(config.redisUrl);
  const redis = new Redis(config.redisUrl, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => {
    lastError = err;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    const e = lastError ?? (err as Error);
    problems.push(
      `Redis does not answer at ${u.hostname}:${u.port || 6379} (${(e as { code?: string }).code ?? e.message}).\n` +
        `  start it with: ${START_REDIS}\n  or point REDIS_URL at a running server`,
    );
  } finally {
    redis.disconnect();
  }
  return problems;
}

async function createDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.slice(1));
  u.pathname = '/postgres';
  const admin = postgres(u.toString(), { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name.replace(/"/g, '""')}"`);
    say(`created database ${name}`);
  } finally {
    await admin.end({ timeout: 1 });
  }
}

/** Resolves when host:port accepts a TCP connection; rejects when `child` exits or after timeoutMs. */
export function waitForPort(
  host: string,
  port: number,
  child: ChildProcess | undefined,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise<void>((resolve, reject) => {
    const attempt = (): void => {
      if (child !== undefined && child.exitCode !== null) {
        reject(new Error(`exited with code ${child.exitCode} before listening on ${host}:${port}`));
        return;
      }
      const s = net.connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline)
          reject(new Error(`not listening on ${host}:${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------
// children

/** Running children, in start order. */
export class Supervisor {
  readonly children: { name: string; child: ChildProcess }[] = [];
  private stopping = false;

  /** @param log where progress lines go (default stdout) */
  constructor(private readonly log: (line: string) => void = say) {}
  onUnexpectedExit:
    | ((name: string, code: number | null, signal: string | null) => void)
    | undefined;

  /** Spawns `node dist/<entry>` with this environment plus `env`, output prefixed with the name. */
  spawn(def: ServiceDef, env: NodeJS.ProcessEnv = {}, quiet = false): ChildProcess {
    const entry = path.join(DIST, def.entry);
    const args = def.hotPath === true ? [...hotPathNodeArgs(), entry] : [entry];
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const prefix = `[${def.name}] `;
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        if (!quiet) for (const l of lines) if (l !== '') process.stdout.write(`${prefix}${l}\n`);
      });
    }
    child.on('exit', (code, signal) => {
      if (!this.stopping) this.onUnexpectedExit?.(def.name, code, signal);
    });
    this.children.push({ name: def.name, child });
    return child;
  }

  /** Stops every child in reverse start order: SIGTERM, then SIGKILL after graceMs. */
  async stopAll(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const { name, child } of [...this.children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        this.log(`${name} did not stop within ${graceMs} ms: killing it`);
        child.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
      this.log(`${name} stopped${child.exitCode ? ` (exit code ${child.exitCode})` : ''}`);
    }
  }

  /** Last resort when this process exits abruptly. */
  killAllSync(): void {
    for (const { child } of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
}

/** Waits until the engine link answers a hello (recovery may take a while). */
async function waitForEngine(
  config: Config,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the engine exited with code ${child.exitCode} while starting`);
    try {
      const link = await connectEngine(config, 'start-probe', 1000);
      await link.close();
      return;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`the engine did not answer within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * Refuses to go on when Postgres has settled more of the journal than the
 * engine's journal holds: Redis lost its data (e.g. a restart without
 * persistence), and seeding or settling now would double-count in Postgres.
 */
async function checkJournalNotBehind(ctx: AdminContext): Promise<void> {
  const engine = await ctx.engine();
  const [row] = await ctx.sql<{ settled_seq: string }[]>`
    select settled_seq from settlement_cursors where shard_id = ${engine.shardId}`;
  const settled = Number(row?.settled_seq ?? 0);
  if (settled > engine.lastSeq) {
    throw new AdminError(
      `the engine journal of shard ${engine.shardId} ends at seq ${engine.lastSeq}, but Postgres has settled up to ` +
        `seq ${settled}: Redis (${ctx.config.redisUrl}) lost the journal.\n` +
        'Restore Redis from its backup, or start over with an empty database: drop it ' +
        `(dropdb -h ${new URL(ctx.config.databaseUrl).hostname} ${new URL(ctx.config.databaseUrl).pathname.slice(1)}; ` +
        'npm start creates it again) or point DATABASE_URL at a new one.',
    );
  }
}

// ---------------------------------------------------------------------------
// main

async function main(): Promise<number> {
  const config = loadConfig();
  say('exchange-core: starting');
  const problems = await checkServices(config);
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`${p}\n`);
    return 1;
  }
  const engineAddr = config.engineSocketPath ?? `${config.engineHost}:${config.enginePort}`;
  if (
    config.engineSocketPath === undefined &&
    (await portInUse(config.engineHost, config.enginePort))
  ) {
    process.stderr.write(
      `port ${engineAddr} is already in use (another engine? stop it, or set ENGINE_PORT to a free port)\n`,
    );
    return 1;
  }
  if (await portInUse(config.gatewayHost, config.gatewayPort)) {
    process.stderr.write(
      `port ${config.gatewayHost}:${config.gatewayPort} is already in use (another gateway? stop it, or set GATEWAY_PORT)\n`,
    );
    return 1;
  }

  // The children log at warn unless LOG_LEVEL is set, so the summary stays readable.
  const childEnv = { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
  const ctx = openContext(config, (l) => say(`  ${l}`));
  const sup = new Supervisor();
  let shuttingDown: Promise<void> | undefined;
  const shutdown = (why: string): Promise<void> => {
    shuttingDown ??= (async () => {
      say(`\n${why}: shutting down`);
      await sup.stopAll();
      await ctx.close().catch(() => undefined);
    })();
    return shuttingDown;
  };
  let exitCode = 0;
  let interrupts = 0;
  const onSignal = (signal: string): void => {
    interrupts++;
    if (interrupts > 1) {
      say('second interrupt: killing everything now');
      sup.killAllSync();
      process.exit(130);
    }
    void shutdown(signal).then(() => process.exit(exitCode));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGHUP', () => onSignal('SIGHUP'));
  process.on('exit', () => sup.killAllSync());
  sup.onUnexpectedExit = (name, code, signal) => {
    process.stderr.write(
      `${name} exited unexpectedly (${signal ?? `code ${code}`}); see its log lines above\n`,
    );
    exitCode = 1;
    void shutdown(`${name} died`).then(() => process.exit(1));
  };

  try {
    const applied = await applyMigrations(ctx.sql);
    say(
      `migrations: ${applied.length === 0 ? 'schema up to date' : `applied ${applied.join(', ')}`} ` +
        `(${describeDatabase(config.databaseUrl)})`,
    );

    say(`starting the engine (link ${engineAddr}, journal in ${config.redisUrl})`);
    const engine = sup.spawn(ENGINE, childEnv);
    await waitForEngine(config, engine, 120_000);
    await checkJournalNotBehind(ctx);
    say('engine ready; seeding demo data:');
    await seedReferenceData(ctx, feeAccountIdFromEnv());
    const demo = await ensureDemoTrader(ctx, { email: 'demo@example.com', keyLabel: 'demo' });
    await syncEngine(ctx);

    for (const def of SERVICES) {
      if (!existsSync(path.join(DIST, def.entry))) {
        if (def.optional) {
          say(`(${def.name}: dist/${def.entry} not built yet, skipped)`);
          continue;
        }
        throw new AdminError(`dist/${def.entry} is missing: run \`npm run build\``);
      }
      say(`starting ${def.name}`);
      const child = sup.spawn(def, childEnv);
      if (def.ready !== undefined) await def.ready(config, child);
    }

    const scheme = config.tlsCertFile !== undefined ? 's' : '';
    const host = config.gatewayHost === '0.0.0.0' ? '127.0.0.1' : config.gatewayHost;
    say('');
    say('exchange-core is running:');
    say(`  WebSocket (binary protobuf): ws${scheme}://${host}:${config.gatewayPort}/ws`);
    say(`  REST:                        http${scheme}://${host}:${config.gatewayPort}/`);
    say(`  metrics (Prometheus):        http${scheme}://${host}:${config.gatewayPort}/metrics`);
    say(`  engine link:                 ${engineAddr}`);
    say(`  Postgres:                    ${describeDatabase(config.databaseUrl)}`);
    say(`  Redis:                       ${config.redisUrl}`);
    if (config.cpuLatencyUs !== undefined) {
      say(
        `  CPU idle latency:            at most ${config.cpuLatencyUs} us while the engine and the gateway run ` +
          `(EXCHANGE_CPU_LATENCY_US${config.cpuLatencyUs === 0 ? ': idle CPUs poll' : ''})`,
      );
    }
    say(
      `  demo account:                ${demo.engineAccountId} (demo@example.com), markets BTC-USDT (1), ETH-USDT (2)`,
    );
    if (demo.key !== undefined) {
      say('  demo API key (the secret is shown ONCE, store it now):');
      say(`    key:    ${demo.key.prefix}`);
      say(`    secret: ${demo.key.secret}`);
    } else {
      say(
        `  demo API key: ${demo.existingKeyPrefix} exists; its secret was printed when it was created.`,
      );
      say('    a new one: npm run admin -- create-key --email demo@example.com --label demo2');
    }
    say('');
    if (sup.children.some((c) => c.name === 'settlement')) {
      say(`  settlement metrics:          http://127.0.0.1:${config.metricsPort}/metrics`);
    }
    say('');
    say('  a market maker to trade against: npm run demo:mm');
    say(
      `  logs: services log at ${childEnv.LOG_LEVEL} and above (LOG_LEVEL=info npm start for more). Ctrl-C stops everything.`,
    );
    return -1; // keep running
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`start failed: ${msg}\n`);
    exitCode = err instanceof AdminError ? err.exitCode : 1;
    await shutdown('start failed');
    return exitCode;
  }
}

if (require.main === module) {
  main().then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (err: unknown) => {
      process.stderr.write(`start: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
