// TLS: with TLS_CERT_FILE and TLS_KEY_FILE the gateway is a uWS SSLApp
// (wss:// and https:// on one port); without them it serves plain ws/http.
// The certificate is a fresh self-signed Ed25519 one made with openssl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig } from '../../common/config';
import { exchange } from '../../proto';
import { type ExchangeEnv, limitOrder, startExchange } from './helpers/exchange-env';
import { TestClient } from './helpers/test-client';

const dir = mkdtempSync(join(tmpdir(), 'gateway-tls-'));
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'ed25519',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '1',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ],
  { stdio: 'ignore' },
);
const ca = readFileSync(certFile);

let env: ExchangeEnv;
t.before(async () => {
  env = await startExchange({
    users: [['tina', 4001]],
    gateway: { config: { tlsCertFile: certFile, tlsKeyFile: keyFile } },
  });
});
t.teardown(async () => {
  await env.stop();
  rmSync(dir, { recursive: true, force: true });
});

function httpsGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

t.test('wss:// and https:// with a certificate', async (t) => {
  t.equal(env.gateway.tls, true);
  t.match(env.gateway.wsUrl, /^wss:\/\//);
  const key = await env.addKey(env.user('tina'));
  const c = await TestClient.connect(env.gateway.wsUrl, { ca });
  t.teardown(() => c.close());
  const ack = await c.logon({ apiKeyPrefix: key.prefix, apiSecret: key.secret });
  t.equal(ack.body, 'logonAck');
  const r = await c.request({ newOrder: limitOrder('buy', 10, 1, 'tls-1') });
  t.equal(r.orderResponse?.acks[0]?.status, exchange.v1.OrderStatus.ORDER_STATUS_NEW);
  const time = await httpsGet(`${env.gateway.url}/api/v1/time`);
  t.equal(time.status, 200);
  t.ok(JSON.parse(time.body).serverTimeUs > 0);
  const markets = await httpsGet(`${env.gateway.url}/api/v1/markets`);
  t.equal(JSON.parse(markets.body).markets[0].symbol, 'BTC-USD');
  // A client that does not trust the certificate is refused by TLS itself.
  await t.rejects(TestClient.connect(env.gateway.wsUrl), 'untrusted certificate');
  // Plain text to the TLS port is not a WebSocket.
  await t.rejects(
    TestClient.connect(env.gateway.wsUrl.replace('wss:', 'ws:'), { timeoutMs: 1_000 }),
  );
});

t.test('plain ws:// and http:// without one', async (t) => {
  const plain = await env.startGateway();
  t.equal(plain.tls, false);
  t.match(plain.wsUrl, /^ws:\/\//);
  const key = await env.addKey(env.user('tina'));
  const c = await TestClient.connect(plain.wsUrl);
  t.teardown(() => c.close());
  t.equal((await c.logon({ apiKeyPrefix: key.prefix, apiSecret: key.secret })).body, 'logonAck');
  t.equal((await fetch(`${plain.url}/api/v1/time`)).status, 200);
});

t.test('TLS misconfiguration fails at startup, naming the problem', async (t) => {
  let err: unknown;
  try {
    loadConfig({ TLS_CERT_FILE: certFile });
  } catch (e) {
    err = e;
  }
  t.ok(err instanceof ConfigError && err.variable === 'TLS_KEY_FILE', 'both files or neither');
  await t.rejects(
    env.startGateway({ config: { tlsCertFile: join(dir, 'missing.pem'), tlsKeyFile: keyFile } }),
    { name: 'GatewayError', code: 'E_TLS' },
  );
});
