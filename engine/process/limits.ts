// Every fixed limit of the engine process in one place, with what it costs in
// memory. assertLimits() runs at startup so a bad edit fails fast. Tunable
// settings (batch size, intervals, window size) live in process-config.ts and
// are checked against these bounds.
import { assert } from '../../common/errors';
import { MAX_BATCH_ITEMS } from '../constants';

/**
 * Largest link frame (one LinkRequest). A BATCH_PLACE of MAX_BATCH_ITEMS
 * orders is ~50 x 60 B = 3 KB, so 64 KiB is generous; the FrameReader refuses
 * a larger length before buffering it (a link buffers at most this much).
 */
export const MAX_FRAME_BYTES = 65_536;

/** Links open at once (gateways, admin tools, benches): ~1 MiB of buffers each at worst. */
export const MAX_LINKS = 256;

/**
 * A link whose unsent output passes this is a slow consumer: it is closed
 * (LinkShutdown SLOW_CONSUMER) rather than letting the engine's memory grow.
 */
export const MAX_LINK_OUTBOUND_BYTES = 64 * 1024 * 1024;

/**
 * The one buffer every link's reads land in (64 KB, once): the most one
 * read(2) takes. A frame longer than a read is assembled by the FrameReader.
 */
export const LINK_READ_BUFFER_BYTES = 64 * 1024;

/** Upper bound of ENGINE_BATCH_MAX_COMMANDS (commands per group commit). */
export const MAX_BATCH_COMMANDS = 65_536;

/**
 * A batch is sealed early once its journal entry passes this many bytes
 * (Redis' proto-max-bulk-len is 512 MiB; one entry of 8 MiB costs Redis about
 * as much memory, and one XADD of it a few milliseconds).
 */
export const MAX_ENTRY_BYTES = 8 * 1024 * 1024;

/**
 * Upper bound of ENGINE_MAX_PENDING_COMMANDS: commands applied but not yet
 * confirmed by Redis. Each holds its reply bytes (~150 B) until release:
 * 1M pending ~ 150 MiB.
 */
export const MAX_PENDING_COMMANDS = 1_048_576;

/** Upper bound of ENGINE_IDEMPOTENCY_WINDOW: ~300 B per record (slots, key table, result bytes): 4M ~ 1.2 GiB. */
export const MAX_IDEMPOTENCY_WINDOW = 4_194_304;

/** Snapshot bodies are stored in chunks of this size so no single Redis command blocks Redis long. */
export const SNAPSHOT_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Recovery reads the journal in windows of this many seqs (entry ids are
 * `<lastSeq>-0`), a few at once. A command's entry share is ~100-300 bytes,
 * so a window is ~2-5 MB (more only if entries are near MAX_ENTRY_BYTES).
 */
export const RECOVERY_WINDOW_SEQS = 16_384;
export const RECOVERY_READS_IN_FLIGHT = 4;

/** How long a graceful shutdown waits for in-flight appends before giving up (fail-stop). */
export const SHUTDOWN_DRAIN_MS = 5_000;

export function assertLimits(): void {
  // A full batch place is the largest legitimate request: it must fit a frame.
  assert(MAX_BATCH_ITEMS * 200 < MAX_FRAME_BYTES, 'a full batch place fits one frame');
  assert(MAX_FRAME_BYTES < MAX_ENTRY_BYTES, 'one command always fits one journal entry');
  assert(MAX_ENTRY_BYTES < 512 * 1024 * 1024, "an entry stays under Redis' bulk limit");
  assert(
    SNAPSHOT_CHUNK_BYTES < 512 * 1024 * 1024,
    "a snapshot chunk stays under Redis' bulk limit",
  );
  assert(MAX_BATCH_COMMANDS <= MAX_PENDING_COMMANDS, 'a whole batch can be pending');
  assert(MAX_LINKS >= 1, 'positive limits');
  assert(RECOVERY_WINDOW_SEQS >= 1 && RECOVERY_READS_IN_FLIGHT >= 1, 'recovery reads something');
}
