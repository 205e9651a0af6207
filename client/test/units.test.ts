import Decimal from 'decimal.js';
import t from 'tap';
import { DecimalError } from '../errors';
import { amountToAtoms, atomsToAmount, MarketUnits, marketScales } from '../units';

const btc = new MarketUnits({
  marketId: 1,
  symbol: 'BTC-USDT',
  tickSize: '0.01',
  lotSize: '0.0001',
  baseDecimals: 8,
  quoteDecimals: 6,
});

t.test('scales are exact integers', async (t) => {
  t.equal(btc.baseAtomsPerLot, 10_000); // 0.0001 BTC = 10^4 satoshi
  t.equal(btc.quoteAtomsPerTickLot, 1); // 0.01 * 0.0001 USDT = 10^-6 = 1 atom
  t.same(marketScales({ tickSize: '0.5', lotSize: '2', baseDecimals: 0, quoteDecimals: 2 }), {
    baseAtomsPerLot: 2,
    quoteAtomsPerTickLot: 100,
  });
});

t.test('prices and quantities convert exactly', async (t) => {
  t.equal(btc.priceToTicks('27123.45'), 2_712_345);
  t.equal(btc.priceToTicks('27123.450000'), 2_712_345, 'trailing zeros are fine');
  t.equal(btc.priceToTicks(new Decimal('0.01')), 1);
  t.equal(btc.qtyToLots('0.25'), 2500);
  t.equal(btc.qtyToLots('1e-4'), 1, 'exponent notation');
  t.equal(btc.ticksToPrice(2_712_345), '27123.45');
  t.equal(btc.lotsToQty(2500), '0.25');
  t.equal(btc.notionalAtoms(2_712_345, 2500), 6_780_862_500);
  t.equal(btc.quoteAtomsToAmount(6_780_862_500), '6780.8625');
  t.equal(btc.quoteToAtoms('6780.8625'), 6_780_862_500);
  // values whose quotient needs more than decimal.js's default 20 digits
  const fine = new MarketUnits({
    marketId: 2,
    tickSize: '0.000000000000000001',
    lotSize: '1',
    baseDecimals: 0,
    quoteDecimals: 18,
  });
  t.equal(fine.priceToTicks('0.000000001234567891'), 1_234_567_891);
});

t.test('non-multiples are refused with a clear error', async (t) => {
  t.throws(() => btc.priceToTicks('27123.455'), DecimalError);
  try {
    btc.priceToTicks('27123.455');
  } catch (err) {
    t.match(
      (err as Error).message,
      /BTC-USDT price 27123\.455 is not a multiple of the tick size 0\.01/,
    );
    t.match((err as Error).message, /27123\.45 or 27123\.46/);
    t.equal((err as DecimalError).code, 'E_DECIMAL');
  }
  t.throws(() => btc.qtyToLots('0.00015'), /not a multiple of the lot size 0\.0001/);
  t.throws(() => amountToAtoms('1.123', 2), /more than 2 decimal places/);
});

t.test('garbage, floats, negatives and overflow are refused', async (t) => {
  for (const bad of ['', 'abc', '-1', '1.2.3', 'NaN', 'Infinity', '0x10', ' 1 2']) {
    t.throws(() => btc.priceToTicks(bad), DecimalError, JSON.stringify(bad));
  }
  t.throws(() => btc.priceToTicks(1.5 as unknown as string), /floats are not accepted/);
  t.throws(() => btc.priceToTicks('1000000000000000000'), /exceeds 2\^53-1/);
});

t.test('markets that cannot be integers are refused', async (t) => {
  t.throws(
    () =>
      marketScales({
        symbol: 'X-Y',
        tickSize: '0.01',
        lotSize: '0.000000001',
        baseDecimals: 8,
        quoteDecimals: 6,
      }),
    /X-Y: lot size 0\.000000001 is finer than the base asset's atom/,
  );
  t.throws(
    () =>
      marketScales({
        symbol: 'X-Y',
        tickSize: '0.0001',
        lotSize: '0.001',
        baseDecimals: 8,
        quoteDecimals: 6,
      }),
    /tick size x lot size = 0\.0000001 is finer than the quote asset's atom/,
  );
  t.throws(
    () => marketScales({ tickSize: '0', lotSize: '1', baseDecimals: 0, quoteDecimals: 0 }),
    /positive/,
  );
  t.throws(
    () => marketScales({ tickSize: '1', lotSize: '1', baseDecimals: 19, quoteDecimals: 0 }),
    /0\.\.18/,
  );
});

t.test('atoms to amounts, negatives included (rebates)', async (t) => {
  t.equal(atomsToAmount(-150, 2), '-1.5');
  t.equal(atomsToAmount(0, 8), '0');
  t.equal(amountToAtoms('0.00000001', 8), 1);
});
