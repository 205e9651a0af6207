import path from 'node:path';
import t from 'tap';
import {
  benchSocketPath,
  engineLinkLine,
  parseEngineLink,
  SUN_PATH_MAX_BYTES,
} from '../engine-link';

t.test('--engine-link takes unix or tcp and nothing else', async (t) => {
  t.equal(parseEngineLink('unix'), 'unix');
  t.equal(parseEngineLink('tcp'), 'tcp');
  t.throws(() => parseEngineLink('udp'), {
    message: "--engine-link needs 'unix' or 'tcp', got 'udp'",
  });
  t.throws(() => parseEngineLink(undefined), {
    message: "--engine-link needs 'unix' or 'tcp', got nothing",
  });
});

t.test('the socket path is per run and fits sun_path', async (t) => {
  t.equal(benchSocketPath(42, '/tmp'), '/tmp/exchange-bench-engine-42.sock');
  t.not(benchSocketPath(1, '/tmp'), benchSocketPath(2, '/tmp'));
  const deep = path.join('/tmp', 'd'.repeat(SUN_PATH_MAX_BYTES));
  t.throws(() => benchSocketPath(42, deep), /longer than 107 bytes: set TMPDIR/);
});

t.test('the printed line names the transport and how to get the other', async (t) => {
  t.equal(
    engineLinkLine('unix', '/tmp/x.sock'),
    'engine link: Unix socket /tmp/x.sock (ENGINE_SOCKET; --engine-link tcp measures loopback TCP)',
  );
  t.match(
    engineLinkLine('tcp', undefined),
    /^engine link: loopback TCP \(--engine-link unix uses a Unix socket/,
  );
});
