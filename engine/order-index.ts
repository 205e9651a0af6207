// orderId -> order slot: open addressing with linear probing over typed
// arrays (no per-entry objects, nothing for the GC to trace), Fibonacci
// hashing of the id's two 32-bit halves (so arithmetic progressions of ids do
// not cluster), and backward-shift deletion (no tombstones, so lookups stay
// short however many orders come and go). Load factor <= 1/4 (short probe
// runs: inserts and backward-shift deletes touch few entries).

const EMPTY = 0; // order ids start at 1

export class OrderIndex {
  private keys: Float64Array;
  private slots: Int32Array;
  private mask: number;
  private shift: number;
  /** Entries. */
  size = 0;
  /** Where get() last found its id (a hint for delete(): a cancel looks up, then deletes). */
  private lastFound = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.keys = new Float64Array(cap);
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
  }

  private home(id: number): number {
    const hi = id > 0xffffffff ? (id / 4_294_967_296) >>> 0 : 0;
    return Math.imul((id >>> 0) ^ hi, 0x9e3779b1) >>> this.shift;
  }

  /** The slot of order `id`, or -1. Any number is accepted (ids that cannot exist miss). */
  get(id: number): number {
    if (!(id >= 1)) return -1;
    const keys = this.keys;
    const mask = this.mask;
    let h = this.home(id);
    for (;;) {
      const k = keys[h]!;
      if (k === id) {
        this.lastFound = h;
        return this.slots[h]!;
      }
      if (k === EMPTY) return -1;
      h = (h + 1) & mask;
    }
  }

  /** Room for n entries without resizing. */
  reserve(n: number): void {
    let cap = this.keys.length;
    while (n * 4 > cap) cap *= 2;
    if (cap !== this.keys.length) this.resize(cap);
  }

  /** Adds order `id` (a positive safe integer not present). */
  set(id: number, slot: number): void {
    if ((this.size + 1) * 4 > this.keys.length) this.resize(this.keys.length * 2);
    this.insert(id, slot);
    this.size++;
  }

  private insert(id: number, slot: number): void {
    const keys = this.keys;
    const mask = this.mask;
    let h = this.home(id);
    while (keys[h] !== EMPTY) h = (h + 1) & mask;
    keys[h] = id;
    this.slots[h] = slot;
  }

  /** Removes order `id` if present. */
  delete(id: number): void {
    const keys = this.keys;
    const slots = this.slots;
    const mask = this.mask;
    let i = this.lastFound;
    if (keys[i] !== id) {
      i = this.home(id);
      for (;;) {
        const k = keys[i]!;
        if (k === id) break;
        if (k === EMPTY) return;
        i = (i + 1) & mask;
      }
    }
    // Backward shift: pull later entries of the probe run into the hole when
    // their home position does not lie cyclically in (hole, position].
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const k = keys[j]!;
      if (k === EMPTY) break;
      const h = this.home(k);
      const between = i <= j ? h > i && h <= j : h > i || h <= j;
      if (!between) {
        keys[i] = k;
        slots[i] = slots[j]!;
        i = j;
      }
    }
    keys[i] = EMPTY;
    this.size--;
  }

  private resize(cap: number): void {
    const oldKeys = this.keys;
    const oldSlots = this.slots;
    this.keys = new Float64Array(cap);
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i]!;
      if (k !== EMPTY) this.insert(k, oldSlots[i]!);
    }
  }
}
