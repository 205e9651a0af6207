// EXCHANGE_CPU_LATENCY_US: the engine process holds the CPU idle-latency
// request for as long as it runs and the kernel drops it when it exits; where
// the request cannot be made, the engine refuses to start and says why.
import t from 'tap';
import { CPU_DMA_LATENCY_PATH } from '../../../common/cpu-latency-qos';
import { settledCpuLatencyUs, writable } from '../../../common/test/cpu-latency-helpers';
import { buildEngineOnce, startEngine, startRedis } from './helpers';

buildEngineOnce();

t.test('the engine holds the request while it runs, and only then', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  if (!writable(CPU_DMA_LATENCY_PATH)) {
    const err = await startEngine({ REDIS_URL: redis.url, EXCHANGE_CPU_LATENCY_US: '3' }).then(
      () => undefined,
      (e: Error) => e,
    );
    t.ok(err !== undefined, 'the engine refuses to start');
    t.match(err?.message, 'E_CPU_LATENCY_QOS');
    return;
  }
  const before = (await settledCpuLatencyUs(2_000_000_000))!;
  // Below whatever the machine already holds (a tuned host may hold a few
  // us), so the engine's own request is what the kernel then applies.
  const us = Math.max(0, Math.min(3, before - 1));
  const engine = await startEngine({ REDIS_URL: redis.url, EXCHANGE_CPU_LATENCY_US: String(us) });
  const line = engine.lines.find((l) => l.msg === 'holding the CPU idle-latency request');
  t.equal(line?.cpuLatencyUs, us, 'the engine says what it holds');
  t.equal(await settledCpuLatencyUs(us), us, 'the kernel applies it while the engine runs');
  t.equal(await engine.kill('SIGTERM'), 0);
  t.equal(await settledCpuLatencyUs(before), before, 'dropped when the engine exits');
});

t.test('unset, the engine leaves the idle policy alone', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const before = await settledCpuLatencyUs(2_000_000_000);
  const engine = await startEngine({ REDIS_URL: redis.url, EXCHANGE_CPU_LATENCY_US: '' });
  t.notOk(engine.lines.some((l) => l.msg === 'holding the CPU idle-latency request'));
  t.equal(await settledCpuLatencyUs(before), before);
  t.equal(await engine.kill('SIGTERM'), 0);
});
