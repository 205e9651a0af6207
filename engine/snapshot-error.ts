// Why a snapshot could not be restored. Stable codes for the engine process:
//   E_SNAPSHOT_CORRUPT  truncated, damaged (checksum) or inconsistent bytes
//   E_SNAPSHOT_VERSION  a snapshot of a format version this build cannot read
import { ExchangeError } from '../common/errors';

export type SnapshotErrorCode = 'E_SNAPSHOT_CORRUPT' | 'E_SNAPSHOT_VERSION';

export class SnapshotError extends ExchangeError {
  declare readonly code: SnapshotErrorCode;
  // biome-ignore lint/complexity/noUselessConstructor: narrows `code` to SnapshotErrorCode
  constructor(code: SnapshotErrorCode, message: string) {
    super(code, message);
  }
}
