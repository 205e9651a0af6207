// Decoding untrusted bytes never throws and never hangs: it returns a value
// that says what went wrong. protobufjs throws RangeError/Error on truncated
// or malformed input; this is the one place those become values.

export interface Decoder<T> {
  decode(reader: Uint8Array): T;
}

export const enum DecodeErrorCode {
  EMPTY = 1,
  TOO_LARGE = 2,
  MALFORMED = 3,
  NUMBER_OUT_OF_RANGE = 4,
}

export type DecodeResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: DecodeErrorCode; readonly message: string };

export function decodeSafe<T>(
  type: Decoder<T>,
  bytes: Uint8Array,
  maxBytes: number,
): DecodeResult<T> {
  if (bytes.length > maxBytes) {
    return {
      ok: false,
      code: DecodeErrorCode.TOO_LARGE,
      message: `${bytes.length} bytes > ${maxBytes}`,
    };
  }
  try {
    return { ok: true, value: type.decode(bytes) };
  } catch (err) {
    return { ok: false, code: DecodeErrorCode.MALFORMED, message: (err as Error).message };
  }
}

/**
 * 64-bit fields decode to plain numbers (scripts/build-proto.mjs configures
 * protobufjs so); values past 2^53-1 lose precision, so every consumer checks.
 */
export function isSafeUint(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}
