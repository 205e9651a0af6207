import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import t from 'tap';
import {
  CPU_DMA_LATENCY_PATH,
  CpuLatencyQosError,
  currentCpuLatencyUs,
  holdConfiguredCpuLatency,
  holdCpuLatency,
} from '../cpu-latency-qos';
import { settledCpuLatencyUs, writable } from './cpu-latency-helpers';

function caught(fn: () => unknown): CpuLatencyQosError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CpuLatencyQosError) return err;
    throw err;
  }
  throw new Error('expected a CpuLatencyQosError');
}

t.test('the request holds while the file is open and is dropped on release', async (t) => {
  if (!writable(CPU_DMA_LATENCY_PATH)) {
    // Not Linux, or not root: the request must fail with the stable code, never pretend.
    const err = caught(() => holdCpuLatency(0));
    t.equal(err.code, 'E_CPU_LATENCY_QOS');
    t.match(err.message, CPU_DMA_LATENCY_PATH);
    return;
  }
  const before = await settledCpuLatencyUs(2_000_000_000);
  t.type(before, 'number', 'the effective request can be read');
  const hold = holdCpuLatency(7);
  t.equal(hold.held, true);
  t.equal(hold.maxUs, 7);
  // The kernel applies the smallest request of all holders.
  t.equal(await settledCpuLatencyUs(Math.min(7, before!)), Math.min(7, before!));
  const zero = holdCpuLatency(0);
  t.equal(await settledCpuLatencyUs(0), 0, 'a second, smaller request wins');
  zero.release();
  t.equal(
    await settledCpuLatencyUs(Math.min(7, before!)),
    Math.min(7, before!),
    'releasing it restores the first',
  );
  hold.release();
  t.equal(hold.held, false);
  hold.release(); // twice is harmless
  t.equal(await settledCpuLatencyUs(before), before, 'no request left behind');
});

t.test('bad values are refused before the device is touched', async (t) => {
  for (const v of [-1, 1.5, Number.NaN, 2_000_000_001]) {
    const err = caught(() => holdCpuLatency(v, '/nonexistent/never-opened'));
    t.equal(err.code, 'E_CPU_LATENCY_QOS');
    t.match(err.message, 'not an integer');
  }
});

t.test('a missing device names the path and the errno', async (t) => {
  const err = caught(() => holdCpuLatency(0, '/nonexistent/cpu_dma_latency'));
  t.equal(err.code, 'E_CPU_LATENCY_QOS');
  t.match(err.message, '/nonexistent/cpu_dma_latency');
  t.match(err.message, 'ENOENT');
  t.equal((err.cause as NodeJS.ErrnoException).code, 'ENOENT');
  t.equal(currentCpuLatencyUs('/nonexistent/cpu_dma_latency'), undefined);
});

t.test('a regular file is not taken for the device', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'qos-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'cpu_dma_latency');
  writeFileSync(file, '');
  const err = caught(() => holdCpuLatency(0, file));
  t.equal(err.code, 'E_CPU_LATENCY_QOS');
  t.match(err.message, 'not a character device');
});

t.test(
  'EXCHANGE_CPU_LATENCY_US at startup: unset does nothing; set is held and logged',
  async (t) => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
    t.equal(holdConfiguredCpuLatency(undefined, log), undefined);
    t.equal(lines.length, 0, 'nothing said when nothing was asked');
    if (!writable(CPU_DMA_LATENCY_PATH)) {
      const err = caught(() => holdConfiguredCpuLatency(5, log));
      t.equal(err.code, 'E_CPU_LATENCY_QOS', 'startup fails with the stable code');
      return;
    }
    const before = (await settledCpuLatencyUs(2_000_000_000))!;
    const hold = holdConfiguredCpuLatency(5, log)!;
    t.equal(hold.held, true);
    t.equal(await settledCpuLatencyUs(Math.min(5, before)), Math.min(5, before));
    t.equal(lines[0]?.msg, 'holding the CPU idle-latency request');
    t.equal(lines[0]?.cpuLatencyUs, 5);
    hold.release();
    t.equal(await settledCpuLatencyUs(before), before);
  },
);
