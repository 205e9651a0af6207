// Node/V8 flags for the latency-critical processes (engine and gateway).
//
// Default: --single-threaded-gc. V8's parallel scavenger hands part of every
// young-generation collection to helper threads and waits for them; on a small
// machine shared with Redis, the other process and the clients, a helper often
// has to wait for a core, which stretches the main thread's pause. Measured
// here (2 cores, bench:gateway at 10k orders/s, 8 interleaved pairs): p99
// 4.0-6.6 ms with it against 4.2-10.0 ms without, the in-gateway p99 lower in
// 7 of 8 pairs. With dedicated cores, parallel scavenging may be the better
// choice: set EXCHANGE_NODE_ARGS (space-separated; empty for none).

/** Flags to put before the entry script when spawning the engine or the gateway. */
export function hotPathNodeArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  const v = env.EXCHANGE_NODE_ARGS;
  if (v === undefined) return ['--single-threaded-gc'];
  const args = v.split(/\s+/).filter((a) => a !== '');
  for (const a of args) {
    // Only flags: anything else would be taken for the script to run.
    if (!/^--[a-z0-9][a-z0-9_-]*(=\S+)?$/.test(a)) {
      throw new Error(`EXCHANGE_NODE_ARGS: '${a}' is not a --flag or --flag=value`);
    }
  }
  return args;
}
