// Reading the engine's journal: `journal:{shard}` stream entries (id
// `<lastSeq>-0`, field `e` = exchange.v1.JournalEntry) decoded into the few
// event fields settlement needs. The decoder walks the protobuf with the
// engine process's ProtoScanner instead of building protobufjs objects, skips
// the command bodies and the kinds settlement ignores (book levels, reference
// data), and checks every 64-bit value is a safe integer. Decoded entries are
// cached per process, so the window folds of concurrent jobs (README
// "Orders") rarely decode anything twice.
import type Redis from 'ioredis';
import { EventKind } from '../engine/enums';
import { journalKey, seqOfEntryId } from '../engine/process';
import { ProtoScanError, ProtoScanner } from '../engine/process/proto-reader';
import { PROTOCOL_VERSION } from '../proto';
import { SettlementError } from './errors';
import { DECODE_CACHE_COMMANDS, MAX_ENTRY_BYTES } from './limits';

/** One engine event, with the fields settlement reads (0 / '' when absent). */
export class JEvent {
  kind = 0;
  /** Position among its command's events (all kinds counted): part of every derived id. */
  index = 0;
  orderId = 0;
  accountId = 0;
  marketId = 0;
  side = 0;
  priceTicks = 0;
  qtyLots = 0;
  remainingLots = 0;
  quoteAtoms = 0;
  tradeId = 0;
  makerOrderId = 0;
  makerAccountId = 0;
  makerRemainingLots = 0;
  takerFeeAtoms = 0;
  makerFeeAtoms = 0;
  commandKind = 0;
  rejectReason = 0;
  cancelReason = 0;
  orderType = 0;
  timeInForce = 0;
  stpMode = 0;
  flags = 0;
  assetId = 0;
  availableAtoms = 0;
  lockedAtoms = 0;
  amountAtoms = 0;
  refId = 0;
  clientOrderId = '';
}

export interface JCommand {
  readonly seq: number;
  readonly timeUs: number;
  readonly rejectReason: number;
  /** The events settlement uses, in journal order (see RELEVANT). */
  readonly events: JEvent[];
}

export interface JEntry {
  /** Stream id, `<lastSeq>-0`. */
  readonly id: string;
  readonly shard: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly commands: JCommand[];
}

/** Event kinds settlement reads; the others are counted (for indexes) and skipped. */
const RELEVANT = new Uint8Array(32);
for (const k of [
  EventKind.ORDER_ACCEPTED,
  EventKind.ORDER_REJECTED,
  EventKind.TRADE,
  EventKind.ORDER_CANCELED,
  EventKind.ORDER_EXPIRED,
  EventKind.ORDER_AMENDED,
  EventKind.SELF_TRADE_PREVENTED,
  EventKind.BALANCE,
  EventKind.DEPOSITED,
  EventKind.WITHDRAWAL_LOCKED,
  EventKind.WITHDRAWAL_FINALIZED,
  EventKind.WITHDRAWAL_RELEASED,
]) {
  RELEVANT[k] = 1;
}

function zigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

function decodeError(id: string, shard: number, message: string, cause?: unknown): SettlementError {
  return new SettlementError(
    'E_SETTLEMENT_DECODE',
    `${journalKey(shard)} entry ${id}: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

function readEvent(s: ProtoScanner, ev: JEvent): void {
  while (s.next()) {
    switch (s.field) {
      case 1:
        ev.kind = s.uint();
        if (ev.kind >= RELEVANT.length || RELEVANT[ev.kind] === 0) {
          s.pos = s.end;
          return;
        }
        break;
      case 3:
        ev.orderId = s.uint();
        break;
      case 4:
        ev.accountId = s.uint();
        break;
      case 5:
        ev.marketId = s.uint();
        break;
      case 6:
        ev.side = s.uint();
        break;
      case 7:
        ev.priceTicks = s.uint();
        break;
      case 8:
        ev.qtyLots = s.uint();
        break;
      case 9:
        ev.remainingLots = s.uint();
        break;
      case 10:
        ev.quoteAtoms = s.uint();
        break;
      case 11:
        ev.tradeId = s.uint();
        break;
      case 12:
        ev.makerOrderId = s.uint();
        break;
      case 13:
        ev.makerAccountId = s.uint();
        break;
      case 14:
        ev.makerRemainingLots = s.uint();
        break;
      case 15:
        ev.takerFeeAtoms = zigzag(s.uint());
        break;
      case 16:
        ev.makerFeeAtoms = zigzag(s.uint());
        break;
      case 17:
        ev.commandKind = s.uint();
        break;
      case 18:
        ev.rejectReason = s.uint();
        break;
      case 19:
        ev.cancelReason = s.uint();
        break;
      case 20:
        ev.orderType = s.uint();
        break;
      case 21:
        ev.timeInForce = s.uint();
        break;
      case 22:
        ev.stpMode = s.uint();
        break;
      case 23:
        ev.flags = s.uint();
        break;
      case 24:
        ev.assetId = s.uint();
        break;
      case 25:
        ev.availableAtoms = s.uint();
        break;
      case 26:
        ev.lockedAtoms = s.uint();
        break;
      case 27:
        ev.amountAtoms = s.uint();
        break;
      case 28:
        ev.refId = s.uint();
        break;
      case 33:
        ev.clientOrderId = s.string();
        break;
      default:
        s.skip();
    }
  }
}

function readCommand(buf: Buffer, start: number, end: number): JCommand {
  const s = new ProtoScanner(buf, start, end);
  let seq = 0;
  let timeUs = 0;
  let rejectReason = 0;
  const events: JEvent[] = [];
  let index = 0;
  while (s.next()) {
    switch (s.field) {
      case 1:
        seq = s.uint();
        break;
      case 2:
        timeUs = s.uint();
        break;
      case 4:
        rejectReason = s.uint();
        break;
      case 5: {
        const [a, b] = s.lenRange();
        const ev = new JEvent();
        ev.index = index++;
        readEvent(new ProtoScanner(buf, a, b), ev);
        if (ev.kind < RELEVANT.length && RELEVANT[ev.kind] === 1) events.push(ev);
        break;
      }
      default:
        s.skip();
    }
  }
  return { seq, timeUs, rejectReason, events };
}

/** Decodes one stream entry; throws E_SETTLEMENT_DECODE naming it when it is not a well-formed entry of `shard`. */
export function decodeEntry(id: string, bytes: Buffer | undefined, shard: number): JEntry {
  if (bytes === undefined) throw decodeError(id, shard, "no field 'e'");
  if (bytes.length > MAX_ENTRY_BYTES) throw decodeError(id, shard, `${bytes.length} bytes`);
  const idSeq = seqOfEntryId(id);
  if (Number.isNaN(idSeq)) throw decodeError(id, shard, 'stream id is not <seq>-0');
  let version = 0;
  let entryShard = 0;
  let firstSeq = 0;
  let lastSeq = 0;
  const commands: JCommand[] = [];
  try {
    const s = new ProtoScanner(bytes);
    while (s.next()) {
      switch (s.field) {
        case 1:
          version = s.uint();
          break;
        case 2:
          entryShard = s.uint();
          break;
        case 3:
          firstSeq = s.uint();
          break;
        case 4:
          lastSeq = s.uint();
          break;
        case 5: {
          const [a, b] = s.lenRange();
          commands.push(readCommand(bytes, a, b));
          break;
        }
        default:
          s.skip();
      }
    }
  } catch (err) {
    if (err instanceof ProtoScanError) throw decodeError(id, shard, err.message, err);
    throw err;
  }
  if (version !== PROTOCOL_VERSION) throw decodeError(id, shard, `version ${version}`);
  if (entryShard !== shard) throw decodeError(id, shard, `entry of shard ${entryShard}`);
  if (lastSeq !== idSeq || firstSeq < 1 || lastSeq - firstSeq + 1 !== commands.length) {
    throw decodeError(id, shard, `seqs ${firstSeq}..${lastSeq} with ${commands.length} commands`);
  }
  for (let i = 0; i < commands.length; i++) {
    if (commands[i]!.seq !== firstSeq + i) {
      throw decodeError(
        id,
        shard,
        `command ${i} has seq ${commands[i]!.seq}, expected ${firstSeq + i}`,
      );
    }
  }
  return { id, shard, firstSeq, lastSeq, commands };
}

/** The seqs of an entry without decoding its commands (the pump reads only this). */
export function entryHeader(
  id: string,
  bytes: Buffer | undefined,
  shard: number,
): { firstSeq: number; lastSeq: number; commands: number } {
  if (bytes === undefined) throw decodeError(id, shard, "no field 'e'");
  const idSeq = seqOfEntryId(id);
  if (Number.isNaN(idSeq)) throw decodeError(id, shard, 'stream id is not <seq>-0');
  let version = 0;
  let entryShard = 0;
  let firstSeq = 0;
  let lastSeq = 0;
  let commands = 0;
  try {
    const s = new ProtoScanner(bytes);
    while (s.next()) {
      if (s.field === 1) version = s.uint();
      else if (s.field === 2) entryShard = s.uint();
      else if (s.field === 3) firstSeq = s.uint();
      else if (s.field === 4) lastSeq = s.uint();
      else {
        if (s.field === 5) commands++;
        s.skip();
      }
    }
  } catch (err) {
    if (err instanceof ProtoScanError) throw decodeError(id, shard, err.message, err);
    throw err;
  }
  if (version !== PROTOCOL_VERSION) throw decodeError(id, shard, `version ${version}`);
  if (entryShard !== shard) throw decodeError(id, shard, `entry of shard ${entryShard}`);
  if (lastSeq !== idSeq || firstSeq < 1 || lastSeq - firstSeq + 1 !== commands) {
    throw decodeError(id, shard, `seqs ${firstSeq}..${lastSeq} with ${commands} commands`);
  }
  return { firstSeq, lastSeq, commands };
}

/** The `e` field of a stream entry's field list. */
export function entryField(fields: (string | Buffer)[]): Buffer | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const f = fields[i]!;
    if (f.length === 1 && f.toString() === 'e') return fields[i + 1] as Buffer;
  }
  return undefined;
}

type StreamRows = [Buffer, Buffer[]][];

/**
 * Decoded entries by (shard, firstSeq), least recently used first out, bounded
 * by the commands they hold.
 */
export class JournalCache {
  private readonly map = new Map<string, JEntry>();
  private commands = 0;
  constructor(private readonly maxCommands = DECODE_CACHE_COMMANDS) {}

  get(shard: number, firstSeq: number): JEntry | undefined {
    const k = `${shard}:${firstSeq}`;
    const e = this.map.get(k);
    if (e !== undefined) {
      this.map.delete(k);
      this.map.set(k, e);
    }
    return e;
  }

  put(e: JEntry): void {
    const k = `${e.shard}:${e.firstSeq}`;
    const old = this.map.get(k);
    if (old !== undefined) {
      this.map.delete(k);
      this.commands -= old.commands.length;
    }
    this.map.set(k, e);
    this.commands += e.commands.length;
    while (this.commands > this.maxCommands && this.map.size > 1) {
      const first = this.map.keys().next().value as string;
      this.commands -= this.map.get(first)!.commands.length;
      this.map.delete(first);
    }
  }

  clear(): void {
    this.map.clear();
    this.commands = 0;
  }
}

const READ_PAGE = 256;

/**
 * The journal entries covering seqs firstSeq..lastSeq of a shard, in order,
 * from the cache or Redis. Stops at the first hole (a trimmed or missing
 * entry, or a start that is not an entry boundary): the caller checks that
 * what came back covers what it asked for.
 */
export async function readEntries(
  redis: Redis,
  cache: JournalCache,
  shard: number,
  firstSeq: number,
  lastSeq: number,
): Promise<JEntry[]> {
  const out: JEntry[] = [];
  let seq = firstSeq;
  const key = journalKey(shard);
  while (seq <= lastSeq) {
    const hit = cache.get(shard, seq);
    if (hit !== undefined) {
      out.push(hit);
      seq = hit.lastSeq + 1;
      continue;
    }
    const rows = (await redis.xrangeBuffer(
      key,
      `${seq}-0`,
      `${lastSeq}-0`,
      'COUNT',
      READ_PAGE,
    )) as unknown as StreamRows;
    if (rows.length === 0) return out;
    for (const [idBuf, fields] of rows) {
      const e = decodeEntry(idBuf.toString(), entryField(fields), shard);
      cache.put(e);
      if (e.firstSeq !== seq) return out;
      out.push(e);
      seq = e.lastSeq + 1;
      if (seq > lastSeq || cache.get(shard, seq) !== undefined) break;
    }
  }
  return out;
}
