// A gateway in its own process, for tests that measure it from outside (the
// fuzz test's memory bound) or must see it survive. Options come as JSON in
// GATEWAY_CHILD_OPTIONS (StartGatewayOptions without the logger); it prints
// one JSON line {"port": n} when listening. SIGUSR2: two full GCs, then a
// line {"memory": process.memoryUsage()}. SIGTERM: graceful close, exit 0.
import pino from 'pino';
import { startGateway } from '../../index';

async function main(): Promise<void> {
  const raw = process.env.GATEWAY_CHILD_OPTIONS;
  if (raw === undefined) return; // loaded by the test runner itself: nothing to do
  const options = JSON.parse(raw);
  const handle = await startGateway({
    ...options,
    logger: pino({ level: process.env.GATEWAY_TEST_LOG ?? 'silent' }),
  });
  process.stdout.write(`${JSON.stringify({ port: handle.port })}\n`);
  process.on('SIGUSR2', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    process.stdout.write(`${JSON.stringify({ memory: process.memoryUsage() })}\n`);
  });
  process.on('SIGTERM', () => {
    handle.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`gateway child failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
