// Decimal <-> integer conversion at the edges. The wire and the engine use
// integer ticks (price), lots (quantity) and atoms (money, 10^-decimals of an
// asset); humans and configs use decimal strings. Every conversion here is
// exact or throws a DecimalError naming the value, the step and the market:
// a price that is not a multiple of the tick size is refused, never rounded.
import Decimal from 'decimal.js';
import { DecimalError } from './errors';

/** Decimal.js with enough precision that no conversion here ever rounds. */
const D = Decimal.clone({
  precision: 100,
  rounding: Decimal.ROUND_DOWN,
  toExpNeg: -100,
  toExpPos: 100,
});
type Dec = InstanceType<typeof D>;

/** A decimal written as a string ("0.01") or a decimal.js value; never a float. */
export type DecimalInput = string | Decimal;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const DECIMAL_RE = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** What a market needs for conversions: its tick and lot sizes and its assets' decimals. */
export interface MarketSpec {
  /** The engine's market id (what the wire uses). */
  readonly marketId: number;
  /** e.g. "BTC-USDT"; used in error messages. */
  readonly symbol?: string;
  /** Price step in quote units, e.g. "0.01". */
  readonly tickSize: DecimalInput;
  /** Quantity step in base units, e.g. "0.0001". */
  readonly lotSize: DecimalInput;
  /** Decimal places of the base asset (its atom is 10^-baseDecimals). */
  readonly baseDecimals: number;
  /** Decimal places of the quote asset. */
  readonly quoteDecimals: number;
}

/** The two integers the engine converts with (engine.proto AddMarket). */
export interface MarketScales {
  /** Base atoms in one lot: lotSize * 10^baseDecimals. */
  readonly baseAtomsPerLot: number;
  /** Quote atoms of one lot at one tick: tickSize * lotSize * 10^quoteDecimals. */
  readonly quoteAtomsPerTickLot: number;
}

function label(spec: { symbol?: string; marketId?: number }): string {
  if (spec.symbol !== undefined) return spec.symbol;
  if (spec.marketId !== undefined) return `market ${spec.marketId}`;
  return 'market';
}

/** Parses a decimal string (or decimal.js value) strictly: finite, non-negative, no floats. */
export function parseDecimal(value: DecimalInput, what: string): Dec {
  if (typeof value === 'string') {
    const s = value.trim();
    if (!DECIMAL_RE.test(s)) {
      throw new DecimalError(
        `${what}: ${JSON.stringify(value)} is not a non-negative decimal number`,
      );
    }
    return new D(s);
  }
  if (Decimal.isDecimal(value)) {
    const d = new D(value.toString());
    if (!d.isFinite() || d.isNegative()) {
      throw new DecimalError(`${what}: ${value.toString()} is not a non-negative decimal number`);
    }
    return d;
  }
  throw new DecimalError(
    `${what}: expected a decimal string or Decimal, got ${typeof value} (floats are not accepted)`,
  );
}

function toSafeInteger(d: Dec, what: string): number {
  if (!d.isInteger()) throw new DecimalError(`${what}: ${d.toFixed()} is not an integer`);
  if (d.gt(MAX_SAFE)) throw new DecimalError(`${what}: ${d.toFixed()} exceeds 2^53-1`);
  return d.toNumber();
}

function checkDecimals(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || n > 18) {
    throw new DecimalError(`${what}: decimals must be an integer in 0..18, got ${n}`);
  }
}

/**
 * `amount` (a multiple of `step`) as an integer count of steps.
 * Throws DecimalError when it is not an exact, positive-or-zero, safe multiple.
 */
export function decimalToSteps(
  amount: DecimalInput,
  step: DecimalInput,
  what: string,
  stepName: string,
): number {
  const a = parseDecimal(amount, what);
  const s = parseDecimal(step, stepName);
  if (s.isZero()) throw new DecimalError(`${stepName} must be positive`);
  const q = a.div(s);
  if (!q.isInteger()) {
    const lower = q.floor().mul(s);
    throw new DecimalError(
      `${what} ${a.toFixed()} is not a multiple of the ${stepName} ${s.toFixed()} ` +
        `(nearest: ${lower.toFixed()} or ${lower.add(s).toFixed()})`,
    );
  }
  return toSafeInteger(q, what);
}

/** Amount in atoms of an asset with `decimals` places: "1.5" with 8 -> 150000000. */
export function amountToAtoms(amount: DecimalInput, decimals: number, what = 'amount'): number {
  checkDecimals(decimals, what);
  const a = parseDecimal(amount, what);
  const atoms = a.mul(new D(10).pow(decimals));
  if (!atoms.isInteger()) {
    throw new DecimalError(`${what} ${a.toFixed()} has more than ${decimals} decimal places`);
  }
  return toSafeInteger(atoms, what);
}

/** Atoms back to a decimal string: 150000000 with 8 -> "1.5". Accepts negatives (fees). */
export function atomsToAmount(atoms: number, decimals: number): string {
  checkDecimals(decimals, 'decimals');
  if (!Number.isSafeInteger(atoms)) throw new DecimalError(`atoms ${atoms} is not a safe integer`);
  return new D(atoms).div(new D(10).pow(decimals)).toFixed();
}

/**
 * The engine's integer scales for a market, computed exactly; throws
 * DecimalError when the lot size is finer than the base asset's atom or
 * tick x lot is finer than the quote asset's atom (such a market cannot be
 * represented in integers).
 */
export function marketScales(
  spec: Omit<MarketSpec, 'marketId'> & { marketId?: number },
): MarketScales {
  checkDecimals(spec.baseDecimals, 'baseDecimals');
  checkDecimals(spec.quoteDecimals, 'quoteDecimals');
  const tick = parseDecimal(spec.tickSize, 'tick size');
  const lot = parseDecimal(spec.lotSize, 'lot size');
  if (tick.isZero()) throw new DecimalError(`${label(spec)}: tick size must be positive`);
  if (lot.isZero()) throw new DecimalError(`${label(spec)}: lot size must be positive`);
  const bapl = lot.mul(new D(10).pow(spec.baseDecimals));
  if (!bapl.isInteger()) {
    throw new DecimalError(
      `${label(spec)}: lot size ${lot.toFixed()} is finer than the base asset's atom ` +
        `(10^-${spec.baseDecimals}); lot size x 10^${spec.baseDecimals} = ${bapl.toFixed()} is not an integer`,
    );
  }
  const qaptl = tick.mul(lot).mul(new D(10).pow(spec.quoteDecimals));
  if (!qaptl.isInteger()) {
    throw new DecimalError(
      `${label(spec)}: tick size x lot size = ${tick.mul(lot).toFixed()} is finer than the quote ` +
        `asset's atom (10^-${spec.quoteDecimals}); choose a coarser tick or lot size`,
    );
  }
  return {
    baseAtomsPerLot: toSafeInteger(bapl, `${label(spec)} base atoms per lot`),
    quoteAtomsPerTickLot: toSafeInteger(qaptl, `${label(spec)} quote atoms per tick-lot`),
  };
}

/**
 * Converts one market's prices, quantities and amounts between decimal
 * strings and the integers of the wire. Construct once per market (it checks
 * the market is representable) and reuse.
 *
 * ```ts
 * const btc = new MarketUnits({ marketId: 1, symbol: 'BTC-USDT', tickSize: '0.01',
 *   lotSize: '0.0001', baseDecimals: 8, quoteDecimals: 6 });
 * btc.priceToTicks('27123.45'); // 2712345
 * btc.qtyToLots('0.25');         // 2500
 * btc.priceToTicks('27123.455'); // throws DecimalError: not a multiple of the tick size 0.01
 * ```
 */
export class MarketUnits implements MarketScales {
  readonly marketId: number;
  readonly symbol: string;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly baseDecimals: number;
  readonly quoteDecimals: number;
  readonly baseAtomsPerLot: number;
  readonly quoteAtomsPerTickLot: number;

  constructor(spec: MarketSpec) {
    const scales = marketScales(spec);
    this.marketId = spec.marketId;
    this.symbol = label(spec);
    this.tickSize = parseDecimal(spec.tickSize, 'tick size').toFixed();
    this.lotSize = parseDecimal(spec.lotSize, 'lot size').toFixed();
    this.baseDecimals = spec.baseDecimals;
    this.quoteDecimals = spec.quoteDecimals;
    this.baseAtomsPerLot = scales.baseAtomsPerLot;
    this.quoteAtomsPerTickLot = scales.quoteAtomsPerTickLot;
  }

  /** "27123.45" -> ticks; throws DecimalError unless an exact multiple of the tick size. */
  priceToTicks(price: DecimalInput): number {
    return decimalToSteps(price, this.tickSize, `${this.symbol} price`, 'tick size');
  }

  /** Ticks -> decimal price string. */
  ticksToPrice(ticks: number): string {
    return new D(ticks).mul(this.tickSize).toFixed();
  }

  /** "0.25" -> lots; throws DecimalError unless an exact multiple of the lot size. */
  qtyToLots(qty: DecimalInput): number {
    return decimalToSteps(qty, this.lotSize, `${this.symbol} quantity`, 'lot size');
  }

  /** Lots -> decimal quantity string. */
  lotsToQty(lots: number): string {
    return new D(lots).mul(this.lotSize).toFixed();
  }

  /** Quote amount -> quote atoms (e.g. a market order's quote budget). */
  quoteToAtoms(amount: DecimalInput): number {
    return amountToAtoms(amount, this.quoteDecimals, `${this.symbol} quote amount`);
  }

  /** Quote atoms -> decimal string (fees, cumulative quote of a report). */
  quoteAtomsToAmount(atoms: number): string {
    return atomsToAmount(atoms, this.quoteDecimals);
  }

  /** Base atoms -> decimal string. */
  baseAtomsToAmount(atoms: number): string {
    return atomsToAmount(atoms, this.baseDecimals);
  }

  /** Quote atoms of `lots` at `ticks` (exact while below 2^53, which the engine guarantees). */
  notionalAtoms(ticks: number, lots: number): number {
    return ticks * lots * this.quoteAtomsPerTickLot;
  }
}
