// Postgres array literals built directly ('{a,b,NULL}'), sent as one text
// parameter and cast in SQL (`${pgArray(xs)}::uuid[]`). postgres.js would
// otherwise escape every element with regular expressions, which costs more
// than the rest of a job's JavaScript. Elements that need it are quoted.
const NEEDS_QUOTES = /[{}",\\\s]|^$|^null$/i;

function quote(v: string): string {
  return NEEDS_QUOTES.test(v) ? `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"` : v;
}

/** Any values: nulls become NULL, strings are quoted when they must be. */
export function pgArray(values: ReadonlyArray<string | number | null>): string {
  const n = values.length;
  if (n === 0) return '{}';
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'number') parts[i] = String(v);
    else parts[i] = quote(v);
  }
  return `{${parts.join(',')}}`;
}

/**
 * Values that never need quoting and are never null: uuids, numbers, plain
 * decimals, ISO timestamps, identifiers of [A-Za-z0-9_-]. The hot path.
 */
export function pgSafeArray(values: ReadonlyArray<string | number>): string {
  return `{${values.join(',')}}`;
}
