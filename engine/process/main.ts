// Entry point of the engine process: `node dist/engine/process/main.js`.
// Recovers (snapshot + journal tail + state hash check), then opens the links.
// Exits 0 after a graceful SIGTERM/SIGINT (in-flight appends drained, links
// told LinkShutdown), non-zero on any journal failure (fail-stop) or
// recovery error. SIGUSR2 takes a snapshot now.
import { loadConfig } from '../../common/config';
import { holdConfiguredCpuLatency } from '../../common/cpu-latency-qos';
import { componentLogger, rootLogger } from '../../common/logger';
import { BatchClock } from './clock';
import { fastEngineFactory } from './engine-port';
import { JournalTrimmer } from './journal-trimmer';
import { JournalWriter } from './journal-writer';
import { assertLimits, SHUTDOWN_DRAIN_MS } from './limits';
import { LinkReason } from './link-messages';
import { LinkServer } from './link-server';
import { loadProcessConfig } from './process-config';
import { recover } from './recovery';
import { utilityConnection } from './redis-connection';
import { hashedKey, journalKey } from './redis-keys';
import { Sequencer } from './sequencer';
import { SnapshotStore } from './snapshot-store';
import { Snapshotter } from './snapshotter';

async function main(): Promise<void> {
  const config = loadConfig();
  const pc = loadProcessConfig();
  assertLimits();
  rootLogger(config.logLevel, 'engine');
  const log = componentLogger('engine').child({ shard: config.shardId });
  const shard = config.shardId;
  holdConfiguredCpuLatency(config.cpuLatencyUs, log);

  const util = utilityConnection(config.redisUrl, 'engine-util', 60_000, pc.redisSocketPath);
  util.on('error', (err) => log.warn({ err: err.message }, 'utility Redis connection error'));
  await util.connect();
  const store = new SnapshotStore(util, shard);
  const factory = fastEngineFactory();
  const rec = await recover(util, store, factory, {
    shard,
    feeAccountId: pc.feeAccountId,
    windowCapacity: pc.idempotencyWindow,
    verifyAllHashes: pc.verifyAllHashes,
  });
  const { engine, window } = rec.replayer;
  const s = rec.stats;
  log.info(
    {
      lastSeq: engine.lastSeq,
      snapshotSeq: s.snapshot?.lastSeq ?? 0,
      entries: s.entries,
      commands: s.commands,
      loadMs: Math.round(s.loadMs),
      replayMs: Math.round(s.replayMs),
      replayCommandsPerSec: s.replayMs > 0 ? Math.round((s.commands * 1000) / s.replayMs) : 0,
      hashesChecked: s.hashesChecked,
      hashMs: Math.round(s.hashMs),
      restingOrders: engine.restingOrderCount(),
      windowRecords: window.size,
    },
    'recovered',
  );

  const sequencer = new Sequencer(
    engine,
    window,
    new BatchClock(rec.replayer.lastTimeUs),
    {
      shardId: shard,
      marketIds: pc.marketIds,
      batchMaxCommands: pc.batchMaxCommands,
      maxPendingCommands: pc.maxPendingCommands,
      appendsInFlight: pc.appendsInFlight,
      hashEveryEntries: pc.hashEveryEntries,
      hashMinIntervalMs: pc.hashMinIntervalMs,
    },
    log,
  );
  sequencer.confirmedSeq = engine.lastSeq;
  const server = new LinkServer(sequencer, log);
  sequencer.server = server;
  sequencer.journal = await JournalWriter.open(
    config.redisUrl,
    journalKey(shard),
    hashedKey(shard),
    rec.topId,
    sequencer,
    (err) => sequencer.fatal(err),
    pc.appendTimeoutMs,
    pc.redisSocketPath,
  );
  const snapshotter = new Snapshotter(
    {
      everyEntries: pc.snapshotEveryEntries,
      everyMs: pc.snapshotEveryMs,
      trimEveryMs: pc.trimEveryMs,
      worker: {
        redisUrl: config.redisUrl,
        redisSocketPath: pc.redisSocketPath,
        shard,
        feeAccountId: pc.feeAccountId,
        windowCapacity: pc.idempotencyWindow,
      },
    },
    new JournalTrimmer(util, shard, store, log),
    log,
    engine.lastSeq,
    s.snapshot?.lastSeq ?? 0,
  );
  sequencer.onReleased = (seq) => snapshotter.onReleased(seq);
  sequencer.onFatal = () => {
    void snapshotter.stop();
    util.disconnect();
    // Give LinkShutdown a moment to reach the links, then stop non-zero.
    setTimeout(() => process.exit(1), 200);
  };

  const port = await server.listen({
    host: config.engineHost,
    port: config.enginePort,
    socketPath: config.engineSocketPath,
  });
  // Switches armed before a restart keep their journaled deadlines.
  sequencer.scheduleDeadMan();
  log.info(
    {
      port,
      socket: config.engineSocketPath,
      lastSeq: engine.lastSeq,
      stateHash: pc.logReadyHash ? engine.stateHash() : undefined,
    },
    'engine ready',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining in-flight appends');
    const drained = await sequencer.drain(SHUTDOWN_DRAIN_MS);
    server.shutdownAll(LinkReason.ENGINE_SHUTTING_DOWN, 'engine shutting down');
    await snapshotter.stop();
    sequencer.journal.close();
    util.disconnect();
    log.info(
      {
        drained,
        lastSeq: sequencer.confirmedSeq,
        ...sequencer.stats,
        maxStateHashMs: Math.round(sequencer.maxHashMs),
        snapshots: snapshotter.snapshots,
      },
      drained ? 'stopped' : 'stopped without draining',
    );
    setTimeout(() => process.exit(drained ? 0 : 1), 100);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGUSR2', () => snapshotter.request());
}

process.on('uncaughtException', (err) => {
  componentLogger('engine').fatal({ err }, 'uncaught exception');
  process.exit(1);
});

main().catch((err: Error) => {
  componentLogger('engine').fatal(
    { err, code: (err as { code?: string }).code },
    'engine failed to start',
  );
  process.exit(1);
});
