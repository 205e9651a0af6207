// Prometheus text exposition for the gateway (GET /metrics): a few counters,
// gauges and one latency histogram, written by hand (no dependency). Labels
// are fixed sets (reject reason names), so cardinality is bounded.
import { exchange } from '../proto';

const REJECT_NAMES = exchange.v1.RejectReason as unknown as Record<number, string>;

/** Upper bounds (µs) of the engine round-trip histogram. */
const LATENCY_BUCKETS_US = [
  50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 500_000, 1_000_000,
] as const;

export class GatewayMetrics {
  messagesIn = 0;
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  connectionsTotal = 0;
  logonsTotal = 0;
  logonFailuresTotal = 0;
  slowConsumerResyncs = 0;
  slowConsumerDisconnects = 0;
  badFrames = 0;
  auditDropped = 0;
  journalGapFills = 0;
  readonly rejects = new Map<number, number>();
  private readonly latencyCounts = new Float64Array(LATENCY_BUCKETS_US.length + 1);
  private latencySumUs = 0;
  private latencyCount = 0;

  /** Gauges are read when /metrics is scraped. */
  constructor(
    private readonly gauges: () => {
      connections: number;
      sessions: number;
      enginesUp: number;
      engines: number;
      trackedOrders: number;
      auditQueue: number;
      published: number;
    },
  ) {}

  reject(reason: number): void {
    this.rejects.set(reason, (this.rejects.get(reason) ?? 0) + 1);
  }

  engineRoundTrip(us: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS_US.length && us > LATENCY_BUCKETS_US[i]!) i++;
    this.latencyCounts[i]!++;
    this.latencySumUs += us;
    this.latencyCount++;
  }

  render(): string {
    const g = this.gauges();
    const mem = process.memoryUsage();
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, value: number): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
    };
    metric('gateway_connections', 'gauge', 'Open WebSocket connections.', g.connections);
    metric('gateway_sessions', 'gauge', 'Logged-on sessions.', g.sessions);
    metric(
      'gateway_connections_total',
      'counter',
      'WebSocket connections accepted.',
      this.connectionsTotal,
    );
    metric('gateway_logons_total', 'counter', 'Successful logons.', this.logonsTotal);
    metric('gateway_logon_failures_total', 'counter', 'Refused logons.', this.logonFailuresTotal);
    metric('gateway_messages_in_total', 'counter', 'Client frames received.', this.messagesIn);
    metric(
      'gateway_messages_out_total',
      'counter',
      'Frames sent to clients (direct sends).',
      this.messagesOut,
    );
    metric(
      'gateway_published_total',
      'counter',
      'Market data messages published (uWS pub/sub).',
      g.published,
    );
    metric('gateway_bytes_in_total', 'counter', 'Client frame bytes received.', this.bytesIn);
    metric(
      'gateway_bytes_out_total',
      'counter',
      'Bytes sent to clients (direct sends).',
      this.bytesOut,
    );
    metric(
      'gateway_bad_frames_total',
      'counter',
      'Undecodable, text or oversized frames.',
      this.badFrames,
    );
    lines.push(
      '# HELP gateway_rejects_total Rejects sent, by reason.',
      '# TYPE gateway_rejects_total counter',
    );
    for (const [reason, n] of [...this.rejects].sort((a, b) => a[0] - b[0])) {
      lines.push(`gateway_rejects_total{reason="${REJECT_NAMES[reason] ?? String(reason)}"} ${n}`);
    }
    metric(
      'gateway_slow_consumer_resyncs_total',
      'counter',
      'Sessions whose market data was dropped (ResyncRequired).',
      this.slowConsumerResyncs,
    );
    metric(
      'gateway_slow_consumer_disconnects_total',
      'counter',
      'Sessions closed past the hard buffer limit.',
      this.slowConsumerDisconnects,
    );
    metric(
      'gateway_engine_links_up',
      'gauge',
      'Engine shard links connected and synced.',
      g.enginesUp,
    );
    metric('gateway_engine_links', 'gauge', 'Engine shard links configured.', g.engines);
    metric(
      'gateway_journal_gap_fills_total',
      'counter',
      'Seq gaps filled from the journal.',
      this.journalGapFills,
    );
    metric(
      'gateway_tracked_orders',
      'gauge',
      'Open orders tracked for execution reports.',
      g.trackedOrders,
    );
    metric('gateway_audit_queue', 'gauge', 'Audit rows waiting to be written.', g.auditQueue);
    metric(
      'gateway_audit_dropped_total',
      'counter',
      'Audit rows dropped (queue full).',
      this.auditDropped,
    );
    lines.push(
      '# HELP gateway_engine_round_trip_seconds Engine request round trip as seen by the gateway.',
      '# TYPE gateway_engine_round_trip_seconds histogram',
    );
    let cumulative = 0;
    for (let i = 0; i < LATENCY_BUCKETS_US.length; i++) {
      cumulative += this.latencyCounts[i]!;
      lines.push(
        `gateway_engine_round_trip_seconds_bucket{le="${LATENCY_BUCKETS_US[i]! / 1e6}"} ${cumulative}`,
      );
    }
    cumulative += this.latencyCounts[LATENCY_BUCKETS_US.length]!;
    lines.push(`gateway_engine_round_trip_seconds_bucket{le="+Inf"} ${cumulative}`);
    lines.push(`gateway_engine_round_trip_seconds_sum ${this.latencySumUs / 1e6}`);
    lines.push(`gateway_engine_round_trip_seconds_count ${this.latencyCount}`);
    metric('process_resident_memory_bytes', 'gauge', 'Resident set size.', mem.rss);
    metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use.', mem.heapUsed);
    metric(
      'nodejs_external_memory_bytes',
      'gauge',
      'Memory of C++ objects bound to JS.',
      mem.external,
    );
    return `${lines.join('\n')}\n`;
  }
}
