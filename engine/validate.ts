// Field checks for untrusted commands. Each takes `unknown` and never throws:
// a command from plain JavaScript may carry anything in any field.
import { MAX_CLIENT_ORDER_ID_LENGTH } from './constants';

/** A number that is a safe integer (negative and zero included). */
export function isSafeInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x);
}

/** A safe integer >= 1. */
export function isPosSafeInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x > 0;
}

/** An integer id in 1..limit-1 (a dense table index). */
export function isIdBelow(x: unknown, limit: number): x is number {
  return typeof x === 'number' && x >= 1 && x < limit && Math.floor(x) === x;
}

/** A number field echoed into an ORDER_REJECTED event: safe integers as given (-0 as 0), else 0. */
export function echoNum(x: unknown): number {
  return typeof x === 'number' && Number.isSafeInteger(x) ? x + 0 : 0;
}

/** A string field echoed into an ORDER_REJECTED event: strings as given, else ''. */
export function echoStr(x: unknown): string {
  return typeof x === 'string' ? x : '';
}

/** ^[A-Za-z0-9_-]{1,36}$ without a regular expression (this runs on every order). */
export function isValidClientOrderId(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > MAX_CLIENT_ORDER_ID_LENGTH) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) continue; // a-z
    if (c >= 65 && c <= 90) continue; // A-Z
    if (c >= 48 && c <= 57) continue; // 0-9
    if (c === 95 || c === 45) continue; // _ -
    return false;
  }
  return true;
}
