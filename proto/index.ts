// Shared wire types. The generated static code (proto/gen, from
// proto/exchange/v1/*.proto by scripts/build-proto.mjs) decodes 64-bit
// integers as numbers; decodeSafe() turns malformed input into values.
import { exchange } from './gen/exchange';

export { exchange };
export const v1 = exchange.v1;
export {
  DecodeErrorCode,
  type DecodeResult,
  type Decoder,
  decodeSafe,
  isSafeUint,
} from './codec';
export { encodeFrame, FRAME_HEADER_BYTES, FrameReader, FrameTooLargeError } from './frame';

/** Protocol version carried by LinkHello and JournalEntry. */
export const PROTOCOL_VERSION = 1;
export {
  correlationIdOf,
  type LinkAnswer,
  LinkClient,
  type LinkClientOptions,
  LinkClosedError,
} from './link-client';
