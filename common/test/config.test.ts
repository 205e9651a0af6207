import t from 'tap';
import { ConfigError, loadConfig } from '../config';

t.test('defaults work on a development machine', async (t) => {
  const c = loadConfig({});
  t.equal(c.databaseUrl, 'postgres://root@127.0.0.1:5432/test');
  t.equal(c.redisUrl, 'redis://127.0.0.1:6379');
  t.equal(c.logLevel, 'info');
  t.equal(c.shardId, 0);
  t.equal(c.tlsCertFile, undefined);
  t.equal(c.cpuLatencyUs, undefined, 'the machine keeps its own idle policy');
});

t.test('a CPU latency request of 0 (idle CPUs poll) is a value, not unset', async (t) => {
  t.equal(loadConfig({ EXCHANGE_CPU_LATENCY_US: '0' }).cpuLatencyUs, 0);
  t.equal(loadConfig({ EXCHANGE_CPU_LATENCY_US: '50' }).cpuLatencyUs, 50);
  t.equal(loadConfig({ EXCHANGE_CPU_LATENCY_US: '' }).cpuLatencyUs, undefined);
});

t.test('each bad variable is named in the error', async (t) => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ SHARD_ID: '1.5' }, 'SHARD_ID'],
    [{ ENGINE_PORT: '70000' }, 'ENGINE_PORT'],
    [{ GATEWAY_PORT: 'http' }, 'GATEWAY_PORT'],
    [{ TLS_CERT_FILE: '/tmp/cert.pem' }, 'TLS_KEY_FILE'],
    [{ SETTLEMENT_CONCURRENCY: '0' }, 'SETTLEMENT_CONCURRENCY'],
    [{ EXCHANGE_CPU_LATENCY_US: '-1' }, 'EXCHANGE_CPU_LATENCY_US'],
    [{ EXCHANGE_CPU_LATENCY_US: 'poll' }, 'EXCHANGE_CPU_LATENCY_US'],
    [{ EXCHANGE_CPU_LATENCY_US: '2000000001' }, 'EXCHANGE_CPU_LATENCY_US'],
  ];
  for (const [env, name] of cases) {
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      caught = err;
    }
    t.ok(caught instanceof ConfigError, `${name} rejected`);
    t.equal((caught as ConfigError).variable, name);
    t.equal((caught as ConfigError).code, 'E_CONFIG');
    t.match((caught as Error).message, name);
  }
});

t.test('explicit values are read', async (t) => {
  const c = loadConfig({ SHARD_ID: '3', ENGINE_PORT: '7200', LOG_LEVEL: 'debug' });
  t.equal(c.shardId, 3);
  t.equal(c.enginePort, 7200);
  t.equal(c.logLevel, 'debug');
});
