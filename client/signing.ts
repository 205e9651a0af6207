// Ed25519 signed logon: the signature covers
// "<api_key_prefix>\n<timestamp_us>\n<hex nonce>" (client.proto Logon), made
// with node:crypto. Keys registered with a public key can log on without
// ever sending the secret.
import {
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';

/** The exact bytes a signed logon signs. */
export function logonPayload(apiKeyPrefix: string, timestampUs: number, nonce: Uint8Array): Buffer {
  return Buffer.from(
    `${apiKeyPrefix}\n${timestampUs}\n${Buffer.from(nonce).toString('hex')}`,
    'utf8',
  );
}

/** Fields of a signed Logon: timestamp (µs), a fresh 16-byte nonce, the signature. */
export interface SignedLogonFields {
  timestampUs: number;
  nonce: Buffer;
  signature: Buffer;
}

/** Accepts a KeyObject or a PEM (PKCS#8) string. */
export function toPrivateKey(key: KeyObject | string): KeyObject {
  const k = typeof key === 'string' ? createPrivateKey(key) : key;
  if (k.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`expected an Ed25519 private key, got ${k.asymmetricKeyType ?? k.type}`);
  }
  return k;
}

/** Signs a logon for `apiKeyPrefix` now (or at `timestampUs`). */
export function signLogon(
  apiKeyPrefix: string,
  privateKey: KeyObject | string,
  timestampUs: number = Date.now() * 1000,
  nonce: Buffer = randomBytes(16),
): SignedLogonFields {
  const signature = sign(
    null,
    logonPayload(apiKeyPrefix, timestampUs, nonce),
    toPrivateKey(privateKey),
  );
  return { timestampUs, nonce, signature };
}

/** A new Ed25519 key pair: the raw 32-byte public key (what the API key stores) and a PEM private key. */
export function generateEd25519KeyPair(): { publicKeyRaw: Buffer; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    publicKeyRaw: Buffer.from(jwk.x as string, 'base64url'),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}
