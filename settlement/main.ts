// Settlement process: `node dist/settlement/main.js`.
//
// SETTLEMENT_ROLE=all (default) runs the pump, the monitor, /metrics on
// METRICS_PORT and SETTLEMENT_PROCESSES worker processes (each running
// SETTLEMENT_CONCURRENCY jobs at once; with 1 process the workers run in this
// one). SIGTERM / SIGINT shut down gracefully (active jobs finish or are
// released). Operator commands:
//   node dist/settlement/main.js --failed         list failed ranges with their errors
//   node dist/settlement/main.js --retry-failed   move failed ranges back to the queue
import { fork } from 'node:child_process';
import { loadConfig } from '../common/config';
import { componentLogger } from '../common/logger';
import { applySinkMessage, IpcSink, LocalSink } from './metrics';
import { bullConnection, createQueue } from './queue';
import { startSettlement } from './service';
import { loadSettlementConfig } from './settlement-config';

const CHILD_ENV = 'SETTLEMENT_CHILD';

async function failedCommand(retry: boolean): Promise<void> {
  const config = loadConfig();
  const s = loadSettlementConfig();
  const conn = bullConnection(config.redisUrl, 'settlement-admin');
  const queue = createQueue(s, conn);
  try {
    const jobs = await queue.getFailed(0, 999);
    for (const j of jobs) {
      console.log(
        JSON.stringify({
          id: j.id,
          range: j.data,
          attempts: j.attemptsMade,
          error: j.failedReason,
          at: j.finishedOn,
        }),
      );
      if (retry) await j.retry('failed');
    }
    console.log(`${jobs.length} failed range(s)${retry ? ' moved back to the queue' : ''}`);
  } finally {
    await queue.close();
    conn.disconnect();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--failed') || args.includes('--retry-failed')) {
    await failedCommand(args.includes('--retry-failed'));
    return;
  }
  const log = componentLogger('settlement');
  const config = loadConfig();
  const s = loadSettlementConfig();
  const isChild = process.env[CHILD_ENV] === '1';

  const children = new Set<ReturnType<typeof fork>>();
  const forkWorkers = !isChild && s.role !== 'pump' && s.processes > 1;
  const handle = await startSettlement({
    config,
    settlement: s,
    pump: isChild ? false : s.role !== 'worker',
    workers: isChild ? true : s.role !== 'pump' && !forkWorkers,
    monitor: isChild ? false : s.role !== 'worker',
    sink: isChild ? new IpcSink() : undefined,
    serveMetrics: isChild ? false : config.metricsPort,
    log: isChild ? log.child({ worker: process.pid }) : log,
  });
  const local = new LocalSink(handle.metrics);

  let stopping = false;
  const spawnChild = () => {
    const c = fork(process.argv[1]!, [], {
      env: { ...process.env, [CHILD_ENV]: '1' },
      execArgv: process.execArgv,
    });
    children.add(c);
    c.on('message', (m) => applySinkMessage(local, m));
    c.on('exit', (code, signal) => {
      children.delete(c);
      if (!stopping) {
        log.error({ pid: c.pid, code, signal }, 'settlement worker process died; restarting it');
        setTimeout(spawnChild, 500);
      }
    });
  };
  if (forkWorkers) for (let i = 0; i < s.processes; i++) spawnChild();

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'settlement shutting down');
    const exits = [...children].map((c) => new Promise<void>((r) => c.once('exit', () => r())));
    for (const c of children) c.kill('SIGTERM');
    await handle.close();
    await Promise.all(exits);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  if (isChild) process.on('disconnect', () => void shutdown('parent gone'));
}

main().catch((err) => {
  componentLogger('settlement').fatal(
    { err: (err as Error).message, code: (err as { code?: string }).code },
    'settlement failed to start',
  );
  process.exit(1);
});
