// V8 flags of the load generator's process (npm run bench:gateway passes
// them; `npm run bench` too). The load generator shares the machine with what
// it measures, so its own collector must neither occupy both cores nor stop
// it for long:
// - --single-threaded-gc: no GC helper threads competing with the engine, the
//   gateway and Redis for the two cores;
// - --no-memory-reducer: V8 took the load generator's steady, low allocation
//   for idleness and ran "memory reducing" full collections of 3-11 ms in
//   the middle of the measured run, each one delaying every order in flight.
export const LOAD_GENERATOR_NODE_ARGS: readonly string[] = [
  '--single-threaded-gc',
  '--no-memory-reducer',
];

/** The flags line the benchmark prints (and what it warns about). */
export function loadGeneratorFlagsLine(execArgv: readonly string[]): string {
  const missing = LOAD_GENERATOR_NODE_ARGS.filter((f) => !execArgv.includes(f));
  const list = execArgv.length === 0 ? 'none' : execArgv.join(' ');
  if (missing.length === 0) return `load generator node flags: ${list}`;
  return (
    `load generator node flags: ${list}; NOTE: without ${missing.join(' ')} its own collector ` +
    'adds to the measured latency (npm run bench:gateway passes them)'
  );
}
