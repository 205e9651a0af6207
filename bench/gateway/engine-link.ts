// Which transport the benchmark's gateway uses to reach its engine: loopback
// TCP (the default, as between hosts, minus the wire) or the Unix socket an
// operator co-locating the two can configure (ENGINE_SOCKET). A Unix socket
// skips the TCP/IP stack and its softirq on both ends; on this 2-core VM that
// saved 2-3% of a core in each process at 10k orders/s, but the latency
// percentiles did not move beyond run-to-run noise (README, gateway
// benchmark), so the default stays the transport that works across hosts.
import { tmpdir } from 'node:os';
import path from 'node:path';

export type EngineLinkKind = 'unix' | 'tcp';

export function parseEngineLink(v: string | undefined): EngineLinkKind {
  if (v === 'unix' || v === 'tcp') return v;
  throw new Error(
    `--engine-link needs 'unix' or 'tcp', got ${v === undefined ? 'nothing' : `'${v}'`}`,
  );
}

/** Longest Unix socket path Linux takes (sun_path is 108 bytes with the NUL). */
export const SUN_PATH_MAX_BYTES = 107;

/** A socket path of this run's own (the engine removes a stale file at that path before listening). */
export function benchSocketPath(pid: number, dir: string = tmpdir()): string {
  const p = path.join(dir, `exchange-bench-engine-${pid}.sock`);
  if (Buffer.byteLength(p) > SUN_PATH_MAX_BYTES) {
    throw new Error(
      `Unix socket path ${p} is longer than ${SUN_PATH_MAX_BYTES} bytes: set TMPDIR to a shorter directory, or use --engine-link tcp`,
    );
  }
  return p;
}

/** The line the benchmark prints. */
export function engineLinkLine(kind: EngineLinkKind, socketPath: string | undefined): string {
  return kind === 'unix'
    ? `engine link: Unix socket ${socketPath} (ENGINE_SOCKET; --engine-link tcp measures loopback TCP)`
    : 'engine link: loopback TCP (--engine-link unix uses a Unix socket, as a co-located engine can)';
}
