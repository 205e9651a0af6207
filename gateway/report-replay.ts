// ReplayReportsRequest: re-sends an account's execution reports with
// report_seq > after_report_seq, rebuilt from the journal in Redis with the
// same ReportBuilder the live path uses (so they are identical, sequence
// numbers included).
//
// Pass 1 reads the commands from the seq of after_report_seq up to what this
// gateway has applied, keeping those that involve the account. Orders those
// commands touch that were accepted earlier need their state (filled,
// cumulative quote) as of then: pass 2 reads from the acceptance of the
// oldest of them (a sparse order id -> seq index gives a safe starting point)
// to fold their state, without emitting. Live reports for the session are
// held meanwhile and sent after the ReplayReportsResponse. Sending is paced
// by the socket's buffered amount. Scans past REPLAY_MAX_SCAN_COMMANDS get
// REPLAY_UNAVAILABLE, as does a journal trimmed past the requested point.
import { EventKind } from '../engine/event';
import { exchange } from '../proto';
import { nowUs } from './clock';
import type { Gateway } from './gateway';
import {
  MD_SOFT_LIMIT_BYTES,
  REPLAY_MAX_CONCURRENT,
  REPLAY_MAX_SCAN_COMMANDS,
  REPORT_SEQ_MULTIPLIER,
} from './limits';
import { type FeedCommand, ReportBuilder } from './reports';
import { type Session, SessionState } from './session';

export interface ReplayResult {
  first: number;
  last: number;
  count: number;
  /** Set when the replay cannot be served (the reason goes to the client). */
  unavailable?: string;
}

let running = 0;
const waiting: Array<() => void> = [];

async function acquire(): Promise<void> {
  if (running < REPLAY_MAX_CONCURRENT) {
    running++;
    return;
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function release(): void {
  const next = waiting.shift();
  if (next !== undefined) next();
  else running--;
}

/** Does the command involve `account`? Collects the order ids it references and those it accepts. */
function involves(
  cmd: FeedCommand,
  account: number,
  accepted: Set<number>,
  referenced: Set<number>,
): boolean {
  let hit = false;
  for (const ev of cmd.events) {
    const kind: number = ev.kind ?? 0;
    if (kind === EventKind.BOOK_LEVEL || kind === EventKind.BALANCE) continue;
    if ((ev.accountId ?? 0) === account) {
      hit = true;
      const id = ev.orderId ?? 0;
      if (id > 0) {
        if (kind === EventKind.ORDER_ACCEPTED) accepted.add(id);
        else referenced.add(id);
      }
      if (kind === EventKind.SELF_TRADE_PREVENTED && (ev.makerOrderId ?? 0) > 0)
        referenced.add(ev.makerOrderId!);
    }
    if (kind === EventKind.TRADE && (ev.makerAccountId ?? 0) === account) {
      hit = true;
      referenced.add(ev.makerOrderId ?? 0);
    }
  }
  return hit;
}

async function drained(s: Session): Promise<void> {
  while (
    s.ws !== undefined &&
    s.state !== SessionState.CLOSED &&
    s.ws.getBufferedAmount() > MD_SOFT_LIMIT_BYTES / 2
  ) {
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function replayReports(
  gw: Gateway,
  s: Session,
  after: number,
  requestId = 0,
): Promise<ReplayResult> {
  await acquire();
  try {
    const out: ReplayResult = { first: 0, last: 0, count: 0 };
    const account = s.accountId;
    for (const [shardId, feed] of gw.feeds) {
      if (!feed.synced) return { ...out, unavailable: `engine shard ${shardId} not ready` };
      const upTo = feed.appliedSeq;
      const fromSeq = Math.floor(after / REPORT_SEQ_MULTIPLIER);
      if (fromSeq > upTo) continue;
      const journal = gw.journals.get(shardId)!;
      const window: FeedCommand[] = [];
      const accepted = new Set<number>();
      const referenced = new Set<number>();
      let scanned = 0;
      const res = await journal.read(Math.max(1, fromSeq), upTo, (cmd) => {
        if (++scanned > REPLAY_MAX_SCAN_COMMANDS) return false;
        if (involves(cmd, account, accepted, referenced)) window.push(cmd);
        return true;
      });
      if (scanned > REPLAY_MAX_SCAN_COMMANDS) {
        return {
          ...out,
          unavailable: `more than ${REPLAY_MAX_SCAN_COMMANDS} commands to scan; resync instead`,
        };
      }
      if (res.firstSeqSeen > Math.max(1, fromSeq) + 1) {
        return {
          ...out,
          unavailable: `the journal starts at seq ${res.firstSeqSeen}, after the requested point`,
        };
      }
      const builder = new ReportBuilder((marketId, side) => {
        const m = gw.refData.market(marketId);
        return m === undefined
          ? 0
          : side === exchange.v1.Side.SIDE_BUY
            ? m.baseAssetId
            : m.quoteAssetId;
      }, account);
      let oldest = Number.POSITIVE_INFINITY;
      for (const id of referenced) if (!accepted.has(id) && id < oldest) oldest = id;
      if (oldest !== Number.POSITIVE_INFINITY && fromSeq > 1) {
        const startSeq = Math.max(1, gw.builders.get(shardId)!.acceptSeqLowerBound(oldest));
        await journal.read(startSeq, fromSeq - 1, (cmd) => {
          if (++scanned > REPLAY_MAX_SCAN_COMMANDS) return false;
          builder.apply(cmd, undefined);
          return true;
        });
        if (scanned > REPLAY_MAX_SCAN_COMMANDS) {
          return {
            ...out,
            unavailable: `more than ${REPLAY_MAX_SCAN_COMMANDS} commands to scan; resync instead`,
          };
        }
      }
      const pending: exchange.v1.IExecutionReport[] = [];
      for (const cmd of window) {
        builder.apply(cmd, (r) => {
          if ((r.reportSeq ?? 0) > after && (r.accountId ?? 0) === account) pending.push(r);
        });
      }
      for (let i = 0; i < pending.length; i++) {
        const ws = s.ws;
        if (ws === undefined || s.state === SessionState.CLOSED) return out;
        const r = pending[i]!;
        const now = nowUs();
        const bytes = exchange.v1.ServerMessage.encode({
          requestId,
          recvTimeUs: now,
          sendTimeUs: now,
          executionReport: r,
        }).finish();
        ws.cork(() => ws.send(bytes, true, false));
        gw.metrics.messagesOut++;
        if (out.first === 0) out.first = r.reportSeq ?? 0;
        out.last = r.reportSeq ?? 0;
        out.count++;
        if ((i & 63) === 63 && ws.getBufferedAmount() > MD_SOFT_LIMIT_BYTES / 2) await drained(s);
      }
    }
    return out;
  } finally {
    release();
  }
}
