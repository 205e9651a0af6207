// The fast engine's EventSink: an append-only log of records of doubles,
// [kind, seq, the numeric fields of EVENT_FIELDS[kind]] back to back (the
// layouts are the *Rec enums in event.ts), plus one string slot per event
// (clientOrderId). Why not a pool of Event objects: a 34-field object per
// event (plus a heap box per large number) spread ~400 B over several cache
// lines, and with ~3.6 events per command and a drain every batch the pool's
// working set fell out of L2; a record here is the 4-16 doubles its kind has,
// written sequentially. Steady state allocates nothing; the log doubles when
// one drain interval needs more, up to MAX_EVENTS_PER_BUFFER (past that the
// caller has stopped draining: a bug, so an assertion).
//
// Readers get an Event-shaped view per at() call (getters over the record),
// valid until the next clear().
import { assert } from '../common/errors';
import { EVENT_BUFFER_INITIAL, MAX_EVENTS_PER_BUFFER } from './constants';
import { EVENT_FIELDS, type Event, type EventKind, type EventSink, type Field } from './event';

/** Every field an event can carry, numbered for the offset table. */
const FIELDS: readonly Field[] = [
  'accountId',
  'assetId',
  'availableAtoms',
  'lockedAtoms',
  'marketId',
  'side',
  'priceTicks',
  'qtyLots',
  'orderCount',
  'orderId',
  'clientOrderId',
  'quoteAtoms',
  'reason',
  'flags',
  'remainingLots',
  'orderType',
  'timeInForce',
  'stpMode',
  'tradeId',
  'makerOrderId',
  'makerAccountId',
  'makerRemainingLots',
  'takerFeeAtoms',
  'makerFeeAtoms',
  'commandKind',
  'amountAtoms',
  'refId',
  'makerFeeBps',
  'takerFeeBps',
  'status',
  'timeoutMs',
  'deadlineUs',
];
const NF = FIELDS.length;
const MAX_KIND = 20;

/** OFFSET[kind * NF + field]: where the field sits in a record of that kind (0: it has none). */
const OFFSET = new Int8Array((MAX_KIND + 1) * NF);
/** Record length of each kind. */
export const RECORD_SIZE = new Int8Array(MAX_KIND + 1);
/** Whether the kind carries clientOrderId. */
const HAS_STRING = new Uint8Array(MAX_KIND + 1);

for (const [k, fields] of Object.entries(EVENT_FIELDS)) {
  const kind = Number(k);
  assert(kind >= 1 && kind <= MAX_KIND, 'event kinds fit the offset table');
  let at = 2;
  for (const f of fields) {
    const id = FIELDS.indexOf(f);
    assert(id >= 0, `event field ${f} is numbered`);
    if (f === 'clientOrderId') HAS_STRING[kind] = 1;
    else OFFSET[kind * NF + id] = at++;
  }
  RECORD_SIZE[kind] = at;
}

/** Offset of `field` in records of `kind` (0 when the kind has no such field): for tests. */
export function recordOffset(kind: EventKind, field: Field): number {
  return OFFSET[kind * NF + FIELDS.indexOf(field)]!;
}

/** The largest record (room checked once per event). */
const MAX_RECORD = Math.max(...RECORD_SIZE);

export class EventBuffer implements EventSink {
  /** The records (see the *Rec layouts in event.ts); replaced when it grows. */
  f: Float64Array;
  private starts: Int32Array;
  private strs: string[];
  private n = 0;
  private pos = 0;
  private readonly shared: EventView;

  constructor() {
    this.f = new Float64Array(EVENT_BUFFER_INITIAL * 8);
    this.starts = new Int32Array(EVENT_BUFFER_INITIAL);
    this.strs = new Array<string>(EVENT_BUFFER_INITIAL).fill('');
    this.shared = new EventView(this);
  }

  get count(): number {
    return this.n;
  }

  /**
   * Appends a record of `kind` (`size` = its *Rec.SIZE) stamped with `seq`;
   * returns its offset in `f` (read `f` again afterwards: it may have grown).
   * The caller writes every field of the kind.
   */
  begin(kind: EventKind, seq: number, size: number): number {
    const i = this.n;
    if (i === this.starts.length) this.growIndex();
    const p = this.pos;
    if (p + MAX_RECORD > this.f.length) this.growLog();
    this.starts[i] = p;
    const f = this.f;
    f[p] = kind;
    f[p + 1] = seq;
    this.pos = p + size;
    this.n = i + 1;
    return p;
  }

  /** Sets clientOrderId of the newest record. */
  setString(s: string): void {
    this.strs[this.n - 1] = s;
  }

  at(index: number): Event {
    if (!(index >= 0 && index < this.n) || Math.floor(index) !== index) {
      throw new RangeError(`event index ${index} outside 0..${this.n - 1}`);
    }
    const v = new EventView(this);
    v.point(index);
    return v as unknown as Event;
  }

  /** The shared view, re-pointed at `index` (no allocation; valid until the next view()). */
  view(index: number): Event {
    if (!(index >= 0 && index < this.n) || Math.floor(index) !== index) {
      throw new RangeError(`event index ${index} outside 0..${this.n - 1}`);
    }
    const v = this.shared;
    v.point(index);
    return v as unknown as Event;
  }

  clear(): void {
    this.n = 0;
    this.pos = 0;
  }

  /** Offset of event `index`'s record in `f`. */
  startOf(index: number): number {
    return this.starts[index]!;
  }

  /** clientOrderId of event `index` ('' when its kind has none). */
  str(index: number): string {
    return HAS_STRING[this.f[this.starts[index]!]!] === 1 ? this.strs[index]! : '';
  }

  private growIndex(): void {
    const len = this.starts.length;
    assert(len < MAX_EVENTS_PER_BUFFER, 'event buffer full: the caller must clear() it');
    const next = Math.min(len * 2, MAX_EVENTS_PER_BUFFER);
    const starts = new Int32Array(next);
    starts.set(this.starts);
    this.starts = starts;
    const strs = new Array<string>(next).fill('');
    for (let i = 0; i < len; i++) strs[i] = this.strs[i]!;
    this.strs = strs;
  }

  private growLog(): void {
    const f = new Float64Array(this.f.length * 2);
    f.set(this.f.subarray(0, this.pos));
    this.f = f;
  }
}

/** An Event-shaped, read-only view of one record (valid until the buffer is cleared). */
class EventView {
  /** Event index, its record's offset, and OFFSET's row for its kind. */
  private i = 0;
  private p = 0;
  private row = 0;
  constructor(private readonly b: EventBuffer) {}
  point(index: number): void {
    this.i = index;
    const p = this.b.startOf(index);
    this.p = p;
    this.row = this.b.f[p]! * NF;
  }
  /** Field number `id` (FIELDS order); 0 when the kind has none. */
  private num(id: number): number {
    const o = OFFSET[this.row + id]!;
    return o === 0 ? 0 : this.b.f[this.p + o]!;
  }
  get kind(): EventKind {
    return this.b.f[this.p] as EventKind;
  }
  get seq(): number {
    return this.b.f[this.p + 1]!;
  }
  get accountId(): number {
    return this.num(0);
  }
  get assetId(): number {
    return this.num(1);
  }
  get availableAtoms(): number {
    return this.num(2);
  }
  get lockedAtoms(): number {
    return this.num(3);
  }
  get marketId(): number {
    return this.num(4);
  }
  get side(): number {
    return this.num(5);
  }
  get priceTicks(): number {
    return this.num(6);
  }
  get qtyLots(): number {
    return this.num(7);
  }
  get orderCount(): number {
    return this.num(8);
  }
  get orderId(): number {
    return this.num(9);
  }
  get clientOrderId(): string {
    return this.b.str(this.i);
  }
  get quoteAtoms(): number {
    return this.num(11);
  }
  get reason(): number {
    return this.num(12);
  }
  get flags(): number {
    return this.num(13);
  }
  get remainingLots(): number {
    return this.num(14);
  }
  get orderType(): number {
    return this.num(15);
  }
  get timeInForce(): number {
    return this.num(16);
  }
  get stpMode(): number {
    return this.num(17);
  }
  get tradeId(): number {
    return this.num(18);
  }
  get makerOrderId(): number {
    return this.num(19);
  }
  get makerAccountId(): number {
    return this.num(20);
  }
  get makerRemainingLots(): number {
    return this.num(21);
  }
  get takerFeeAtoms(): number {
    return this.num(22);
  }
  get makerFeeAtoms(): number {
    return this.num(23);
  }
  get commandKind(): number {
    return this.num(24);
  }
  get amountAtoms(): number {
    return this.num(25);
  }
  get refId(): number {
    return this.num(26);
  }
  get makerFeeBps(): number {
    return this.num(27);
  }
  get takerFeeBps(): number {
    return this.num(28);
  }
  get status(): number {
    return this.num(29);
  }
  get timeoutMs(): number {
    return this.num(30);
  }
  get deadlineUs(): number {
    return this.num(31);
  }
}

// The getters above index FIELDS by position: keep the two in step.
for (let id = 0; id < NF; id++) {
  const name = FIELDS[id]!;
  const d = Object.getOwnPropertyDescriptor(EventView.prototype, name);
  assert(d?.get !== undefined, `EventView has a getter for ${name}`);
}
assert(
  FIELDS.indexOf('clientOrderId') === 10 && new Set(FIELDS).size === NF,
  'FIELDS is a list of distinct names with clientOrderId at 10',
);
