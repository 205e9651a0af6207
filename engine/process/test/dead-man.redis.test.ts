// The dead-man's switch over a real link and a real (private) Redis: armed
// with LinkDeadManSwitch, journaled as SET_DEAD_MAN_SWITCH, fired by the
// sequencer's journaled TIMER; re-arming postpones it, disarming stops it,
// and a switch armed before a kill -9 still fires after recovery.
import t from 'tap';
import type { exchange } from '../../../proto/gen/exchange';
import { LinkClient } from '../../../proto/link-client';
import {
  buildEngineOnce,
  journalBySeq,
  limit,
  setupExchange,
  startEngine,
  startRedis,
} from './helpers';

buildEngineOnce();

const CANCEL_REASON_DEAD_MAN_SWITCH = 8;
const EVENT_KIND_ORDER_CANCELED = 4;
const EVENT_KIND_DEAD_MAN_SWITCH_SET = 19;
const EVENT_KIND_DEAD_MAN_SWITCH_FIRED = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function arm(
  c: LinkClient,
  accountId: number,
  timeoutMs: number,
  marketId = 0,
): Promise<exchange.v1.IDeadManSwitchResult> {
  const m = await c.send({ deadManSwitch: { accountId, marketId, timeoutMs } });
  if (!m.deadManSwitch) throw new Error(`no DeadManSwitchResult: ${JSON.stringify(m.toJSON())}`);
  return m.deadManSwitch;
}

async function place(c: LinkClient, accountId: number, price: number): Promise<number> {
  const m = await c.command(limit(accountId, 1, price, 1));
  if (!m.result || m.result.rejectReason !== 0) throw new Error('place refused');
  return Number(m.result.events!.find((e) => e.kind === 1)!.orderId);
}

async function openOrder(c: LinkClient, accountId: number, orderId: number): Promise<boolean> {
  const m = await c.orderStatus({ accountId, orderId });
  return m.orderStatus?.found === true && Number(m.orderStatus.remainingLots) > 0;
}

/** Waits until `pred` holds (polling), or fails after `ms`. */
async function until(pred: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return true;
    await sleep(25);
  }
  return pred();
}

t.test('arm, fire, re-arm and disarm over a link', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const engine = await startEngine({ REDIS_URL: redis.url });
  t.teardown(() => engine.kill());
  const pushed: exchange.v1.IEvent[] = [];
  const watcher = await LinkClient.connect({
    port: engine.port,
    onEvents: (b) => pushed.push(...b.events),
  });
  await watcher.hello('watcher', true);
  const c = await LinkClient.connect({ port: engine.port });
  await c.hello('trader');
  t.teardown(async () => {
    await c.close();
    await watcher.close();
  });
  await setupExchange(c, [10, 11, 12]);

  // Rejects come back in the result, nothing is armed.
  t.equal((await arm(c, 99, 5_000)).rejectReason, 10, 'ACCOUNT_UNKNOWN');
  t.equal((await arm(c, 10, 500)).rejectReason, 36, 'INVALID_COMMAND (timeout below 1 s)');
  t.equal((await arm(c, 10, 5_000, 9)).rejectReason, 7, 'MARKET_UNKNOWN');

  // Account 10 arms 1 s; its order is canceled by the engine.
  const o10 = await place(c, 10, 100);
  const before = Date.now() * 1000;
  const r = await arm(c, 10, 1_000);
  t.equal(r.rejectReason, 0);
  t.equal(r.timeoutMs, 1_000);
  t.ok(Number(r.firesAtUs) >= before + 900_000, 'fires about 1 s from now');

  // Account 11 keeps re-arming 1 s every 300 ms: it must not fire.
  const o11 = await place(c, 11, 101);
  await arm(c, 11, 1_000);
  // Account 12 arms and disarms.
  const o12 = await place(c, 12, 102);
  await arm(c, 12, 1_000);
  const off = await arm(c, 12, 0);
  t.same([off.rejectReason, Number(off.firesAtUs), off.timeoutMs], [0, 0, 0], 'disarmed');

  const fired = await until(async () => {
    await arm(c, 11, 1_000);
    return !(await openOrder(c, 10, o10));
  }, 5_000);
  t.ok(fired, "account 10's order canceled by its switch");
  for (let i = 0; i < 6; i++) {
    await sleep(300);
    await arm(c, 11, 1_000);
  }
  t.ok(await openOrder(c, 11, o11), 'the re-armed switch did not fire');
  t.ok(await openOrder(c, 12, o12), 'the disarmed switch did not fire');
  await arm(c, 11, 0);

  const cancel = pushed.find(
    (e) => e.kind === EVENT_KIND_ORDER_CANCELED && Number(e.orderId) === o10,
  );
  t.equal(
    cancel?.cancelReason,
    CANCEL_REASON_DEAD_MAN_SWITCH,
    'pushed ORDER_CANCELED(DEAD_MAN_SWITCH)',
  );
  const firedEv = pushed.find((e) => e.kind === EVENT_KIND_DEAD_MAN_SWITCH_FIRED);
  t.equal(firedEv?.accountId, 10);
  t.equal(Number(firedEv?.deadlineUs), Number(r.firesAtUs));

  // The journal holds the SET commands and the sequencer's TIMER.
  const journal = await journalBySeq(redis.client());
  const timers = [...journal.values()].filter((jc) => {
    const timer = jc.command?.timer;
    return timer !== null && timer !== undefined;
  });
  t.equal(timers.length, 1, 'exactly one TIMER was journaled');
  const timer = timers[0]!;
  t.ok(Number(timer.timeUs) >= Number(r.firesAtUs), 'stamped at or after the deadline');
  t.ok(Number(timer.timeUs) - Number(r.firesAtUs) < 1_000_000, 'within a second of it');
  t.same(
    timer.events.map((e) => [e.kind, e.accountId, e.kind === 4 ? e.cancelReason : 0]),
    [
      [EVENT_KIND_DEAD_MAN_SWITCH_FIRED, 10, 0],
      [EVENT_KIND_ORDER_CANCELED, 10, CANCEL_REASON_DEAD_MAN_SWITCH],
      [8, 0, 0],
      [9, 10, 0],
    ],
  );
  const sets = [...journal.values()].filter((jc) =>
    jc.events.some((e) => e.kind === EVENT_KIND_DEAD_MAN_SWITCH_SET),
  );
  t.ok(sets.length >= 4, 'every accepted LinkDeadManSwitch is journaled');
});

t.test(
  'a switch armed before kill -9 fires after recovery, at its journaled deadline',
  async (t) => {
    const redis = await startRedis();
    t.teardown(() => redis.stop());
    const engine = await startEngine({ REDIS_URL: redis.url, ENGINE_LOG_READY_HASH: '1' });
    const c = await LinkClient.connect({ port: engine.port });
    await c.hello('trader');
    await setupExchange(c, [10, 11]);
    const o10 = await place(c, 10, 100);
    const o11 = await place(c, 11, 101);
    const armed = await arm(c, 10, 3_000);
    t.equal(armed.rejectReason, 0);
    c.destroy();
    await engine.kill('SIGKILL');

    const again = await startEngine({ REDIS_URL: redis.url, ENGINE_LOG_READY_HASH: '1' });
    t.teardown(() => again.kill());
    const c2 = await LinkClient.connect({ port: again.port });
    await c2.hello('trader');
    t.ok(await openOrder(c2, 10, o10), 'still open right after recovery');
    const ok = await until(async () => !(await openOrder(c2, 10, o10)), 8_000);
    t.ok(ok, 'fired after recovery');
    t.ok(Date.now() * 1000 >= Number(armed.firesAtUs), 'not before its deadline');
    t.ok(await openOrder(c2, 11, o11), "the other account's order stays");

    // A third start replays the TIMER from the journal (recovery checks every event).
    await c2.close();
    await again.kill('SIGKILL');
    const third = await startEngine({ REDIS_URL: redis.url, ENGINE_LOG_READY_HASH: '1' });
    t.teardown(() => third.kill());
    const c3 = await LinkClient.connect({ port: third.port });
    await c3.hello('trader');
    t.teardown(() => c3.close());
    t.notOk(await openOrder(c3, 10, o10), 'the replayed TIMER canceled it again');
    t.ok(await openOrder(c3, 11, o11));
  },
);
