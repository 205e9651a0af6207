// Shared by the tests that hold a real CPU latency request. Test files run in
// parallel, and the kernel applies the smallest request of all holders, so a
// read can briefly see another file's request: wait for the expected value.
import { accessSync, constants } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { currentCpuLatencyUs } from '../cpu-latency-qos';

export function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The effective request once it equals `expected`, or the last one read after 2 s. */
export async function settledCpuLatencyUs(
  expected: number | undefined,
): Promise<number | undefined> {
  let v = currentCpuLatencyUs();
  for (let i = 0; i < 200 && v !== expected; i++) {
    await sleep(10);
    v = currentCpuLatencyUs();
  }
  return v;
}
