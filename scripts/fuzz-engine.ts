// Randomized differential fuzzing of the fast engine against the reference model.
//
//   npm run fuzz:engine -- [--seeds N] [--commands M] [--seed S]
//                          [--invariant-every K] [--hash-every H] [--shrink]
//                          [--naive] [--garbage RATE] [--non-objects] [--max-orders N]
//                          [--book-target N] [--fee-account ID] [--replay FILE]
//
// --shrink writes the minimal failing list to fuzz-min-SEED.json; --replay FILE
// runs such a list (with --seed S for its fee account) instead of generating.
//
// Runs seeds S, S+1, ... S+N-1 (S defaults to 1; `--seed S` alone runs just
// that seed), M commands each. Prints a progress line per seed, the full
// report of the first mismatch of each failing seed (with --shrink, also a
// minimal command list that still fails), and a JSON summary as the last line.
// Exit code 0 when every seed agreed, 1 otherwise, 2 on bad arguments.
// --naive holds the reference model against itself (shakes out the harness).

import { readFileSync, writeFileSync } from 'node:fs';
import { NaiveEngine } from '../engine/order-book-naive';
import {
  type DifferentialOptions,
  decodeCommands,
  encodeCommands,
  type MakeEngine,
  runDifferential,
  showJson,
  shrinkFailure,
} from '../engine/testing/differential';
import { loadFastEngine } from '../engine/testing/fast-engine';

interface Args {
  seeds: number;
  commands: number;
  seed: number;
  invariantEvery: number;
  hashEvery: number;
  shrink: boolean;
  naive: boolean;
  garbage: number | undefined;
  nonObjects: boolean;
  maxOrders: number | undefined;
  bookTarget: number | undefined;
  feeAccount: number | undefined;
  replay: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    seeds: 20,
    commands: 5000,
    seed: 1,
    invariantEvery: 1,
    hashEvery: 250,
    shrink: false,
    naive: false,
    garbage: undefined,
    nonObjects: false,
    maxOrders: undefined,
    bookTarget: undefined,
    feeAccount: undefined,
    replay: undefined,
  };
  let seedGiven = false;
  let seedsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v)) throw new Error(`${a} needs a number`);
      return v;
    };
    switch (a) {
      case '--seeds':
        args.seeds = value();
        seedsGiven = true;
        break;
      case '--commands':
        args.commands = value();
        break;
      case '--seed':
        args.seed = value();
        seedGiven = true;
        break;
      case '--invariant-every':
        args.invariantEvery = value();
        break;
      case '--hash-every':
        args.hashEvery = value();
        break;
      case '--garbage':
        args.garbage = value();
        break;
      case '--max-orders':
        args.maxOrders = value();
        break;
      case '--book-target':
        args.bookTarget = value();
        break;
      case '--fee-account':
        args.feeAccount = value();
        break;
      case '--replay':
        args.replay = argv[++i];
        break;
      case '--shrink':
        args.shrink = true;
        break;
      case '--naive':
        args.naive = true;
        break;
      case '--non-objects':
        args.nonObjects = true;
        break;
      case '--help':
      case '-h':
        throw new Error('usage');
      default:
        throw new Error(`unknown argument ${a}`);
    }
  }
  if (seedGiven && !seedsGiven) args.seeds = 1;
  return args;
}

function main(): number {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(
      `${(e as Error).message}\nusage: fuzz-engine [--seeds N] [--commands M] [--seed S] [--invariant-every K] [--hash-every H] [--shrink] [--naive] [--garbage RATE] [--non-objects] [--max-orders N] [--book-target N] [--fee-account ID] [--replay FILE]\n`,
    );
    return 2;
  }
  const makeFast: MakeEngine = args.naive
    ? (o) => new NaiveEngine(o)
    : (o) => {
        const Engine = loadFastEngine();
        return new Engine(o);
      };
  const options: DifferentialOptions = {
    invariantEvery: args.invariantEvery,
    hashEvery: args.hashEvery,
    ...(args.maxOrders !== undefined ? { maxOrders: args.maxOrders } : {}),
    ...(args.feeAccount !== undefined ? { feeAccountId: args.feeAccount } : {}),
    generator: {
      ...(args.garbage !== undefined ? { garbageRate: args.garbage } : {}),
      ...(args.bookTarget !== undefined ? { bookTarget: args.bookTarget } : {}),
      nonObjects: args.nonObjects,
    },
  };
  const started = Date.now();
  if (args.replay !== undefined) {
    const list = decodeCommands(readFileSync(args.replay, 'utf8'));
    const r = runDifferential(args.seed, list, makeFast, {
      ...options,
      invariantEvery: 1,
      hashEvery: 1,
    });
    if (r.failure) process.stdout.write(`${r.failure.report}\n`);
    const summary = {
      ok: r.ok,
      replay: args.replay,
      commands: list.length,
      failedAt: r.failure?.index ?? null,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return r.ok ? 0 : 1;
  }
  const failures: { seed: number; index: number; what: string; minimal?: number }[] = [];
  let commands = 0;
  let events = 0;
  for (let k = 0; k < args.seeds; k++) {
    const seed = args.seed + k;
    const r = runDifferential(seed, args.commands, makeFast, options);
    commands += r.stats.commands;
    events += r.stats.events;
    if (r.ok) {
      process.stdout.write(
        `seed ${seed}: ok, ${r.stats.commands} commands, ${r.stats.events} events, ${r.ms} ms\n`,
      );
      continue;
    }
    const f = r.failure!;
    process.stdout.write(`seed ${seed}: FAILED at command ${f.index}\n${f.report}\n`);
    const entry: (typeof failures)[number] = {
      seed,
      index: f.index,
      what: f.what.split('\n')[0]!,
    };
    if (args.shrink && f.index >= 0) {
      const minimal = shrinkFailure(seed, r.commands, makeFast, options);
      entry.minimal = minimal.length;
      const again = runDifferential(seed, minimal, makeFast, {
        ...options,
        invariantEvery: 1,
        hashEvery: 1,
      });
      const file = `fuzz-min-${seed}.json`;
      writeFileSync(file, encodeCommands(minimal));
      process.stdout.write(
        `minimal failing sequence (${minimal.length} commands, saved to ${file}; replay with --seed ${seed} --replay ${file}):\n`,
      );
      for (const c of minimal) process.stdout.write(`  ${showJson(c)}\n`);
      if (again.failure) process.stdout.write(`${again.failure.report}\n`);
    }
    failures.push(entry);
  }
  const summary = {
    ok: failures.length === 0,
    engine: args.naive ? 'naive' : 'fast',
    seeds: args.seeds,
    firstSeed: args.seed,
    commandsPerSeed: args.commands,
    commands,
    events,
    ms: Date.now() - started,
    failures,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return failures.length === 0 ? 0 : 1;
}

process.exitCode = main();
