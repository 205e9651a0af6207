// audit_logs rows (append-only in the database) written in batches off the
// order path: record() only queues; a timer inserts up to AUDIT_BATCH_ROWS
// rows per statement every AUDIT_FLUSH_MS. The queue is bounded: past
// AUDIT_QUEUE_MAX rows are dropped, counted and logged rather than letting a
// Postgres outage grow memory or slow trading. Key use is recorded at most
// once per key per KEY_USE_AUDIT_INTERVAL_MS (with api_keys.last_used_at).
import type { Sql } from 'postgres';
import type { Logger } from '../common/logger';
import {
  AUDIT_BATCH_ROWS,
  AUDIT_FLUSH_MS,
  AUDIT_QUEUE_MAX,
  KEY_USE_AUDIT_INTERVAL_MS,
} from './limits';

export interface AuditRow {
  actor_type: 'user' | 'api_key' | 'admin' | 'system';
  actor_id: string | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  metadata: Record<string, unknown>;
}

export class AuditLog {
  private queue: AuditRow[] = [];
  private readonly keyUseAt = new Map<string, number>();
  private readonly lastUsed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  dropped = 0;

  constructor(
    private readonly sql: Sql,
    private readonly log: Logger,
    private readonly gatewayId: string,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), AUDIT_FLUSH_MS);
    this.timer.unref();
  }

  record(row: AuditRow): void {
    if (this.queue.length >= AUDIT_QUEUE_MAX) {
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 1000 === 0) {
        this.log.error({ dropped: this.dropped }, 'audit queue full: rows dropped');
      }
      return;
    }
    row.metadata.gateway = this.gatewayId;
    this.queue.push(row);
  }

  /**
   * A key was used (an accepted order request); recorded at most once per key
   * per interval. Every order calls this: the row is built only when one is due.
   */
  keyUsed(keyId: string, ip: string, session: string): void {
    const now = Date.now();
    const at = this.keyUseAt.get(keyId);
    if (at !== undefined && now - at < KEY_USE_AUDIT_INTERVAL_MS) return;
    this.keyUseAt.set(keyId, now);
    this.lastUsed.add(keyId);
    this.record({
      actor_type: 'api_key',
      actor_id: keyId,
      action: 'api_key.used',
      entity_type: 'api_key',
      entity_id: keyId,
      metadata: { ip, session },
    });
    if (this.keyUseAt.size > 100_000) {
      for (const [k, t] of this.keyUseAt)
        if (now - t >= KEY_USE_AUDIT_INTERVAL_MS) this.keyUseAt.delete(k);
    }
  }

  /** Writes what is queued (also used by close() and tests). */
  flush(): Promise<void> {
    if (this.flushing !== undefined) return this.flushing;
    if (this.queue.length === 0 && this.lastUsed.size === 0) return Promise.resolve();
    this.flushing = this.writeAll().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async writeAll(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, AUDIT_BATCH_ROWS);
      try {
        await this.sql`insert into audit_logs ${this.sql(
          batch.map((r) => ({ ...r, metadata: this.sql.json(r.metadata as never) })),
          'actor_type',
          'actor_id',
          'action',
          'entity_type',
          'entity_id',
          'metadata',
        )}`;
        this.queue.splice(0, batch.length);
      } catch (err) {
        this.log.warn(
          { err: (err as Error).message, rows: batch.length },
          'audit insert failed; will retry',
        );
        return;
      }
    }
    if (this.lastUsed.size > 0) {
      const ids = [...this.lastUsed];
      this.lastUsed.clear();
      try {
        await this.sql`update api_keys set last_used_at = now() where id = any(${ids}::uuid[])`;
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'api_keys.last_used_at update failed');
      }
    }
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.flush();
    if (this.queue.length > 0) await this.flush();
  }
}
