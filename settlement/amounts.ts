// Exact conversions between the engine's integers (atoms, ticks, lots) and
// Postgres numeric text, with BigInt fixed-point arithmetic: never a float.
//   amount   = atoms x 10^-precision
//   price    = ticks x tick_size
//   quantity = lots  x lot_size
// Postgres prints numeric without exponents, which is what parseDecimal reads.
import { SettlementError } from './errors';

/** A decimal as coefficient x 10^-scale. */
export interface Fixed {
  readonly coef: bigint;
  readonly scale: number;
}

const DECIMAL_RE = /^(-?)(\d+)(?:\.(\d+))?$/;

export function parseDecimal(text: string): Fixed {
  const m = DECIMAL_RE.exec(text.trim());
  if (m === null) {
    throw new SettlementError(
      'E_SETTLEMENT_INVARIANT',
      `not a plain decimal: ${JSON.stringify(text)}`,
    );
  }
  const frac = m[3] ?? '';
  const coef = BigInt(m[2]! + frac);
  return { coef: m[1] === '-' ? -coef : coef, scale: frac.length };
}

/** coef x 10^-scale as plain decimal text ("-0.05", "12", "3.100"). */
export function formatFixed(coef: bigint, scale: number): string {
  const neg = coef < 0n;
  let digits = (neg ? -coef : coef).toString();
  if (scale > 0) {
    if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return neg ? `-${digits}` : digits;
}

function integer(n: number | bigint, what: string): bigint {
  if (typeof n === 'bigint') return n;
  if (!Number.isSafeInteger(n)) {
    throw new SettlementError('E_SETTLEMENT_INVARIANT', `${what} is not a safe integer: ${n}`);
  }
  return BigInt(n);
}

const ZEROS = '0'.repeat(40);

/** A safe integer's digits with the decimal point `scale` places from the right (the hot path). */
function formatSafe(n: number, scale: number): string {
  const neg = n < 0;
  let digits = String(neg ? -n : n);
  if (scale > 0) {
    if (digits.length <= scale) digits = ZEROS.slice(0, scale - digits.length + 1) + digits;
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return neg ? `-${digits}` : digits;
}

/** Atoms of an asset with `precision` decimals as numeric text: 123456, 8 -> "0.00123456". */
export function atomsToDecimal(atoms: number | bigint, precision: number): string {
  if (typeof atoms === 'number' && Number.isSafeInteger(atoms) && precision <= 30)
    return formatSafe(atoms, precision);
  return formatFixed(integer(atoms, 'atoms'), precision);
}

/** n x unit as numeric text (ticks x tick_size, lots x lot_size). */
export function timesUnit(n: number | bigint, unit: Fixed): string {
  if (typeof n === 'number' && unit.coef <= 9_007_199_254_740_991n && unit.scale <= 30) {
    const p = n * Number(unit.coef);
    if (Number.isSafeInteger(p) && Number.isSafeInteger(n)) return formatSafe(p, unit.scale);
  }
  return formatFixed(integer(n, 'multiplier') * unit.coef, unit.scale);
}

/** Rescales a decimal to `scale` digits; throws if that would drop a non-zero digit. */
function rescale(f: Fixed, scale: number, what: string): bigint {
  if (f.scale <= scale) return f.coef * 10n ** BigInt(scale - f.scale);
  const div = 10n ** BigInt(f.scale - scale);
  if (f.coef % div !== 0n) {
    throw new SettlementError(
      'E_SETTLEMENT_INVARIANT',
      `${what} ${formatFixed(f.coef, f.scale)} has more than ${scale} decimals`,
    );
  }
  return f.coef / div;
}

/** Numeric text -> atoms, exactly ("0.00123456", 8 -> 123456n); throws on finer digits. */
export function decimalToAtoms(text: string, precision: number): bigint {
  return rescale(parseDecimal(text), precision, 'amount');
}

/** value / unit, which must be a whole number (quantity / lot_size -> lots). */
export function divideToInteger(text: string, unit: Fixed, what: string): number {
  const v = parseDecimal(text);
  const scale = Math.max(v.scale, unit.scale);
  const a = rescale(v, scale, what);
  const b = rescale(unit, scale, what);
  if (b === 0n || a % b !== 0n) {
    throw new SettlementError(
      'E_SETTLEMENT_INVARIANT',
      `${what} ${text} is not a whole multiple of ${formatFixed(unit.coef, unit.scale)}`,
    );
  }
  const q = a / b;
  if (q > BigInt(Number.MAX_SAFE_INTEGER) || q < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new SettlementError('E_SETTLEMENT_INVARIANT', `${what} ${text} is past 2^53`);
  }
  return Number(q);
}

/** unit x 10^precision as a positive safe integer (lot_size in base atoms), or undefined. */
export function unitInAtoms(unit: Fixed, precision: number): number | undefined {
  let v: bigint;
  try {
    v = rescale(unit, precision, 'unit');
  } catch {
    return undefined;
  }
  if (v <= 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(v);
}

/** a x b exactly. */
export function multiplyFixed(a: Fixed, b: Fixed): Fixed {
  return { coef: a.coef * b.coef, scale: a.scale + b.scale };
}
