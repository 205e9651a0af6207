// Fee arithmetic, exact on safe integers and rounded in the exchange's favour
// (SEMANTICS "Fees"): amount = q * 10000 + r, so amount * bps never has to be
// formed (it could pass 2^53) and every intermediate stays exact.
import { BPS_DENOMINATOR } from './constants';

/** ceil(amount * bps / 10000) for a fee rate bps >= 0. */
export function feeAtoms(amount: number, bps: number): number {
  const q = Math.floor(amount / BPS_DENOMINATOR);
  const r = amount - q * BPS_DENOMINATOR;
  return q * bps + Math.ceil((r * bps) / BPS_DENOMINATOR);
}

/** floor(amount * bps / 10000) for a rebate rate bps >= 0 (the negated maker rate). */
export function rebateAtoms(amount: number, bps: number): number {
  const q = Math.floor(amount / BPS_DENOMINATOR);
  const r = amount - q * BPS_DENOMINATOR;
  return q * bps + Math.floor((r * bps) / BPS_DENOMINATOR);
}
