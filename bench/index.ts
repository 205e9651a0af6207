// `npm run bench`: runs every benchmark suite, one child process each (so one
// suite's heap, JIT state and sockets cannot skew the next), in sequence.
// Options are passed through (`--quick`, `--json`). With --json the last line
// is one object keyed by suite, each holding that suite's own JSON summary.
// A suite whose compiled entry is missing says so; nothing here invents a number.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hotPathNodeArgs } from '../engine/process/node-args';
import { LOAD_GENERATOR_NODE_ARGS } from './gateway/node-args';

interface Suite {
  readonly name: string;
  readonly script: string;
  readonly what: string;
  /** Compiled entry, relative to dist/bench. */
  readonly entry: string;
  readonly nodeArgs: readonly string[];
}

export const SUITES: readonly Suite[] = [
  {
    name: 'engine',
    script: 'npm run bench:engine',
    what: 'matching engine vs nodejs-order-book',
    entry: 'engine/index.js',
    // The engine process's own V8 flags, so the core is measured as it runs.
    nodeArgs: ['--expose-gc', ...hotPathNodeArgs()],
  },
  {
    name: 'journal',
    script: 'npm run bench:journal',
    what: 'engine process: link + group-commit journal + recovery',
    entry: 'journal/index.js',
    nodeArgs: [],
  },
  {
    name: 'gateway',
    script: 'npm run bench:gateway',
    what: 'WebSocket order entry through gateway, engine and journal',
    entry: 'gateway/index.js',
    // The load generator's own flags (bench/gateway/node-args.ts).
    nodeArgs: [...LOAD_GENERATOR_NODE_ARGS],
  },
  {
    name: 'settlement',
    script: 'npm run bench:settlement',
    what: 'journal drained into the Postgres ledger',
    entry: 'settlement/index.js',
    nodeArgs: [],
  },
];

function runSuite(suite: Suite, argv: readonly string[]): Promise<{ code: number; last: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...suite.nodeArgs, join(__dirname, suite.entry), ...argv],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let tail = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-65_536);
    });
    child.on('close', (code) => {
      const lines = tail.trimEnd().split('\n');
      resolve({ code: code ?? 1, last: lines[lines.length - 1] ?? '' });
    });
  });
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const only = argv
    .find((a) => a.startsWith('--suites='))
    ?.slice('--suites='.length)
    .split(',');
  const passThrough = argv.filter((a) => !a.startsWith('--suites='));
  const json = passThrough.includes('--json');
  const combined: Record<string, unknown> = {};
  let failed = 0;
  for (const suite of SUITES) {
    if (only !== undefined && !only.includes(suite.name)) continue;
    if (!existsSync(join(__dirname, suite.entry))) {
      process.stdout.write(`\n== ${suite.name}: not built yet (${suite.what})\n`);
      combined[suite.name] = null;
      continue;
    }
    process.stdout.write(`\n== ${suite.name}: ${suite.what} (${suite.script})\n`);
    const { code, last } = await runSuite(suite, passThrough);
    if (code !== 0) {
      failed++;
      process.stdout.write(`== ${suite.name} exited ${code}\n`);
    }
    if (json) {
      try {
        combined[suite.name] = JSON.parse(last);
      } catch {
        combined[suite.name] = { error: `exit ${code}; no JSON summary` };
      }
    }
  }
  if (json) process.stdout.write(`${JSON.stringify(combined)}\n`);
  if (failed > 0) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
