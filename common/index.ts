export { type Config, ConfigError, LOG_LEVELS, type LogLevel, loadConfig } from './config';
export {
  CPU_DMA_LATENCY_PATH,
  CpuLatencyHold,
  CpuLatencyQosError,
  currentCpuLatencyUs,
  holdConfiguredCpuLatency,
  holdCpuLatency,
} from './cpu-latency-qos';
export { AssertionFailure, assert, ExchangeError } from './errors';
export { componentLogger, type Logger, rootLogger } from './logger';
export {
  Counter,
  Gauge,
  Histogram,
  LATENCY_US_BUCKETS,
  MetricsRegistry,
  PROMETHEUS_CONTENT_TYPE,
} from './metrics';
