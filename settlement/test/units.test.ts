// Pure pieces: deterministic ids, exact amounts, the journal decoder,
// settings validation, error classification.
import t from 'tap';
import { ConfigError } from '../../common/config';
import { entryId } from '../../engine/process';
import {
  atomsToDecimal,
  decimalToAtoms,
  divideToInteger,
  multiplyFixed,
  parseDecimal,
  timesUnit,
  unitInAtoms,
} from '../amounts';
import { DependencyError, SettlementError } from '../errors';
import { entryUuid, IdKind, makeUuid, orderUuid, parseUuid, tradeUuid, transferUuid } from '../ids';
import { decodeEntry, entryHeader, JournalCache } from '../journal';
import { isoMicros } from '../plan';
import { parseJobData, rangeJobId } from '../queue';
import { loadSettlementConfig } from '../settlement-config';
import { generateJournal } from '../testing/journal-gen';
import { classify } from '../worker';

t.test('ids: deterministic, unique per kind and position, ordered, valid v8 uuids', async (t) => {
  const a = entryUuid(3, 123_456, 7, 2);
  t.equal(a, entryUuid(3, 123_456, 7, 2), 'same input, same id');
  t.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.same(parseUuid(a), { kind: IdKind.ENTRY, shard: 3, a: 123_456, b: 7, c: 2 });
  const seen = new Set<string>();
  for (const kind of [1, 2, 3, 4, 5, 6] as IdKind[]) {
    for (const shard of [0, 1, 65_535]) {
      for (const seq of [0, 1, 255, 2 ** 53 - 1]) {
        for (const b of [0, 1, 0xfffffff]) {
          for (const c of [0, 5, 255]) seen.add(makeUuid(kind, shard, seq, b, c));
        }
      }
    }
  }
  t.equal(seen.size, 6 * 3 * 4 * 3 * 3, 'no collisions');
  t.ok(entryUuid(0, 10, 0, 0) < entryUuid(0, 11, 0, 0), 'ids ascend with the journal');
  t.ok(entryUuid(0, 10, 9, 5) < entryUuid(0, 10, 10, 0));
  t.not(tradeUuid(0, 1), orderUuid(0, 1), 'kinds never share ids');
  t.not(transferUuid(0, 1, 0, 0), entryUuid(0, 1, 0, 0));
  t.throws(() => entryUuid(0, 2 ** 53, 0, 0), 'past 2^53-1 is refused');
  t.throws(() => entryUuid(0, 1, 0, 256));
});

t.test('amounts: exact in both directions, never a float', async (t) => {
  t.equal(atomsToDecimal(123_456, 8), '0.00123456');
  t.equal(atomsToDecimal(100_000_000, 8), '1.00000000');
  t.equal(atomsToDecimal(0, 2), '0.00');
  t.equal(atomsToDecimal(-5, 2), '-0.05');
  t.equal(atomsToDecimal(2 ** 53 - 1, 18), '0.009007199254740991');
  t.equal(atomsToDecimal(7, 0), '7');
  t.equal(atomsToDecimal(12345678901234567890n, 8), '123456789012.34567890');
  t.equal(decimalToAtoms('0.00123456', 8), 123_456n);
  t.equal(decimalToAtoms('1.5', 8), 150_000_000n);
  t.equal(decimalToAtoms('-0.05', 2), -5n);
  t.equal(decimalToAtoms('12', 0), 12n);
  t.throws(() => decimalToAtoms('0.001', 2), /more than 2 decimals/);
  t.equal(timesUnit(5_000_000, parseDecimal('0.01')), '50000.00');
  t.equal(timesUnit(3, parseDecimal('0.0001')), '0.0003');
  t.equal(timesUnit(2 ** 53 - 1, parseDecimal('0.00001')), '90071992547.40991');
  t.equal(timesUnit(2 ** 52, parseDecimal('3')), '13510798882111488', 'past 2^53 by BigInt');
  t.equal(divideToInteger('50000.00', parseDecimal('0.01'), 'p'), 5_000_000);
  t.equal(divideToInteger('0.0030', parseDecimal('0.001'), 'q'), 3);
  t.throws(() => divideToInteger('0.0035', parseDecimal('0.001'), 'q'), /not a whole multiple/);
  t.equal(unitInAtoms(parseDecimal('0.0001'), 8), 10_000, 'lot size in base atoms');
  t.equal(
    unitInAtoms(multiplyFixed(parseDecimal('0.01'), parseDecimal('0.0001')), 6),
    1,
    'tick x lot in quote atoms',
  );
  t.equal(unitInAtoms(parseDecimal('0.001'), 2), undefined, 'not a whole atom');
  t.throws(() => parseDecimal('1e-8'));
  t.equal(isoMicros(1_720_000_000_123_456), '2024-07-03T09:46:40.123456Z');
  t.equal(isoMicros(1_720_000_000_000_007), '2024-07-03T09:46:40.000007Z');
});

t.test('journal decoding: what the engine process writes, checked', async (t) => {
  const j = generateJournal(3, 300, { shard: 4, maxEntryCommands: 9 });
  let commands = 0;
  let trades = 0;
  for (const e of j.entries) {
    const d = decodeEntry(e.id, e.bytes, 4);
    t.equal(d.firstSeq, e.firstSeq);
    t.equal(d.lastSeq, e.lastSeq);
    t.same(entryHeader(e.id, e.bytes, 4), {
      firstSeq: e.firstSeq,
      lastSeq: e.lastSeq,
      commands: d.commands.length,
    });
    commands += d.commands.length;
    for (const c of d.commands) for (const ev of c.events) if (ev.kind === 3) trades++;
  }
  t.equal(commands, j.lastSeq, 'every command once');
  t.equal(trades, j.expectedTrades, 'every trade');
  const e = j.entries[3]!;
  const err = (f: () => unknown) => {
    try {
      f();
      return undefined;
    } catch (x) {
      return x as SettlementError;
    }
  };
  t.equal(err(() => decodeEntry(e.id, e.bytes, 5))?.code, 'E_SETTLEMENT_DECODE', 'another shard');
  t.equal(
    err(() => decodeEntry(entryId(e.lastSeq + 1), e.bytes, 4))?.code,
    'E_SETTLEMENT_DECODE',
    'id/seq mismatch',
  );
  t.equal(
    err(() => decodeEntry(e.id, e.bytes.subarray(0, e.bytes.length - 3), 4))?.code,
    'E_SETTLEMENT_DECODE',
    'truncated',
  );
  t.equal(
    err(() => decodeEntry(e.id, Buffer.from([0xff, 0xff, 0xff]), 4))?.code,
    'E_SETTLEMENT_DECODE',
    'garbage',
  );
  t.equal(err(() => decodeEntry(e.id, undefined, 4))?.code, 'E_SETTLEMENT_DECODE', 'no field');
  const cache = new JournalCache(50);
  for (const x of j.entries) cache.put(decodeEntry(x.id, x.bytes, 4));
  t.ok(cache.get(4, j.entries[j.entries.length - 1]!.firstSeq), 'recent entries stay');
  t.notOk(cache.get(4, j.entries[0]!.firstSeq), 'old ones leave (bounded by commands)');
});

t.test('settings: defaults, and the first bad variable named', async (t) => {
  const d = loadSettlementConfig({});
  t.same(d.shards, [0]);
  t.equal(d.role, 'all');
  t.equal(d.processes, 1);
  t.equal(d.feeAccountId, 1);
  t.equal(
    loadSettlementConfig({ ENGINE_FEE_ACCOUNT_ID: '7' }).feeAccountId,
    7,
    'follows the engine',
  );
  t.same(loadSettlementConfig({ SETTLEMENT_SHARDS: '0, 3,5' }).shards, [0, 3, 5]);
  for (const [k, v] of [
    ['SETTLEMENT_SHARDS', '1,1'],
    ['SETTLEMENT_SHARDS', 'a'],
    ['SETTLEMENT_ROLE', 'boss'],
    ['SETTLEMENT_JOB_MAX_COMMANDS', '0'],
    ['SETTLEMENT_PROCESSES', '2.5'],
    ['SETTLEMENT_QUEUE', 'a:b'],
  ] as const) {
    let caught: unknown;
    try {
      loadSettlementConfig({ [k]: v });
    } catch (e) {
      caught = e;
    }
    t.ok(
      caught instanceof ConfigError && caught.variable === k,
      `${k}=${v}: ${(caught as Error)?.message}`,
    );
  }
});

t.test('jobs and failure classes', async (t) => {
  t.equal(rangeJobId(2, 10, 20), 's2-10-20');
  t.same(
    parseJobData({ shard: 1, firstSeq: 5, lastSeq: 9, entries: 2, commands: 5, enqueuedAt: 1 })
      .lastSeq,
    9,
  );
  t.throws(() => parseJobData({ shard: 1, firstSeq: 9, lastSeq: 5 }), /bad job data/);
  t.throws(() => parseJobData(null), /bad job data/);
  t.equal(classify(new DependencyError('x')), 'wait');
  t.equal(
    classify(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })),
    'wait',
    'Postgres down waits',
  );
  t.equal(
    classify(Object.assign(new Error('x'), { code: '57P01' })),
    'wait',
    'Postgres shutting down waits',
  );
  t.equal(classify(Object.assign(new Error('x'), { code: '40P01' })), 'race');
  t.equal(classify(Object.assign(new Error('x'), { code: '23P01' })), 'race');
  t.equal(classify(new SettlementError('E_SETTLEMENT_DECODE', 'x')), 'permanent');
  t.equal(classify(new SettlementError('E_SETTLEMENT_JOURNAL_MISSING', 'x')), 'permanent');
  t.equal(classify(new SettlementError('E_SETTLEMENT_UNKNOWN_REFERENCE', 'x')), 'retry');
  t.equal(classify(new Error('boom')), 'retry');
});
