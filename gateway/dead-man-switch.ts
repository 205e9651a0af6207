// Dead-man's switches (cancel all the account's orders after N ms unless
// re-armed). They live in the ENGINE: the gateway sends LinkDeadManSwitch
// (link.proto) to the shard of the market (every shard for market 0); the
// engine journals it as SET_DEAD_MAN_SWITCH and its sequencer fires it with a
// journaled TIMER command, so it survives gateway and engine restarts and
// replays identically (engine/SEMANTICS.md "Dead-man's switch"). The cancels
// reach this gateway as ORDER_CANCELED(DEAD_MAN_SWITCH) events.
// Only an engine too old to know the request answers LinkReject
// UNSUPPORTED_MESSAGE; in `auto` mode the gateway then runs the switch itself
// as an INTERIM measure: a timer in this process per (account, market) that
// sends CANCEL_ALL(reason DEAD_MAN_SWITCH) when it fires. That interim switch
// does not survive a restart of this gateway. Any other refusal is an error.
import type { Logger } from '../common/logger';
import { exchange } from '../proto';
import type { EngineLink } from './engine-link';
import type { GatewayError } from './errors';
import type { DeadManSwitchMode } from './gateway-config';

const CANCEL_REASON_DMS = exchange.v1.CancelReason.CANCEL_REASON_DEAD_MAN_SWITCH;
const REJECT_UNSUPPORTED_MESSAGE = exchange.v1.RejectReason.REJECT_REASON_UNSUPPORTED_MESSAGE;

export interface ArmResult {
  readonly timeoutMs: number;
  /** 0 = disarmed. */
  readonly firesAtUs: number;
  /** Where the switch lives. */
  readonly where: 'engine' | 'gateway';
}

interface LocalSwitch {
  timer: NodeJS.Timeout;
  firesAtUs: number;
}

export class DeadManSwitches {
  /** Shards known not to support LinkDeadManSwitch (auto mode falls back for them). */
  private readonly unsupported = new Set<number>();
  private readonly local = new Map<string, LocalSwitch>();

  constructor(
    private readonly mode: DeadManSwitchMode,
    private readonly log: Logger,
    private readonly onFired: (accountId: number, marketId: number, links: EngineLink[]) => void,
  ) {}

  get localCount(): number {
    return this.local.size;
  }

  /** Arms (timeoutMs > 0) or disarms (0) the switch of (accountId, marketId) on the given shards' links. */
  async arm(
    accountId: number,
    marketId: number,
    timeoutMs: number,
    links: EngineLink[],
  ): Promise<ArmResult> {
    const useEngine = links.filter(
      (l) => this.mode === 'engine' || (this.mode === 'auto' && !this.unsupported.has(l.shardId)),
    );
    const useLocal = links.filter((l) => !useEngine.includes(l));
    let firesAtUs = 0;
    for (const link of useEngine) {
      try {
        const msg = await link.call({ deadManSwitch: { accountId, marketId, timeoutMs } });
        const r = msg.deadManSwitch!;
        if ((r.rejectReason ?? 0) !== 0) {
          const err = new Error(`engine refused the dead-man switch`) as Error & {
            reason?: number;
          };
          err.reason = r.rejectReason ?? 0;
          throw err;
        }
        firesAtUs = Math.max(firesAtUs, r.firesAtUs ?? 0);
      } catch (err) {
        const e = err as GatewayError & { reason?: number };
        if (
          e.code === 'E_ENGINE_REJECTED' &&
          e.reason === REJECT_UNSUPPORTED_MESSAGE &&
          this.mode === 'auto'
        ) {
          this.unsupported.add(link.shardId);
          this.log.warn(
            { shard: link.shardId },
            'engine does not support LinkDeadManSwitch: running dead-man switches in the gateway (interim)',
          );
          useLocal.push(link);
          continue;
        }
        throw err;
      }
    }
    if (useLocal.length > 0) {
      const at = this.armLocal(accountId, marketId, timeoutMs, useLocal);
      firesAtUs = Math.max(firesAtUs, at);
    }
    return {
      timeoutMs,
      firesAtUs: timeoutMs === 0 ? 0 : firesAtUs,
      where: useLocal.length > 0 ? 'gateway' : 'engine',
    };
  }

  private armLocal(
    accountId: number,
    marketId: number,
    timeoutMs: number,
    links: EngineLink[],
  ): number {
    const key = `${accountId}:${marketId}`;
    const prev = this.local.get(key);
    if (prev !== undefined) clearTimeout(prev.timer);
    this.local.delete(key);
    if (timeoutMs === 0) return 0;
    const firesAtUs = (Date.now() + timeoutMs) * 1000;
    const timer = setTimeout(() => {
      this.local.delete(key);
      this.log.info({ accountId, marketId }, 'dead-man switch fired (gateway interim timer)');
      this.onFired(accountId, marketId, links);
    }, timeoutMs);
    timer.unref();
    this.local.set(key, { timer, firesAtUs });
    return firesAtUs;
  }

  /** The CANCEL_ALL command a fired switch sends. */
  static cancelCommand(accountId: number, marketId: number): exchange.v1.ICommand {
    return { cancelAll: { accountId, marketId, reason: CANCEL_REASON_DMS } };
  }

  close(): void {
    for (const s of this.local.values()) clearTimeout(s.timer);
    this.local.clear();
  }
}
