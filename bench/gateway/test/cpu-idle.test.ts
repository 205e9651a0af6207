import t from 'tap';
import { CPU_DMA_LATENCY_PATH } from '../../../common/cpu-latency-qos';
import { settledCpuLatencyUs, writable } from '../../../common/test/cpu-latency-helpers';
import { cpuIdleLine, cpuIdleReport, planCpuIdle } from '../cpu-idle';

t.test('off: no request, and the line says how to ask for one', async (t) => {
  const plan = planCpuIdle(undefined);
  t.same(plan, { requestUs: undefined, refused: undefined });
  const report = cpuIdleReport(plan);
  t.equal(report.requestedUs, null);
  const line = cpuIdleLine(plan, report, 'the engine and the gateway');
  t.match(line, "the machine's own idle policy (no request");
  t.match(line, '--cpu-latency-us 0');
});

t.test('a request is checked, dropped again, and reported with its holder', async (t) => {
  const before = await settledCpuLatencyUs(2_000_000_000);
  const plan = planCpuIdle(0);
  if (!writable(CPU_DMA_LATENCY_PATH)) {
    t.equal(plan.requestUs, undefined, 'a request that cannot be made is not passed on');
    t.match(plan.refused, 'cannot open');
    const line = cpuIdleLine(plan, cpuIdleReport(plan), 'the engine and the gateway');
    t.match(line, 'because the request could not be made');
    return;
  }
  t.same(plan, { requestUs: 0, refused: undefined });
  t.equal(await settledCpuLatencyUs(before), before, 'the check held nothing back');
  const report = { driver: 'haltpoll', requestedUs: 0, effectiveUs: 0 };
  t.equal(
    cpuIdleLine(plan, report, 'the engine and the gateway'),
    'CPU idle: cpuidle driver haltpoll; EXCHANGE_CPU_LATENCY_US=0 held by the engine and the gateway ' +
      "(effective 0 µs): idle CPUs poll instead of halting. --cpu-latency-us off measures the machine's own idle policy",
  );
  t.type(cpuIdleReport(plan).driver, 'string');
});

t.test('a refused request says why', async (t) => {
  const plan = { requestUs: undefined, refused: 'cannot open /dev/cpu_dma_latency (EACCES)' };
  const line = cpuIdleLine(plan, { driver: 'none', requestedUs: null, effectiveUs: null }, 'x');
  t.equal(
    line,
    "CPU idle: cpuidle driver none; the machine's own idle policy, because the request could not be made: " +
      'cannot open /dev/cpu_dma_latency (EACCES)',
  );
});
