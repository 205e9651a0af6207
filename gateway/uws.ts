// Loads uWebSockets.js's NATIVE binary directly. The npm package's own entry
// (src/uws.js) silently falls back to a slow pure-JS implementation on any
// load error (and whenever UWS_USE_FALLBACK is set); the gateway must never
// run on that, so it requires the binary for this platform, architecture and
// Node ABI itself and fails loudly when it cannot.

import type * as UwsTypes from 'uWebSockets.js';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GatewayError } from './errors';

export type Uws = typeof UwsTypes;
export type {
  HttpRequest,
  HttpResponse,
  TemplatedApp,
  us_listen_socket,
  WebSocket,
} from 'uWebSockets.js';

let loaded: Uws | undefined;

/** binaries/uws_<platform>_<arch>_<abi>.node of the installed package. */
export function nativeBinaryPath(): string {
  const pkgDir = dirname(require.resolve('uWebSockets.js/package.json'));
  const file = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  return join(pkgDir, 'binaries', file);
}

/** The native uWS module; throws GatewayError E_UWS_NATIVE when it cannot be loaded. */
export function loadUws(): Uws {
  if (loaded !== undefined) return loaded;
  const path = nativeBinaryPath();
  if (!existsSync(path)) {
    throw new GatewayError(
      'E_UWS_NATIVE',
      `uWebSockets.js has no native binary for ${process.platform}/${process.arch} ` +
        `Node ABI ${process.versions.modules} (node ${process.version}): ${path} does not exist. ` +
        'Use a Node.js version the installed uWebSockets.js ships binaries for; ' +
        'the slow JavaScript fallback is never used.',
    );
  }
  try {
    loaded = require(path) as Uws;
  } catch (err) {
    throw new GatewayError(
      'E_UWS_NATIVE',
      `uWebSockets.js native binary ${path} failed to load: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (typeof loaded.App !== 'function' || typeof loaded.SSLApp !== 'function') {
    loaded = undefined;
    throw new GatewayError('E_UWS_NATIVE', `${path} is not a uWebSockets.js binary`);
  }
  return loaded;
}
