// Generates proto/gen/exchange.{js,d.ts} from proto/exchange/v1/*.proto with
// protobufjs's CLI, and (with --copy) copies the generated JavaScript into
// dist/ after tsc (tsc only emits .ts sources). `--out DIR` writes elsewhere
// (the staleness test compares a fresh generation with the committed one).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

if (args.includes('--copy')) {
  const from = join(root, 'proto', 'gen');
  const to = join(root, 'dist', 'proto', 'gen');
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from))
    if (f.endsWith('.js')) copyFileSync(join(from, f), join(to, f));
  process.exit(0);
}

const outIdx = args.indexOf('--out');
const outDir = outIdx >= 0 ? resolve(args[outIdx + 1]) : join(root, 'proto', 'gen');
mkdirSync(outDir, { recursive: true });
const protoDir = join(root, 'proto', 'exchange', 'v1');
const files = readdirSync(protoDir)
  .filter((f) => f.endsWith('.proto'))
  .sort()
  .map((f) => join(protoDir, f));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const js = join(outDir, 'exchange.js');
execFileSync(
  bin('pbjs'),
  [
    '-t',
    'static-module',
    '-w',
    'commonjs',
    '--force-number',
    '--no-delimited',
    '--no-verify',
    '--no-typeurl',
    '--no-service',
    '-p',
    join(root, 'proto'),
    '-o',
    js,
    ...files,
  ],
  { cwd: join(root, 'proto'), stdio: 'inherit' },
);
// Decode 64-bit integers to plain numbers (not Long objects) for anyone who
// loads this module, whatever the import order: configure protobufjs inside it.
const marker = 'var $protobuf = require("protobufjs/minimal");';
const src = readFileSync(js, 'utf8');
if (!src.includes(marker)) throw new Error(`build-proto: ${marker} not found in ${js}`);
writeFileSync(
  js,
  src.replace(
    marker,
    `${marker}\n// Added by scripts/build-proto.mjs: 64-bit fields decode to numbers; callers\n// check them against Number.MAX_SAFE_INTEGER.\n$protobuf.util.Long = undefined;\n$protobuf.configure();`,
  ),
);
execFileSync(bin('pbts'), ['--no-comments', '-o', join(outDir, 'exchange.d.ts'), js], {
  stdio: 'inherit',
});
